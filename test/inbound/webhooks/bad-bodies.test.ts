// Bad webhook bodies that carry a VALID signature (Twilio would never send them, but a signature
// is no licence to write garbage): 400 VALIDATION_ERROR naming the field, and nothing recorded.
// Repeated deliveries of good webhooks (Twilio retries) change nothing the second time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCallSid } from '../calls/db-helpers.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callPathCounts, errorOf, postWebhook, XML_HEAD, type WebhookAnswer } from '../../helpers/twilio-webhook.js';

const CAMPAIGN_NUMBER = '+12125550300';
const BUYER_NUMBER = '+12125550311';
const CALLER = '+13105551234';

let t: TestApp;
let owner: Member;
/** A call answered by the voice webhook (dialled to the buyer, attempt 1), never called back. */
let liveSid: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Bad Bodies');
  const buyer = await createBuyer(owner.client, { phoneNumber: BUYER_NUMBER });
  const campaign = await createCampaign(owner.client, { phoneNumber: CAMPAIGN_NUMBER, enableRtb: false, payout: 12.5, minCallDurationSec: 30 });
  const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
  expect(assigned.response.status).toBe(201);
  liveSid = newCallSid();
  const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: liveSid, To: CAMPAIGN_NUMBER, From: CALLER });
  expect(answer.status).toBe(200);
  expect(answer.text).toContain(`<Number>${BUYER_NUMBER}</Number>`);
});
afterAll(async () => t?.close());

async function callRow(callSid: string) {
  return t.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

async function legsOf(callSid: string) {
  const call = await callRow(callSid);
  if (!call) return [];
  return t.db.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).orderBy('attempt').execute();
}

/** Everything the call path could have written: counts, and the live call's row and legs. */
async function snapshot() {
  return { counts: await callPathCounts(t), live: await callRow(liveSid), liveLegs: await legsOf(liveSid) };
}

function expectValidationError(answer: WebhookAnswer, field: string): void {
  expect(answer.status, answer.text).toBe(400);
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = errorOf(answer);
  expect(body.code).toBe('VALIDATION_ERROR');
  expect(body.details, answer.text).toBeTypeOf('object');
  expect(Object.keys(body.details as Record<string, string>), answer.text).toContain(field);
}

interface BadCase {
  label: string;
  path: string;
  params: () => Record<string, string>;
  field: string;
}

const voice = (extra: Record<string, string> = {}) => ({ CallSid: newCallSid(), To: CAMPAIGN_NUMBER, From: CALLER, ...extra });
const status = (extra: Record<string, string>) => ({ CallSid: liveSid, CallStatus: 'completed', CallDuration: '60', ...extra });
const dial = (extra: Record<string, string>) => ({ CallSid: liveSid, DialCallStatus: 'completed', DialCallDuration: '60', ...extra });
const DIAL = '/api/webhooks/dial-status?attempt=1&route=auto';

const badCases: BadCase[] = [
  {
    label: 'voice without CallSid',
    path: '/api/webhooks/voice',
    params: () => {
      const { CallSid: _omitted, ...rest } = voice();
      return rest;
    },
    field: 'CallSid',
  },
  { label: 'voice without To', path: '/api/webhooks/voice', params: () => ({ CallSid: newCallSid(), From: CALLER }), field: 'To' },
  { label: 'voice with an empty To', path: '/api/webhooks/voice', params: () => voice({ To: '' }), field: 'To' },
  { label: 'pool voice without To', path: '/api/webhooks/pool/1/voice', params: () => ({ CallSid: newCallSid() }), field: 'To' },
  { label: 'voice: CallSid with spaces', path: '/api/webhooks/voice', params: () => voice({ CallSid: 'CA 1234 5678' }), field: 'CallSid' },
  { label: 'voice: CallSid too long (65)', path: '/api/webhooks/voice', params: () => voice({ CallSid: `CA${'a'.repeat(63)}` }), field: 'CallSid' },
  { label: 'voice: CallSid of punctuation', path: '/api/webhooks/voice', params: () => voice({ CallSid: "CA1'; DROP TABLE calls;--" }), field: 'CallSid' },
  { label: 'call-status without CallSid', path: '/api/webhooks/call-status', params: () => ({ CallStatus: 'completed' }), field: 'CallSid' },
  { label: 'call-status: CallSid with spaces', path: '/api/webhooks/call-status', params: () => status({ CallSid: `${liveSid} ` }), field: 'CallSid' },
  { label: 'call-status: CallStatus not in the enum', path: '/api/webhooks/call-status', params: () => status({ CallStatus: 'exploded' }), field: 'CallStatus' },
  { label: 'call-status without CallStatus', path: '/api/webhooks/call-status', params: () => ({ CallSid: liveSid }), field: 'CallStatus' },
  { label: "status (alias): CallStatus 'Completed'", path: '/api/webhooks/status', params: () => status({ CallStatus: 'Completed' }), field: 'CallStatus' },
  { label: "call-status: CallDuration 'abc'", path: '/api/webhooks/call-status', params: () => status({ CallDuration: 'abc' }), field: 'CallDuration' },
  { label: "call-status: CallDuration '-1'", path: '/api/webhooks/call-status', params: () => status({ CallDuration: '-1' }), field: 'CallDuration' },
  { label: "call-status: CallDuration '1.5'", path: '/api/webhooks/call-status', params: () => status({ CallDuration: '1.5' }), field: 'CallDuration' },
  { label: 'call-status: CallDuration of 10 digits', path: '/api/webhooks/call-status', params: () => status({ CallDuration: '1234567890' }), field: 'CallDuration' },
  { label: "status (alias): CallDuration '-1'", path: '/api/webhooks/status', params: () => status({ CallDuration: '-1' }), field: 'CallDuration' },
  { label: "call-status: SequenceNumber 'x'", path: '/api/webhooks/call-status', params: () => status({ SequenceNumber: 'x' }), field: 'SequenceNumber' },
  { label: 'dial-status: DialCallStatus unknown', path: DIAL, params: () => dial({ DialCallStatus: 'unknown' }), field: 'DialCallStatus' },
  { label: 'dial-status without DialCallStatus', path: DIAL, params: () => ({ CallSid: liveSid }), field: 'DialCallStatus' },
  { label: "dial-status: DialCallDuration 'x'", path: DIAL, params: () => dial({ DialCallDuration: 'x' }), field: 'DialCallDuration' },
  { label: "dial-status: DialCallDuration '-5'", path: DIAL, params: () => dial({ DialCallDuration: '-5' }), field: 'DialCallDuration' },
  { label: 'dial-status: attempt=0 in the query', path: '/api/webhooks/dial-status?attempt=0&route=auto', params: () => dial({}), field: 'attempt' },
  { label: 'dial-status: attempt=abc in the query', path: '/api/webhooks/dial-status?attempt=abc&route=auto', params: () => dial({}), field: 'attempt' },
  { label: 'dial-status: attempt=101 in the query', path: '/api/webhooks/dial-status?attempt=101&route=auto', params: () => dial({}), field: 'attempt' },
  { label: 'dial-status: route=bogus in the query', path: '/api/webhooks/dial-status?attempt=1&route=bogus', params: () => dial({}), field: 'route' },
  { label: 'dial-status: next with a bad character', path: '/api/webhooks/dial-status?attempt=1&route=auto&flowId=1&next=a%20b', params: () => dial({}), field: 'next' },
  { label: 'flow-step without flowId', path: '/api/webhooks/flow-step?node=start', params: () => ({ CallSid: liveSid }), field: 'flowId' },
  { label: 'flow-step without node', path: '/api/webhooks/flow-step?flowId=1', params: () => ({ CallSid: liveSid }), field: 'node' },
  { label: "flow-step: node with a bad character ('$')", path: '/api/webhooks/flow-step?flowId=1&node=start%24', params: () => ({ CallSid: liveSid }), field: 'node' },
  { label: "flow-step: node with a bad character ('/')", path: '/api/webhooks/flow-step?flowId=1&node=a%2Fb', params: () => ({ CallSid: liveSid }), field: 'node' },
  { label: 'flow-step: flowId=0', path: '/api/webhooks/flow-step?flowId=0&node=start', params: () => ({ CallSid: liveSid }), field: 'flowId' },
  { label: "flow-step: Digits 'abc'", path: '/api/webhooks/flow-step?flowId=1&node=start&gather=1', params: () => ({ CallSid: liveSid, Digits: 'abc' }), field: 'Digits' },
  { label: 'flow-step without CallSid', path: '/api/webhooks/flow-step?flowId=1&node=start', params: () => ({ Digits: '1' }), field: 'CallSid' },
  { label: 'voicemail without CallSid', path: '/api/webhooks/voicemail', params: () => ({ RecordingUrl: 'https://example.com/r' }), field: 'CallSid' },
  {
    label: 'voicemail: RecordingUrl too long',
    path: '/api/webhooks/voicemail',
    params: () => ({ CallSid: liveSid, RecordingUrl: `https://example.com/${'r'.repeat(2048)}` }),
    field: 'RecordingUrl',
  },
  { label: "resume: Digits '12a'", path: '/api/webhooks/resume', params: () => ({ CallSid: liveSid, Digits: '12a' }), field: 'Digits' },
  { label: 'voice: a NUL character in From', path: '/api/webhooks/voice', params: () => voice({ From: '+1310\u00005551234' }), field: 'From' },
  { label: 'voice: a NUL character in To', path: '/api/webhooks/voice', params: () => voice({ To: `${CAMPAIGN_NUMBER}\u0000` }), field: 'To' },
  { label: 'call-status: a NUL character in Timestamp', path: '/api/webhooks/call-status', params: () => status({ Timestamp: 'Mon, 04 Aug 2025\u0000' }), field: 'Timestamp' },
  { label: 'voicemail: a NUL character in RecordingUrl', path: '/api/webhooks/voicemail', params: () => ({ CallSid: liveSid, RecordingUrl: 'https://example.com/\u0000' }), field: 'RecordingUrl' },
];

describe('signed webhooks with bad bodies → 400 VALIDATION_ERROR naming the field, nothing recorded', () => {
  it.each(badCases)('$label → 400 naming $field', async ({ path, params, field }) => {
    const before = await snapshot();
    const sent = params();
    expectValidationError(await postWebhook(t, path, sent), field);
    expect(await snapshot()).toEqual(before);
    if (sent.CallSid && sent.CallSid !== liveSid) expect(await callRow(sent.CallSid)).toBeUndefined();
  });

  it('a JSON body (application/json) instead of a form → 400, signed over the same parameters', async () => {
    const before = await snapshot();
    for (const [path, params] of [
      ['/api/webhooks/voice', voice()],
      ['/api/webhooks/call-status', status({})],
      [DIAL, dial({})],
    ] as const) {
      const answer = await postWebhook(t, path, params, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      expect(answer.status, answer.text).toBe(400);
      expect(errorOf(answer).code).toBe('VALIDATION_ERROR');
      expect(Object.keys(errorOf(answer).details as Record<string, string>)).toEqual(['content-type']);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a repeated form parameter (To twice), signed as Twilio would sign it → 400 naming To', async () => {
    const before = await snapshot();
    const sid = newCallSid();
    const signedParams = { CallSid: sid, To: [CAMPAIGN_NUMBER, '+12125550399'], From: CALLER } as unknown as Record<string, string>;
    const body = new URLSearchParams([
      ['CallSid', sid],
      ['To', CAMPAIGN_NUMBER],
      ['To', '+12125550399'],
      ['From', CALLER],
    ]).toString();
    expectValidationError(await postWebhook(t, '/api/webhooks/voice', signedParams, { body }), 'To');
    expect(await snapshot()).toEqual(before);
    expect(await callRow(sid)).toBeUndefined();
  });

  it('a text/plain body → 400 (only forms are accepted)', async () => {
    const before = await snapshot();
    const answer = await postWebhook(t, '/api/webhooks/voice', {}, { headers: { 'content-type': 'text/plain' }, body: new URLSearchParams(voice()).toString() });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer).code).toBe('VALIDATION_ERROR');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['/api/webhooks/voice'],
    ['/api/webhooks/call-status'],
    ['/api/webhooks/dial-status?attempt=1&route=auto'],
    ['/api/webhooks/resume'],
  ])('an empty form body on %s → 400 (signed over no parameters)', async (path) => {
    const before = await snapshot();
    const answer = await postWebhook(t, path, {}, { body: '' });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer).code).toBe('VALIDATION_ERROR');
    expect(await snapshot()).toEqual(before);
  });

  it('an empty body without any content type → 400', async () => {
    const before = await snapshot();
    const answer = await postWebhook(t, '/api/webhooks/voice', {}, { body: '', headers: { 'content-type': '' } });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer).code).toBe('VALIDATION_ERROR');
    expect(await snapshot()).toEqual(before);
  });

  it('the live call is still untouched by all of the above', async () => {
    const legs = await legsOf(liveSid);
    expect(legs.map((l) => [l.attempt, l.dial_status, l.ended_at])).toEqual([[1, null, null]]);
    expect(await callRow(liveSid)).toMatchObject({ status: 'queued', revenue: null, voicemail_url: null, duration_sec: null });
  });
});

describe('repeated deliveries (Twilio retries)', () => {
  it('the same voice webhook delivered 3 times → one calls row, one leg, the same TwiML each time', async () => {
    const params = voice();
    const before = await callPathCounts(t);
    const answers: WebhookAnswer[] = [];
    for (let i = 0; i < 3; i += 1) answers.push(await postWebhook(t, '/api/webhooks/voice', params));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[0]!.text).toBe(
      `${XML_HEAD}<Response><Dial action="${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=1&amp;route=auto" method="POST" timeout="30"><Number>${BUYER_NUMBER}</Number></Dial></Response>`,
    );
    expect(answers[1]!.text).toBe(answers[0]!.text);
    expect(answers[2]!.text).toBe(answers[0]!.text);
    expect(await callPathCounts(t)).toEqual({ ...before, calls: before.calls + 1, legs: before.legs + 1 });
    expect(await t.db.selectFrom('calls').select('id').where('call_sid', '=', params.CallSid).execute()).toHaveLength(1);
    expect(await legsOf(params.CallSid)).toHaveLength(1);
  });

  it('the same voice webhook delivered 3 times at once → still one row, one leg, one TwiML', async () => {
    const params = voice();
    const before = await callPathCounts(t);
    const answers = await Promise.all([0, 1, 2].map(() => postWebhook(t, '/api/webhooks/voice', params)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.text).toContain(`<Number>${BUYER_NUMBER}</Number>`);
    expect(await callPathCounts(t)).toEqual({ ...before, calls: before.calls + 1, legs: before.legs + 1 });
  });

  it('the same dial and status callbacks 3 times each → one state, revenue counted once (revenue_qualified_at kept)', async () => {
    const sid = newCallSid();
    expect((await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: CAMPAIGN_NUMBER, From: CALLER })).status).toBe(200);
    const dialParams = { CallSid: sid, DialCallStatus: 'completed', DialCallSid: newCallSid(), DialCallDuration: '100' };
    const statusParams = { CallSid: sid, CallStatus: 'completed', CallDuration: '110' };

    const firstDial = await postWebhook(t, DIAL, dialParams);
    expect(firstDial.text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
    const afterDial = await callRow(sid);
    expect(afterDial).toMatchObject({ revenue: '12.5000', revenue_attempt: 1, connected_duration_sec: 100 });
    expect(afterDial!.revenue_qualified_at).not.toBeNull();

    expect((await postWebhook(t, '/api/webhooks/call-status', statusParams)).status).toBe(204);
    const settled = await callRow(sid);
    const settledLegs = await legsOf(sid);
    expect(settled).toMatchObject({ status: 'completed', duration_sec: 110, connected_duration_sec: 100, revenue: '12.5000', revenue_attempt: 1 });
    expect(settled!.revenue_qualified_at).toEqual(afterDial!.revenue_qualified_at);
    expect(settled!.ended_at).not.toBeNull();
    expect(settledLegs.map((l) => [l.attempt, l.dial_status, l.dial_duration_sec, l.ended_at !== null])).toEqual([[1, 'completed', 100, true]]);

    for (let i = 0; i < 2; i += 1) {
      expect((await postWebhook(t, '/api/webhooks/call-status', statusParams)).status).toBe(204);
      expect((await postWebhook(t, '/api/webhooks/status', statusParams)).status).toBe(204);
      expect((await postWebhook(t, DIAL, dialParams)).text).toBe(firstDial.text);
    }
    // Nothing changed at all: not the revenue, not when it qualified, not even updated_at.
    expect(await callRow(sid)).toEqual(settled);
    expect(await legsOf(sid)).toEqual(settledLegs);

    const { data, response } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(settled!.id) } } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: 'completed', duration: 110, connectedDuration: 100, revenue: 12.5, countedRevenue: 12.5 });
    expect(data!.legs.map((l) => [l.attempt, l.dialStatus, l.dialDuration])).toEqual([[1, 'completed', 100]]);
  });

  describe('callbacks on a call to an unknown number (recorded without an organisation)', () => {
    // The voice webhook records such a call (polite message, org_id NULL, no leg): its status
    // callbacks are kept (204); a dial-status (we never dialled anyone) is 404 and changes nothing.
    async function orglessCall() {
      const sid = newCallSid();
      const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: '+12125550398', From: CALLER });
      expect(answer.text).toContain('not in service');
      const row = await callRow(sid);
      expect(row).toMatchObject({ org_id: null, status: 'queued', duration_sec: null, connected_duration_sec: 0 });
      return { sid, row: row! };
    }

    it('a dial-status for it (no <Dial> was ever answered) → 404 and the call is unchanged', async () => {
      const { sid, row } = await orglessCall();
      const answer = await postWebhook(t, DIAL, { CallSid: sid, DialCallStatus: 'completed', DialCallDuration: '40' });
      expect(answer.status, answer.text).toBe(404);
      expect(await legsOf(sid)).toEqual([]);
      const after = (await callRow(sid))!;
      // Nobody was connected: no connected seconds may appear on it (the 404 must mean "nothing done").
      expect({ connected: after.connected_duration_sec, status: after.status, updatedAt: after.updated_at }).toEqual({
        connected: 0,
        status: 'queued',
        updatedAt: row.updated_at,
      });
      expect(after).toEqual(row);
    });

    it.each([['/api/webhooks/call-status'], ['/api/webhooks/status']])(
      'a status callback on %s → 204 and its status is kept (it never says 404 after changing the call)',
      async (path) => {
        const { sid } = await orglessCall();
        const answer = await postWebhook(t, path, { CallSid: sid, CallStatus: 'completed', CallDuration: '33' });
        expect(answer.status, answer.text).toBe(204);
        expect(await callRow(sid)).toMatchObject({ org_id: null, status: 'completed', duration_sec: 33, revenue: null, revenue_qualified_at: null });
        expect(await legsOf(sid)).toEqual([]);
        // A retry changes nothing further.
        const settled = await callRow(sid);
        expect((await postWebhook(t, path, { CallSid: sid, CallStatus: 'completed', CallDuration: '33' })).status).toBe(204);
        expect(await callRow(sid)).toEqual(settled);
      },
    );
  });

  it.each([
    ['/api/webhooks/call-status', { CallStatus: 'completed', CallDuration: '30' }],
    ['/api/webhooks/status', { CallStatus: 'ringing' }],
    ['/api/webhooks/dial-status?attempt=1&route=auto', { DialCallStatus: 'completed', DialCallDuration: '30' }],
    ['/api/webhooks/voicemail', { RecordingUrl: 'https://example.com/r' }],
    ['/api/webhooks/resume', {}],
    ['/api/webhooks/flow-step?flowId=1&node=start', {}],
  ])('a callback on %s for an unknown CallSid → 404, and no row is created', async (path, extra) => {
    const before = await callPathCounts(t);
    const sid = newCallSid();
    const answer = await postWebhook(t, path, { CallSid: sid, ...extra });
    expect(answer.status, answer.text).toBe(404);
    expect(errorOf(answer).code).toBe('RESOURCE_NOT_FOUND');
    expect(await callPathCounts(t)).toEqual(before);
    expect(await callRow(sid)).toBeUndefined();
  });
});
