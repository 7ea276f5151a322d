// AI outbound calls end to end on the simulator: the server's own worker (AI_CALL_INTERVAL_MS)
// places due calls through the telephony port; the simulated carrier plays Twilio's part through
// our signed webhooks (status, answer), 200 times faster than real time. The agent's side of the
// conversation (ConversationRelay) is not played here: the checks are on the TwiML the carrier got
// and on the statuses, durations, call records and retries.
import { SIMULATED_CALLER_SCRIPT } from '../../../server/simulator/relay-caller.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daytimeZone } from '../../dialer/zones.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { assignNumber, createAiAgent } from './helpers.js';

let t: TestApp;
let owner: Member;
let agentId: string;
let callerId: string;
const logLines: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '100', SIMULATOR_SPEEDUP: '200' }, logLines });
  owner = await registerOrg(t, 'AI Sim Org');
  agentId = await createAiAgent(t, owner.orgId, {
    retryPolicy: {
      no_answer: { maxAttempts: 2, initialDelaySec: 3600, backoffMultiplier: 1 },
      busy: { maxAttempts: 2, initialDelaySec: 1800, backoffMultiplier: 1 },
      failed: null,
      voicemail: null,
    },
  });
  callerId = await assignNumber(t, owner, agentId);
});
afterAll(async () => t?.close());

describe('AI outbound calls on the simulator', () => {
  it('each outcome settles once: a person talks to the agent (completed), busy and no answer retried by policy, failed not', async () => {
    const zone = daytimeZone();
    const ids: Record<string, string> = {};
    for (const [key, toPhone] of [
      ['person', '+14155550110'],
      ['busy', '+14155550001'],
      ['noAnswer', '+14155550002'],
      ['failed', '+14155550003'],
    ] as const) {
      const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone, agentId, timezone: zone, context: `Sim ${key}` } });
      expect(res.response.status).toBe(201);
      ids[key] = res.data!.id;
    }
    const get = async (id: string) => (await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id } } })).data!;
    const final = new Set(['completed', 'busy', 'no-answer', 'failed']);
    for (const id of Object.values(ids)) await waitFor(`call ${id} to end`, () => get(id), (c) => final.has(c.status), 30_000);

    const person = await get(ids.person!);
    // The simulator hands the answered call to the agent over ConversationRelay and plays its
    // scripted caller through the real WebSocket: the call lasts as long as that conversation.
    expect(person).toMatchObject({ status: 'completed', agentVersion: 1, failureReason: null, metadata: { callerId } });
    expect(person.duration).toBeGreaterThanOrEqual(0);
    expect((person.transcript ?? []).filter((turn) => turn.role === 'user').map((turn) => turn.content)).toEqual([...SIMULATED_CALLER_SCRIPT]);
    expect(person.callId).not.toBeNull();
    const record = await t.db.selectFrom('calls').selectAll().where('id', '=', person.callId!).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ direction: 'outbound', ai_agent_id: agentId, ai_agent_version: 1, status: 'completed', from_number: callerId, to_number: '+14155550110', source: 'simulator' });
    // What the carrier was answered: the call handed to the agent over ConversationRelay.
    expect(record.call_sid).toMatch(/^CA/);

    expect(await get(ids.busy!)).toMatchObject({ status: 'busy', failureReason: 'busy', callId: null });
    expect(await get(ids.noAnswer!)).toMatchObject({ status: 'no-answer', failureReason: 'no_answer' });
    expect(await get(ids.failed!)).toMatchObject({ status: 'failed', failureReason: 'failed' });

    const retries = (await owner.client.GET('/api/outbound-calls/retries')).data!.retries;
    expect(retries.map((r) => [r.originalCallId, r.retryAttempt, r.failureReason]).sort()).toEqual(
      [
        [ids.busy, 2, 'busy'],
        [ids.noAnswer, 2, 'no_answer'],
      ].sort(),
    );
    const busyRetry = retries.find((r) => r.originalCallId === ids.busy)!;
    expect(new Date(busyRetry.nextRetryAt).getTime() - Date.now()).toBeGreaterThan(1700_000);
    const stats = (await owner.client.GET('/api/ai-schedules/stats')).data!;
    expect(stats.queue).toEqual({ waiting: 2, active: 0, completed: 1, failed: 3 });
  });

  it('the carrier was answered with the agent over ConversationRelay (the simulated carrier\'s own record of the step)', async () => {
    const steps = logLines.filter((line) => line.includes('simulated outbound call step') && line.includes('/api/webhooks/ai/outbound/answer'));
    expect(steps.length).toBeGreaterThanOrEqual(1);
    const step = JSON.parse(steps[0]!) as { step: { status: number; answer: string[] } };
    expect(step.step).toMatchObject({ status: 200, answer: [expect.stringMatching(/^ConversationRelay ws:\/\/127\.0\.0\.1:\d+\/api\/ai\/relay$/)] });
    const statusSteps = logLines.filter((line) => line.includes('simulated outbound call step') && line.includes('/api/webhooks/ai/outbound/status'));
    expect(statusSteps.filter((line) => (JSON.parse(line) as { step: { status: number } }).step.status !== 204)).toEqual([]);
  });
});
