// What a call log's write refused by a foreign key means for the client: something the request
// named or was let in as, checked before the write, was removed before it (pure).
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';

/**
 * The caller removed meanwhile, when the row written is the caller's (a new log and its task):
 * 403, as POST /api/api-keys answers a caller removed while it ran. Null for anything else.
 */
export function callerGone(err: unknown): Error | null {
  if (!isForeignKeyViolation(err, 'call_logs_user_id_fkey') && !isForeignKeyViolation(err, 'follow_ups_user_id_fkey')) return null;
  return ERRORS.forbidden('Your account was removed while this request was being handled; it was not carried out');
}

/** The call record named as `callId` deleted meanwhile: 400 naming callId. Null for anything else. */
export function callGone(err: unknown): Error | null {
  return isForeignKeyViolation(err, 'call_logs_call_id_fkey') ? ERRORS.validation({ callId: 'is not a call of this organisation (it was deleted)' }) : null;
}
