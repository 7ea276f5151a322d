// What a telephony failure becomes in the numbers API (pure). The provider is never a 500: a
// refusal of our input is a 400 naming the field, a number someone else got first is a 409, and
// anything else the provider did (outage, credentials, timeouts, an unexpected throw) is a 502
// UPSTREAM_ERROR, with no internal detail (host names, stack) in the answer.
import { fieldOfMessage, providerFailed } from '../../platform/common/provider-failure.js';
import { type AppError, ERRORS } from '../../platform/errors.js';
import { TelephonyError } from '../../telephony/types.js';

export type NumberOperation = 'search' | 'purchase' | 'release';

/** The request fields each operation can blame (provider message word → field; the provider's messages start with the field name). */
const FIELDS: Record<NumberOperation, { fields: Readonly<Record<string, string>>; fallback: string }> = {
  search: {
    fields: { country: 'country', type: 'numberType', numberType: 'numberType', areaCode: 'areaCode', contains: 'contains', limit: 'limit' },
    fallback: 'request',
  },
  purchase: { fields: { phoneNumber: 'phoneNumber', friendlyName: 'friendlyName' }, fallback: 'phoneNumber' },
  release: { fields: {}, fallback: 'id' },
};

/** The field a provider message is about (`"areaCode must be …"` → areaCode), else the fallback. */
export function blamedField(message: string, operation: NumberOperation): string {
  const { fields, fallback } = FIELDS[operation];
  return fieldOfMessage(message, fields, fallback);
}

function upstream(operation: NumberOperation): AppError {
  return providerFailed(operation === 'search' ? 'search numbers' : operation === 'purchase' ? 'buy the number' : 'release the number');
}

/**
 * Map an error thrown by a Telephony call. For release, the caller handles `not_found` itself
 * (already released); every other refusal there is the provider's (502: nothing was deleted).
 */
export function telephonyFailure(err: unknown, operation: NumberOperation): AppError {
  if (!(err instanceof TelephonyError)) return upstream(operation);
  switch (err.kind) {
    case 'provider_error':
      return upstream(operation);
    case 'invalid':
    case 'not_supported':
      if (operation === 'release') return upstream(operation);
      return ERRORS.validation({ [blamedField(err.message, operation)]: err.message });
    case 'conflict':
    case 'not_found':
      if (operation === 'purchase') return ERRORS.conflict({ phoneNumber: 'is not available from the telephony provider (search again)' });
      if (operation === 'search') {
        // Twilio answers 404 for a country it has no inventory resource for.
        return err.kind === 'not_found'
          ? ERRORS.validation({ country: 'has no numbers at the telephony provider' })
          : ERRORS.validation({ [blamedField(err.message, operation)]: err.message });
      }
      return upstream(operation);
  }
}
