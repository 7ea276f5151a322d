// Recognise PostgreSQL errors by SQLSTATE (works for pg and PGlite alike).
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/** 23503: a referenced row (campaign, pool, ...) is gone or belongs to another organisation; of `constraint` when given. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  return sqlState(err) === '23503' && (constraint === undefined || (err as { constraint?: string }).constraint === constraint);
}

/**
 * An error that may pass if the same work is tried again: a lost or refused connection (SQLSTATE
 * class 08, or a network error without one), a serialization failure or deadlock (40), too few
 * resources (53), a shutdown or cancel (57), a system error (58), a lock not available (55P03).
 * Anything else (bad data, a constraint, a bug) fails the same way every time.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = sqlState(err);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|40|53|57|58)/.test(code) || code === '55P03';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNRESET, ETIMEDOUT, ...
  const message = err instanceof Error ? err.message : '';
  return /connection|terminated|timeout|timed out|closed|shutting down/i.test(message); // (pg and PGlite closing under a write)
}

/** 23514: a CHECK constraint refused the row (e.g. a number in a pool and pointed at a campaign). */
export function isCheckViolation(err: unknown): boolean {
  return sqlState(err) === '23514';
}
