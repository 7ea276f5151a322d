// Whether a request may be authenticated by its session cookie (pure). A browser sends the cookie
// with every request to the API whatever page sent it — a WebSocket handshake (CORS does not apply)
// or a POST with no body or a multipart form (no CORS preflight) — and SameSite=Lax stops pages of
// other sites, not other origins of the same site (a sibling host, another port). Without this
// check a page on a sibling host could read the organisation's live events, send agent:status, or
// change things (pause campaigns, upload audio or leads, log the user out) as the logged-in user.
// So the cookie counts only when the request's Origin is the API's own — its Host, or the public
// base URL (behind a proxy) — or absent (not a browser). Tokens and API keys are not ambient
// credentials: any origin may use them.
export function cookieOriginAllowed(origin: string | undefined, host: string | undefined, publicBaseUrl: string): boolean {
  if (origin === undefined) return true;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file:) and anything malformed
  }
  if (host !== undefined && from.host === host.toLowerCase()) return true;
  try {
    return from.origin === new URL(publicBaseUrl).origin;
  } catch {
    return false;
  }
}
