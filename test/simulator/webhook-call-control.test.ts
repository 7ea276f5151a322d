// Call control on calls that reached our voice webhook under the simulator (issue 13.4): the
// simulated carrier knows every such call from the database — no registration — on every
// instance and after a restart; it follows Twilio's rules (a <Dial><Number> bridge parks on hold
// and cannot be muted), and a call that has ended can no longer be controlled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseCallStore } from '../../server/simulator/call-store.js';
import { createSimulatorTelephony } from '../../server/telephony/simulator/simulator.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { buyerCampaign, callRow, callSid, callStatus, voice } from '../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Webhook Control Org');
  other = await registerOrg(t, 'Other Webhook Control Org');
});
afterAll(async () => t.close());

async function simState(app: TestApp, sid: string) {
  return app.db.selectFrom('simulator_calls').selectAll().where('call_sid', '=', sid).executeTakeFirst();
}

describe('call control on a call that reached /api/webhooks/voice (simulator)', () => {
  it('transfer, hold, resume and recordings work; mute is refused as Twilio refuses it; the record says source simulator', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550401' }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    expect(await callRow(t, sid)).toMatchObject({ source: 'simulator' });
    const path = { params: { path: { callSid: sid } } };

    const hold = await owner.client.POST('/api/calls/{callSid}/hold', path);
    expect(hold.response.status).toBe(200);
    expect(hold.data).toEqual({ callSid: sid, action: 'hold', via: 'call_update', recordingSid: null, simulated: true });
    expect(await simState(t, sid)).toMatchObject({ on_hold: true, bridged_to: null, ended: false });

    const resume = await owner.client.POST('/api/calls/{callSid}/resume', path);
    expect(resume.data).toMatchObject({ action: 'resume', via: 'call_update' });
    expect(await simState(t, sid)).toMatchObject({ on_hold: false, redirected_to: `${t.config.publicBaseUrl}/api/webhooks/resume` });

    const transfer = await owner.client.POST('/api/calls/{callSid}/transfer', { ...path, body: { targetNumber: '+13125559999' } });
    expect(transfer.response.status).toBe(200);
    expect(await simState(t, sid)).toMatchObject({ bridged_to: '+13125559999' });

    const mute = await owner.client.POST('/api/calls/{callSid}/mute', path);
    expect(mute.response.status).toBe(409);

    const start = await owner.client.POST('/api/calls/{callSid}/recording/start', path);
    expect(start.response.status).toBe(200);
    expect(start.data!.recordingSid).toMatch(/^REsim[0-9a-f]{29}$/);
    const stop = await owner.client.POST('/api/calls/{callSid}/recording/stop', path);
    expect(stop.data).toMatchObject({ action: 'recording_stop', recordingSid: start.data!.recordingSid });
  });

  it('another simulator over the same database knows the call and its open <Dial> leg, without any registration', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550402' }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    expect(await simState(t, sid)).toBeUndefined();
    // A second instance's carrier: nothing in its memory, the call found in the database.
    const instance2 = createSimulatorTelephony({ calls: createDatabaseCallStore(t.db) });
    expect(await instance2.holdCall(sid)).toEqual({ via: 'call_update' });
    expect(instance2.actions().at(-1)).toMatchObject({ operation: 'hold', callSid: sid, details: { via: 'call_update', droppedLeg: '+13125550402' } });
    expect(await simState(t, sid)).toMatchObject({ on_hold: true, bridged_to: null });
    // ... and the first instance sees what the second one did.
    const resumed = await owner.client.POST('/api/calls/{callSid}/resume', { params: { path: { callSid: sid } } });
    expect(resumed.response.status).toBe(200);
    expect(await simState(t, sid)).toMatchObject({ on_hold: false });
    await expect(instance2.holdCall('CA00000000000000000000000000000000')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('keeps the call across a restart: a recording started before it is stopped after it', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550403' }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    const path = { params: { path: { callSid: sid } } };
    const start = await owner.client.POST('/api/calls/{callSid}/recording/start', path);
    expect(start.response.status).toBe(200);
    t = await t.restart();
    const client = t.client();
    expect((await client.POST('/api/login', { body: { email: owner.email, password: 'correct-horse-battery' } })).response.status).toBe(200);
    owner = { ...owner, client };
    other = { ...other, client: t.client() };
    expect((await other.client.POST('/api/login', { body: { email: other.email, password: 'correct-horse-battery' } })).response.status).toBe(200);
    const stop = await client.POST('/api/calls/{callSid}/recording/stop', { ...path, body: { recordingSid: start.data!.recordingSid! } });
    expect(stop.response.status).toBe(200);
    expect((await simState(t, sid))!.recordings).toEqual([{ sid: start.data!.recordingSid, status: 'stopped' }]);
    // Stopped already: the carrier says so (409), after the restart too.
    expect((await client.POST('/api/calls/{callSid}/recording/stop', { ...path, body: { recordingSid: start.data!.recordingSid! } })).response.status).toBe(409);
  });

  it('refuses control once the status callback ended the call (409), and another organisation gets 404', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550404' }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    const path = { params: { path: { callSid: sid } } };
    expect((await other.client.POST('/api/calls/{callSid}/hold', path)).response.status).toBe(404);
    expect(await simState(t, sid)).toBeUndefined();
    expect((await callStatus(t, sid, 'completed', 30)).status).toBe(204);
    expect((await owner.client.POST('/api/calls/{callSid}/hold', path)).response.status).toBe(409);
  });
});
