// Request signing of outbound deliveries — tracking pixels and event webhooks (DESIGN.md 7), like
// Stripe's webhook signatures. When the pixel or endpoint has a signing secret every request carries
//
//   X-CCP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// where <body> is the exact request body — for a GET (a tracking pixel's data is in its URL) the
// request's path and query as sent, e.g. `/track?id=abc&value=25`. A receiver recomputes the HMAC over the
// timestamp it was given and the raw body, compares in constant time and refuses old timestamps
// (e.g. more than 5 minutes) to stop replays; an event's id (in the body, and X-CCP-Event-Id)
// lets it drop a delivery it has already handled. The secret itself is never sent, logged or
// stored anywhere else.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-CCP-Signature';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
