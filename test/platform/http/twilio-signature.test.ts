// Signatures made with the twilio library's own function are accepted exactly when the URL and
// parameters are the ones Twilio signed: behind a proxy, with and without the default port, with
// query strings; a wrong token, body, URL or a missing header is refused.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/platform/config.js';
import { expectedTwilioSignature, isValidTwilioSignature, signedUrl } from '../../../server/platform/http/twilio-signature.js';
import { resolveWebhookToken } from '../../../server/platform/secrets.js';

const TOKEN = '12345678901234567890123456789012';
const PARAMS = { CallSid: 'CA1234567890abcdef', From: '+10987654321', To: '+1234567890', CallerState: 'CA', CallerZip: '90210' };

describe('signedUrl', () => {
  it.each([
    ['https://calls.example.com', '/api/webhooks/voice', 'https://calls.example.com/api/webhooks/voice'],
    ['https://calls.example.com/', '/api/webhooks/voice?x=1', 'https://calls.example.com/api/webhooks/voice?x=1'],
    ['https://example.com/ccp', '/api/webhooks/voice', 'https://example.com/ccp/api/webhooks/voice'],
    ['http://127.0.0.1:3000', 'api/webhooks/voice', 'http://127.0.0.1:3000/api/webhooks/voice'],
  ])('%s + %s', (base, url, expected) => {
    expect(signedUrl(base, url)).toBe(expected);
  });
});

describe('isValidTwilioSignature', () => {
  const sign = (url: string, params: Record<string, string> = PARAMS, token = TOKEN) => twilio.getExpectedTwilioSignature(token, url, params);

  it('accepts what Twilio signed for the public URL while the server sees a proxied request', () => {
    // Twilio called https://calls.example.com/...; the proxy forwarded it to http://10.0.0.5:3000.
    const signature = sign('https://calls.example.com/api/webhooks/voice');
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/voice', PARAMS)).toBe(true);
    // The server's own view of the URL is not what Twilio signed.
    expect(isValidTwilioSignature(TOKEN, signature, 'http://10.0.0.5:3000', '/api/webhooks/voice', PARAMS)).toBe(false);
  });

  it('accepts a signature made with or without the default port', () => {
    for (const signedWith of ['https://calls.example.com:443/api/webhooks/voice', 'https://calls.example.com/api/webhooks/voice']) {
      const signature = sign(signedWith);
      expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/voice', PARAMS)).toBe(true);
      expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com:443', '/api/webhooks/voice', PARAMS)).toBe(true);
    }
    const nonDefault = sign('https://calls.example.com:8443/api/webhooks/voice');
    expect(isValidTwilioSignature(TOKEN, nonDefault, 'https://calls.example.com:8443', '/api/webhooks/voice', PARAMS)).toBe(true);
    expect(isValidTwilioSignature(TOKEN, nonDefault, 'https://calls.example.com', '/api/webhooks/voice', PARAMS)).toBe(false);
  });

  it('covers the query string and every form parameter', () => {
    const url = 'https://calls.example.com/api/webhooks/flow/abc?node=menu_1&attempt=2';
    const signature = sign(url);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/flow/abc?node=menu_1&attempt=2', PARAMS)).toBe(true);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/flow/abc?node=menu_1&attempt=3', PARAMS)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/flow/abc?node=menu_1&attempt=2', { ...PARAMS, To: '+19999999999' })).toBe(false);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/flow/abc?node=menu_1&attempt=2', { ...PARAMS, Extra: '1' })).toBe(false);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a repeated header', ['a', 'b']],
    ['garbage', 'not-a-signature'],
    ['an absurdly long header', 'x'.repeat(1000)],
    ['the signature of another token', twilio.getExpectedTwilioSignature('another-token-another-token-1234', 'https://calls.example.com/api/webhooks/voice', PARAMS)],
  ])('refuses %s', (_label, signature) => {
    expect(isValidTwilioSignature(TOKEN, signature as never, 'https://calls.example.com', '/api/webhooks/voice', PARAMS)).toBe(false);
  });

  it('signs what it verifies (expectedTwilioSignature is the library function over the same URL)', () => {
    const signature = expectedTwilioSignature(TOKEN, 'https://calls.example.com', '/api/webhooks/call-status', { CallSid: 'CA1', CallStatus: 'completed' });
    expect(signature).toBe(twilio.getExpectedTwilioSignature(TOKEN, 'https://calls.example.com/api/webhooks/call-status', { CallSid: 'CA1', CallStatus: 'completed' }));
    expect(isValidTwilioSignature(TOKEN, signature, 'https://calls.example.com', '/api/webhooks/call-status', { CallSid: 'CA1', CallStatus: 'completed' })).toBe(true);
  });
});

describe('resolveWebhookToken', () => {
  it('uses TWILIO_AUTH_TOKEN when set, else generates one into DATA_DIR once and keeps it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ccp-token-'));
    try {
      const set = await resolveWebhookToken(loadConfig({ DATA_DIR: dir, TWILIO_AUTH_TOKEN: 'from-env-token' }));
      expect(set).toEqual({ token: 'from-env-token', generated: false, file: null });
      const first = await resolveWebhookToken(loadConfig({ DATA_DIR: dir }));
      expect(first.generated).toBe(true);
      expect(first.file).toBe(path.join(dir, 'twilio-webhook.token'));
      expect(first.token).toMatch(/^[0-9a-f]{32}$/);
      expect((await readFile(path.join(dir, 'twilio-webhook.token'), 'utf8')).trim()).toBe(first.token);
      expect((await resolveWebhookToken(loadConfig({ DATA_DIR: dir }))).token).toBe(first.token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
