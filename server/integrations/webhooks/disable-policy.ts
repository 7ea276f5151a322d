// When an endpoint that keeps failing is disabled (pure): after DISABLE_AFTER_FAILURES deliveries in
// a row failed for good (each after all its tries, or at once for a permanent failure); a delivered
// one resets the count. With 8 tries over about two hours per delivery, a receiver that is down
// for good is disabled once ten events have each failed for two hours.
export const DISABLE_AFTER_FAILURES = 10;

/** The disabledReason of an automatic disable. */
export function autoDisableReason(lastError: string | null): string {
  return `${DISABLE_AFTER_FAILURES} consecutive deliveries failed (the last: ${lastError ?? 'unknown error'})`;
}

/** The disabledReason of a disable through the API. */
export const MANUAL_DISABLE_REASON = 'disabled through the API';

/** The last_error of a pending delivery ended because its endpoint was disabled. */
export function cancelledDeliveryError(reason: string): string {
  return `endpoint disabled: ${reason}`;
}
