// Posting Twilio webhooks to a test app the way Twilio does: a form body signed with the twilio
// library's own signature function over PUBLIC_BASE_URL + path (+ query).
import twilio from 'twilio';
import { TEST_WEBHOOK_TOKEN, type TestApp } from './test-app.js';

export interface WebhookAnswer {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

export interface PostOptions {
  /** 'none': no signature header; 'bad': a signature made with another token. Default: signed. */
  signature?: 'valid' | 'none' | 'bad';
  headers?: Record<string, string>;
  /** The URL to sign instead of PUBLIC_BASE_URL + path (a proxy's view, a port, ...). */
  signedUrl?: string;
  /** A raw body to send instead of the form encoding of `params` (which are still what is signed). */
  body?: string;
}

export function signatureFor(url: string, params: Record<string, string>, token = TEST_WEBHOOK_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

export async function postWebhook(t: TestApp, pathAndQuery: string, params: Record<string, string>, options: PostOptions = {}): Promise<WebhookAnswer> {
  const signedUrl = options.signedUrl ?? `${t.config.publicBaseUrl}${pathAndQuery}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  const mode = options.signature ?? 'valid';
  if (mode === 'valid') headers['x-twilio-signature'] = signatureFor(signedUrl, params);
  if (mode === 'bad') headers['x-twilio-signature'] = signatureFor(signedUrl, params, 'another-token');
  const response = await fetch(`${t.url}${pathAndQuery}`, { method: 'POST', headers, body: options.body ?? new URLSearchParams(params).toString() });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text(), headers: response.headers };
}

/** The TwiML Twilio's own VoiceResponse would produce, for exact comparisons. */
export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

/** Rows the call path writes (a refused webhook must leave all three unchanged). */
export async function callPathCounts(t: Pick<TestApp, 'db'>): Promise<{ calls: number; legs: number; bidRequests: number }> {
  const count = async (table: 'calls' | 'call_legs' | 'bid_requests') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const [calls, legs, bidRequests] = await Promise.all([count('calls'), count('call_legs'), count('bid_requests')]);
  return { calls, legs, bidRequests };
}

/** The error body of a non-2xx webhook answer. */
export function errorOf(answer: WebhookAnswer): { code: string; error: string; details: unknown } {
  return JSON.parse(answer.text) as { code: string; error: string; details: unknown };
}
