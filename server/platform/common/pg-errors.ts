// Recognise PostgreSQL errors by SQLSTATE (works for pg and PGlite alike).
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/** 23503: a referenced row (campaign, pool, ...) is gone or belongs to another organisation. */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === '23503';
}

/** 23514: a CHECK constraint refused the row (e.g. a number in a pool and pointed at a campaign). */
export function isCheckViolation(err: unknown): boolean {
  return sqlState(err) === '23514';
}
