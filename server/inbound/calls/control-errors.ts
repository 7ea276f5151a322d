// What a call-control request is refused with (pure). A telephony failure is never a 500: an
// unknown call or recording is a 404, what the carrier cannot do for this call (mute of a
// two-party <Dial><Number> bridge) or a call / recording no longer in progress is a 409, a
// refusal of the request's input is a 400 naming the field, and anything else (outage,
// credentials, timeouts, an unexpected throw) is a 502 UPSTREAM_ERROR with no internal detail.
import type { components } from '../../../client/schema.js';
import { fieldOfMessage, providerFailed } from '../../platform/common/provider-failure.js';
import { type AppError, ERRORS } from '../../platform/errors.js';
import { TelephonyError } from '../../telephony/types.js';

export type ControlAction = components['schemas']['CallControlResult']['action'];

const WHAT: Record<ControlAction, string> = {
  transfer: 'transfer the call',
  hold: 'put the call on hold',
  resume: 'take the call off hold',
  mute: 'mute the call',
  unmute: 'unmute the call',
  recording_start: 'start recording the call',
  recording_stop: 'stop the recording',
};

/** The request field a refusal can blame (adapter message word → request field), else the fallback. */
const FIELDS: Partial<Record<ControlAction, { fields: Readonly<Record<string, string>>; fallback: string }>> = {
  transfer: { fields: { to: 'targetNumber' }, fallback: 'targetNumber' },
  recording_stop: { fields: { recordingSid: 'recordingSid' }, fallback: 'recordingSid' },
};

export interface ControlTarget {
  callSid: string;
  recordingSid?: string | undefined;
}

export function callNotFound(callSid: string): AppError {
  return ERRORS.notFound('Call', callSid);
}

export function callEnded(status: string): AppError {
  return ERRORS.conflict(`The call has already ended (status: ${status}); it can no longer be controlled`);
}

export function noRecordingStarted(): AppError {
  return ERRORS.conflict('No recording was started on this call; give recordingSid to stop a recording by its sid');
}

function notSupported(action: ControlAction): AppError {
  if (action === 'mute' || action === 'unmute') {
    return ERRORS.conflict(
      `The call cannot be ${action}d: only a conference participant can be muted, and this call is a two-party <Dial><Number> bridge`,
    );
  }
  return ERRORS.conflict(`The telephony provider cannot ${WHAT[action]} for this call`);
}

function notInProgress(action: ControlAction): AppError {
  return action === 'recording_stop'
    ? ERRORS.conflict('The recording is not in progress (it has already been stopped, or the call has ended)')
    : ERRORS.conflict(`Could not ${WHAT[action]}: the call is no longer in progress at the telephony provider`);
}

/** Map an error thrown by a Telephony call-control method. */
export function controlFailure(err: unknown, action: ControlAction, target: ControlTarget): AppError {
  if (!(err instanceof TelephonyError)) return providerFailed(WHAT[action]);
  switch (err.kind) {
    case 'not_found':
      return action === 'recording_stop' && target.recordingSid !== undefined && err.message.startsWith('Recording')
        ? ERRORS.notFound('Recording', target.recordingSid)
        : callNotFound(target.callSid);
    case 'not_supported':
      return notSupported(action);
    case 'conflict':
      return notInProgress(action);
    case 'invalid': {
      const blame = FIELDS[action] ?? { fields: {}, fallback: 'callSid' };
      return ERRORS.validation({ [fieldOfMessage(err.message, blame.fields, blame.fallback)]: err.message });
    }
    case 'provider_error':
      return providerFailed(WHAT[action]);
  }
}
