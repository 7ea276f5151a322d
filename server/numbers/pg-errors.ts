// SQLSTATEs the numbers and pools handlers turn into answers (works for pg and PGlite alike).
function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/** 23503: a referenced row (campaign, pool) is gone or belongs to another organisation. */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === '23503';
}

/** 23514: e.g. a number pointed at a campaign and in a pool at once (phone_numbers_check). */
export function isCheckViolation(err: unknown): boolean {
  return sqlState(err) === '23514';
}
