// A campaign or call flow deleted (by another instance, or while this one routes) after the voice
// webhook read the dialled number's configuration: recording the call against the deleted row was
// refused by its foreign key, and the caller got a 500 (Twilio's "application error"). The
// configuration is now read afresh and the call answered as it stands.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { XML_HEAD } from '../../helpers/twilio-webhook.js';
import { buyerCampaign, callRow, callSid, dialXml, FLOW, voice } from './helpers.js';

// The cached configuration outlives the deletion for the whole test (as on another instance for up
// to its TTL), whatever the machine's speed.
vi.mock('../../../server/inbound/webhooks/route-cache.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/inbound/webhooks/route-cache.js')>();
  return { ...real, createRouteCache: (_ttl?: number, options?: Parameters<typeof real.createRouteCache>[1]) => real.createRouteCache(600_000, options) };
});

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Deleted Config Org');
});
afterAll(async () => t.close());

const NOT_IN_SERVICE = `${XML_HEAD}<Response><Say>Sorry, the number you have dialled is not in service. Goodbye.</Say><Hangup/></Response>`;

describe('configuration deleted after the voice webhook cached it', () => {
  it("the campaign deleted: the call is answered as the number now stands (not in service) and recorded, not a 500", async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550901' }]);
    expect((await voice(t, callSid(), campaign.phoneNumber!)).status).toBe(200);
    await t.db.deleteFrom('campaigns').where('id', '=', campaign.id).execute();

    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(NOT_IN_SERVICE);
    expect(await callRow(t, sid)).toMatchObject({ campaign_id: null, org_id: null });
  });

  it("the campaign's flow deleted: the call is routed to the campaign's buyers, not a 500", async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550902' }]);
    const flow = await owner.client.POST('/api/call-flows', { body: { name: 'IVR', status: 'active', campaignId: campaign.id, flowDefinition: FLOW as never } });
    expect(flow.response.status).toBe(201);
    expect((await voice(t, callSid(), campaign.phoneNumber!)).status).toBe(200);
    await t.db.deleteFrom('call_flows').where('id', '=', flow.data!.id).execute();

    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(dialXml(t, '+13125550902', 1));
    expect(await callRow(t, sid)).toMatchObject({ campaign_id: campaign.id, flow_id: null, org_id: owner.orgId });
  });
});
