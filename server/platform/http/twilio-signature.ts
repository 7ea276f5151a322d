// Twilio webhook signatures: Twilio signs the public URL it called (scheme, host, port as it saw
// them, path and query) plus the sorted form parameters with the account's auth token. Behind a
// proxy the server sees another host and scheme, so the URL is rebuilt from PUBLIC_BASE_URL and
// the request's path; the twilio library then tries it with and without the default port.
import twilio from 'twilio';

export type FormParams = Record<string, string | string[] | undefined>;

/** The URL Twilio signed: PUBLIC_BASE_URL (which may carry a path prefix) + the request's path and query. */
export function signedUrl(publicBaseUrl: string, requestUrl: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + (requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`);
}

function formValues(params: FormParams | undefined | null): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

export function isValidTwilioSignature(
  authToken: string,
  signature: string | string[] | undefined,
  publicBaseUrl: string,
  requestUrl: string,
  params: FormParams | undefined | null,
): boolean {
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > 128) return false;
  try {
    return twilio.validateRequest(authToken, signature, signedUrl(publicBaseUrl, requestUrl), formValues(params));
  } catch {
    return false;
  }
}

/** What a test (or the simulator) sends as X-Twilio-Signature for a request to `requestUrl`. */
export function expectedTwilioSignature(authToken: string, publicBaseUrl: string, requestUrl: string, params: FormParams): string {
  return twilio.getExpectedTwilioSignature(authToken, signedUrl(publicBaseUrl, requestUrl), formValues(params));
}
