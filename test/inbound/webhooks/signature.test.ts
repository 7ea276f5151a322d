// The X-Twilio-Signature over HTTP, against real servers: signed with the twilio library's own
// function over the public URL Twilio called (behind a proxy, with and without a port, with the
// query string) → accepted; missing, wrong-token or tampered → 403 before anything is validated,
// read or written; refusals count against `webhook_unsigned` per IP, signed webhooks never do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCallSid } from '../calls/db-helpers.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callPathCounts, errorOf, postWebhook, type WebhookAnswer } from '../../helpers/twilio-webhook.js';

const CAMPAIGN_NUMBER = '+12125550100';
const BUYER_NUMBER = '+12125550111';
const UNKNOWN_NUMBER = '+12125550199';
const CALLER = '+13105551234';

function voiceParams(callSid = newCallSid(), to = CAMPAIGN_NUMBER): Record<string, string> {
  return { CallSid: callSid, To: to, From: CALLER, CallerState: 'CA', CallerZip: '90210' };
}

function expectTwiml(answer: WebhookAnswer): void {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.contentType).toMatch(/^text\/xml/);
  expect(answer.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>.*<\/Response>$/);
}

function expectForbidden(answer: WebhookAnswer, details?: string): void {
  expect(answer.status, answer.text).toBe(403);
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = errorOf(answer);
  expect(body.code).toBe('FORBIDDEN');
  expect(body.error).toBe('Invalid Twilio signature');
  if (details !== undefined) expect(body.details).toBe(details);
}

async function callRow(t: TestApp, callSid: string) {
  return t.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

describe('signatures on the default app (PUBLIC_BASE_URL = the server itself)', () => {
  let t: TestApp;
  let owner: Member;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerOrg(t, 'Signatures');
    const buyer = await createBuyer(owner.client, { phoneNumber: BUYER_NUMBER });
    // RTB on (no targets): a routed call also writes its auction's bid_requests row.
    const campaign = await createCampaign(owner.client, { phoneNumber: CAMPAIGN_NUMBER, enableRtb: true, payout: 10 });
    const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
    expect(assigned.response.status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('a voice webhook signed with the twilio library → 200 TwiML dialling the buyer, and the call is recorded', async () => {
    const before = await callPathCounts(t);
    const params = voiceParams();
    const answer = await postWebhook(t, '/api/webhooks/voice', params);
    expectTwiml(answer);
    expect(answer.text).toContain(`<Number>${BUYER_NUMBER}</Number>`);
    expect(answer.text).toContain(`action="${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=1&amp;route=auto"`);
    // The positive control of the "nothing recorded" checks below: a signed call writes all three.
    expect(await callPathCounts(t)).toEqual({ calls: before.calls + 1, legs: before.legs + 1, bidRequests: before.bidRequests + 1 });
    expect(await callRow(t, params.CallSid!)).toMatchObject({ call_sid: params.CallSid, to_number: CAMPAIGN_NUMBER });
  });

  it.each([
    ['no X-Twilio-Signature', 'none', 'X-Twilio-Signature is required'],
    ['the signature of another token', 'bad', 'X-Twilio-Signature does not match'],
  ] as const)('%s → 403 FORBIDDEN and nothing is recorded', async (_label, signature, details) => {
    const before = await callPathCounts(t);
    const params = voiceParams();
    expectForbidden(await postWebhook(t, '/api/webhooks/voice', params, { signature }), details);
    expect(await callPathCounts(t)).toEqual(before);
    expect(await callRow(t, params.CallSid!)).toBeUndefined();
  });

  it.each([
    ['To changed after signing', { To: UNKNOWN_NUMBER }],
    ['From changed after signing', { From: '+13105559999' }],
    ['a parameter added after signing', { Extra: '1' }],
    ['CallSid changed after signing', { CallSid: newCallSid() }],
  ] as Array<[string, Record<string, string>]>)('the signature of other parameters (%s) → 403 and nothing is recorded', async (_label, change) => {
    const before = await callPathCounts(t);
    const signed = voiceParams();
    const sent: Record<string, string> = { ...signed, ...change };
    const answer = await postWebhook(t, '/api/webhooks/voice', signed, { body: new URLSearchParams(sent).toString() });
    expectForbidden(answer, 'X-Twilio-Signature does not match');
    expect(await callPathCounts(t)).toEqual(before);
    expect(await callRow(t, signed.CallSid!)).toBeUndefined();
    expect(await callRow(t, sent.CallSid!)).toBeUndefined();
  });

  it('a signature over the right parameters but another path → 403', async () => {
    const before = await callPathCounts(t);
    const params = voiceParams();
    const answer = await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: `${t.config.publicBaseUrl}/api/webhooks/status` });
    expectForbidden(answer, 'X-Twilio-Signature does not match');
    expect(await callPathCounts(t)).toEqual(before);
  });

  it('the query string is part of the signed URL: dial-status signed without ?attempt=1&route=auto → 403, with it → 200', async () => {
    const sid = newCallSid();
    expectTwiml(await postWebhook(t, '/api/webhooks/voice', voiceParams(sid)));
    const path = '/api/webhooks/dial-status?attempt=1&route=auto';
    const params = { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '100' };

    expectForbidden(await postWebhook(t, path, params, { signedUrl: `${t.config.publicBaseUrl}/api/webhooks/dial-status` }), 'X-Twilio-Signature does not match');
    // Another query string than the one signed is refused as well.
    expectForbidden(
      await postWebhook(t, path, params, { signedUrl: `${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=2&route=auto` }),
      'X-Twilio-Signature does not match',
    );
    const call = (await callRow(t, sid))!;
    const legsBefore = await t.db.selectFrom('call_legs').select(['attempt', 'dial_status']).where('call_id', '=', call.id).execute();
    expect(legsBefore).toEqual([{ attempt: 1, dial_status: null }]);

    const answer = await postWebhook(t, path, params);
    expectTwiml(answer);
    expect(answer.text).toContain('<Hangup/>');
    const legsAfter = await t.db.selectFrom('call_legs').select(['attempt', 'dial_status', 'dial_duration_sec']).where('call_id', '=', call.id).execute();
    expect(legsAfter).toEqual([{ attempt: 1, dial_status: 'completed', dial_duration_sec: 100 }]);
  });

  it('the signature is checked before the body: an unsigned (or badly signed) invalid body → 403, not 400', async () => {
    const before = await callPathCounts(t);
    const invalid = { CallSid: 'not a sid', CallStatus: 'exploded', CallDuration: 'abc' };
    expectForbidden(await postWebhook(t, '/api/webhooks/voice', { CallSid: 'bad sid' }, { signature: 'none' }), 'X-Twilio-Signature is required');
    expectForbidden(await postWebhook(t, '/api/webhooks/call-status', invalid, { signature: 'none' }), 'X-Twilio-Signature is required');
    expectForbidden(await postWebhook(t, '/api/webhooks/call-status', invalid, { signature: 'bad' }), 'X-Twilio-Signature does not match');
    expectForbidden(await postWebhook(t, '/api/webhooks/dial-status?attempt=0&route=bogus', { CallSid: 'x' }, { signature: 'none' }));
    expectForbidden(await postWebhook(t, '/api/webhooks/flow-step', {}, { signature: 'none' }));
    // Not even the media type is looked at first.
    const json = await postWebhook(t, '/api/webhooks/voice', {}, { signature: 'none', headers: { 'content-type': 'application/json' }, body: '{"CallSid":1}' });
    expectForbidden(json, 'X-Twilio-Signature is required');
    expect(await callPathCounts(t)).toEqual(before);
    // The same invalid body, signed, is a 400 (the control: it is the signature that decided above).
    const signed = await postWebhook(t, '/api/webhooks/call-status', invalid);
    expect(signed.status).toBe(400);
    expect(errorOf(signed).code).toBe('VALIDATION_ERROR');
  });

  describe('every webhook operation requires the signature', () => {
    // Valid bodies (the signed control proves it): only the signature is missing or wrong.
    const ops: Array<{ name: string; path: string; params: (sid: string) => Record<string, string>; signedStatus: number; isVoice?: boolean }> = [
      { name: 'voice', path: '/api/webhooks/voice', params: (sid) => voiceParams(sid), signedStatus: 200, isVoice: true },
      { name: 'pool voice', path: '/api/webhooks/pool/1/voice', params: (sid) => voiceParams(sid), signedStatus: 200, isVoice: true },
      { name: 'call-status', path: '/api/webhooks/call-status', params: (sid) => ({ CallSid: sid, CallStatus: 'completed', CallDuration: '90' }), signedStatus: 204 },
      { name: 'status (deprecated alias)', path: '/api/webhooks/status', params: (sid) => ({ CallSid: sid, CallStatus: 'completed', CallDuration: '90' }), signedStatus: 204 },
      {
        name: 'dial-status',
        path: '/api/webhooks/dial-status?attempt=1&route=auto',
        params: (sid) => ({ CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '80' }),
        signedStatus: 200,
      },
      { name: 'flow-step', path: '/api/webhooks/flow-step?flowId=1&node=start', params: (sid) => ({ CallSid: sid, Digits: '1' }), signedStatus: 200 },
      {
        name: 'voicemail',
        path: '/api/webhooks/voicemail',
        params: (sid) => ({ CallSid: sid, RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', RecordingSid: 'RE1' }),
        signedStatus: 200,
      },
      { name: 'resume', path: '/api/webhooks/resume', params: (sid) => ({ CallSid: sid }), signedStatus: 200 },
    ];

    it.each(ops)('$name: unsigned → 403, another token → 403 (nothing changes); signed → $signedStatus', async (op) => {
      const sid = newCallSid();
      // An existing call for the callbacks to act on (the voice operations create their own).
      if (!op.isVoice) expectTwiml(await postWebhook(t, '/api/webhooks/voice', voiceParams(sid)));
      const rowBefore = await callRow(t, sid);
      const before = await callPathCounts(t);
      const legsOf = async () =>
        rowBefore ? t.db.selectFrom('call_legs').selectAll().where('call_id', '=', rowBefore.id).orderBy('attempt').execute() : [];
      const legsBefore = await legsOf();

      expectForbidden(await postWebhook(t, op.path, op.params(sid), { signature: 'none' }), 'X-Twilio-Signature is required');
      expectForbidden(await postWebhook(t, op.path, op.params(sid), { signature: 'bad' }), 'X-Twilio-Signature does not match');
      expect(await callPathCounts(t)).toEqual(before);
      expect(await callRow(t, sid)).toEqual(rowBefore);
      expect(await legsOf()).toEqual(legsBefore);

      const signed = await postWebhook(t, op.path, op.params(sid));
      expect(signed.status, signed.text).toBe(op.signedStatus);
      if (op.isVoice) expect(await callRow(t, sid)).toBeDefined();
    });
  });
});

describe('behind a proxy: PUBLIC_BASE_URL=https://calls.example.com, the server reached at http://127.0.0.1:<port>', () => {
  let t: TestApp;
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'calls.example.com', 'x-forwarded-for': '198.51.100.7' };

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://calls.example.com' } });
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  afterAll(async () => t?.close());

  it('a signature over the public URL (what Twilio called) → 200', async () => {
    const params = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    const answer = await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: 'https://calls.example.com/api/webhooks/voice', headers: forwarded });
    expectTwiml(answer);
    // An unknown number: the polite message, and the call is still recorded.
    expect(answer.text).toContain('not in service');
    expect(await callRow(t, params.CallSid!)).toMatchObject({ org_id: null, to_number: UNKNOWN_NUMBER });
  });

  it('Twilio signing https://calls.example.com:443/... (the default port written out) → 200', async () => {
    const params = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    const answer = await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: 'https://calls.example.com:443/api/webhooks/voice', headers: forwarded });
    expectTwiml(answer);
    expect(await callRow(t, params.CallSid!)).toBeDefined();
  });

  it('the query string counts behind the proxy too', async () => {
    const answer = await postWebhook(
      t,
      '/api/webhooks/dial-status?attempt=1&route=auto',
      { CallSid: newCallSid(), DialCallStatus: 'busy' },
      { signedUrl: 'https://calls.example.com/api/webhooks/dial-status?attempt=1&route=auto', headers: forwarded },
    );
    // Past the signature: the call is unknown.
    expect(answer.status).toBe(404);
    const unsignedQuery = await postWebhook(
      t,
      '/api/webhooks/dial-status?attempt=1&route=auto',
      { CallSid: newCallSid(), DialCallStatus: 'busy' },
      { signedUrl: 'https://calls.example.com/api/webhooks/dial-status', headers: forwarded },
    );
    expectForbidden(unsignedQuery, 'X-Twilio-Signature does not match');
  });

  it.each([
    ["the server's own view of the URL", (t: TestApp) => `${t.url}/api/webhooks/voice`],
    ['http instead of https', () => 'http://calls.example.com/api/webhooks/voice'],
    ['another host', () => 'https://other.example.com/api/webhooks/voice'],
    ['a non-default port', () => 'https://calls.example.com:8443/api/webhooks/voice'],
  ])('a signature over %s → 403 and nothing is recorded', async (_label, url) => {
    const before = await callPathCounts(t);
    const params = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    expectForbidden(await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: url(t), headers: forwarded }), 'X-Twilio-Signature does not match');
    expect(await callPathCounts(t)).toEqual(before);
  });
});

describe('PUBLIC_BASE_URL with a port: https://calls.example.com:8443', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://calls.example.com:8443' } });
  });
  afterAll(async () => t?.close());

  it('a signature over https://calls.example.com:8443/... → 200', async () => {
    const params = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    expectTwiml(await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: 'https://calls.example.com:8443/api/webhooks/voice' }));
    expect(await callRow(t, params.CallSid!)).toBeDefined();
  });

  it('signed with another port (:443, :9443) → 403; without any port → 200 (validateRequest also tries the URL without its port)', async () => {
    const before = await callPathCounts(t);
    for (const url of ['https://calls.example.com:443/api/webhooks/voice', 'https://calls.example.com:9443/api/webhooks/voice', 'http://calls.example.com:8443/api/webhooks/voice']) {
      expectForbidden(await postWebhook(t, '/api/webhooks/voice', voiceParams(newCallSid(), UNKNOWN_NUMBER), { signedUrl: url }), 'X-Twilio-Signature does not match');
    }
    expect(await callPathCounts(t)).toEqual(before);
    // The twilio library's own rule, not the server's: validateRequest checks removePort(url) as
    // well as addPort(url), so the same scheme and host without any port is accepted too.
    expectTwiml(await postWebhook(t, '/api/webhooks/voice', voiceParams(newCallSid(), UNKNOWN_NUMBER), { signedUrl: 'https://calls.example.com/api/webhooks/voice' }));
  });
});

describe('PUBLIC_BASE_URL with a path prefix: https://example.com/ccp (the proxy strips /ccp)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://example.com/ccp' } });
  });
  afterAll(async () => t?.close());

  it('a signature over https://example.com/ccp/api/webhooks/voice → 200; without the prefix → 403', async () => {
    const params = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    expectTwiml(await postWebhook(t, '/api/webhooks/voice', params, { signedUrl: 'https://example.com/ccp/api/webhooks/voice' }));
    expect(await callRow(t, params.CallSid!)).toBeDefined();
    const other = voiceParams(newCallSid(), UNKNOWN_NUMBER);
    expectForbidden(await postWebhook(t, '/api/webhooks/voice', other, { signedUrl: 'https://example.com/api/webhooks/voice' }), 'X-Twilio-Signature does not match');
    expect(await callRow(t, other.CallSid!)).toBeUndefined();
  });
});

describe('rate limits: webhook_unsigned=3', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMITS: 'general=100000,login=100000,health=100000,dni=100000,rtb=100000,webhook_unsigned=3' } });
  });
  afterAll(async () => t?.close());

  function rateHeaders(answer: WebhookAnswer) {
    return {
      limit: answer.headers.get('x-ratelimit-limit'),
      remaining: answer.headers.get('x-ratelimit-remaining'),
      reset: answer.headers.get('x-ratelimit-reset'),
      retryAfter: answer.headers.get('retry-after'),
    };
  }

  it('3 unsigned → 403 (counted), the 4th → 429 with X-RateLimit headers; 20 signed from the same IP → all 200, never counted', async () => {
    const unsignedVoice = () => postWebhook(t, '/api/webhooks/voice', voiceParams(newCallSid(), UNKNOWN_NUMBER), { signature: 'none' });
    for (const remaining of ['2', '1', '0']) {
      const answer = await unsignedVoice();
      expectForbidden(answer, 'X-Twilio-Signature is required');
      expect(rateHeaders(answer)).toMatchObject({ limit: '3', remaining, retryAfter: null });
    }
    const fourth = await unsignedVoice();
    expect(fourth.status).toBe(429);
    const headers = rateHeaders(fourth);
    expect(headers).toMatchObject({ limit: '3', remaining: '0' });
    const retryAfter = Number(headers.retryAfter);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(Number(headers.reset)).toBeGreaterThanOrEqual(nowSeconds);
    expect(Number(headers.reset)).toBeLessThanOrEqual(nowSeconds + 61);
    expect(errorOf(fourth)).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { limit: 3, retryAfterSeconds: retryAfter } });

    const before = await callPathCounts(t);
    const signed = await Promise.all(Array.from({ length: 20 }, () => postWebhook(t, '/api/webhooks/voice', voiceParams(newCallSid(), UNKNOWN_NUMBER))));
    expect(signed.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
    // Not counted at all: a signed answer carries no rate-limit headers.
    expect(signed.every((a) => a.headers.get('x-ratelimit-limit') === null)).toBe(true);
    expect((await callPathCounts(t)).calls).toBe(before.calls + 20);
    // A signed callback is not limited either.
    const status = await postWebhook(t, '/api/webhooks/call-status', { CallSid: newCallSid(), CallStatus: 'ringing' });
    expect(status.status).toBe(404);

    // The bucket is still exhausted for refused ones, a wrong-token signature included.
    expect((await postWebhook(t, '/api/webhooks/call-status', { CallSid: newCallSid(), CallStatus: 'ringing' }, { signature: 'bad' })).status).toBe(429);
    expect((await unsignedVoice()).status).toBe(429);
    // And a signed one still goes through afterwards.
    expectTwiml(await postWebhook(t, '/api/webhooks/voice', voiceParams(newCallSid(), UNKNOWN_NUMBER)));
  });
});
