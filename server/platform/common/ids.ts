// Path ids arrive as strings; a malformed one is answered as "not found", never as a 500.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_INT4 = 2_147_483_647;

export function parseUuid(raw: string): string | null {
  return UUID.test(raw) ? raw.toLowerCase() : null;
}

export function parseIntId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_INT4 ? id : null;
}

/** A call sid as Twilio (CA…), the simulator or a manual record (MC…) writes it; anything else names no call. */
export function parseCallSid(raw: string): string | null {
  return /^[A-Za-z]{2}[A-Za-z0-9]{1,62}$/.test(raw) ? raw : null;
}
