// Live events in headless Chromium with the stock Socket.IO browser client (served by our server
// at /socket.io/socket.io.js): a page of the API's origin connects with the session cookie alone
// (no token), a simulated inbound call is placed through the API, and the page sees its
// call_started then call_ended, in order, each valid against asyncapi.yaml.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, registerOrg, type Member } from '../helpers/fixtures.js';
import { liveEventViolations } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { buyerCampaign } from '../inbound/webhooks/helpers.js';
import { CHROMIUM_PATH } from './chromium.js';

let t: TestApp;
let owner: Member;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Browser Live Org');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('the stock browser client, authenticated by the session cookie, sees a simulated call start and end', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Log in from the page itself: the session cookie lands in the browser as for a person.
  await page.goto(`${t.url}/health/live`);
  const status = await page.evaluate(async ([email, password]) => {
    const res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return res.status;
  }, [owner.email, PASSWORD] as const);
  expect(status).toBe(200);
  await page.addScriptTag({ url: `${t.url}/socket.io/socket.io.js` });
  const connectedOk = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const w = globalThis as unknown as { io: (opts?: object) => { on: Function; onAny: Function }; liveEvents: Array<[string, unknown]> };
        w.liveEvents = [];
        const socket = w.io({ transports: ['websocket'] });
        socket.onAny((name: string, payload: unknown) => w.liveEvents.push([name, payload]));
        socket.on('connect', () => resolve(true));
        socket.on('connect_error', () => resolve(false));
      }),
  );
  expect(connectedOk).toBe(true);

  const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550311', payout: 10 }]);
  const placed = await owner.client.POST('/api/simulator/calls', { body: { to: campaign.phoneNumber!, outcome: 'answered', durationSec: 30, timeScale: 0 } });
  expect(placed.response.status).toBe(201);
  const callId = placed.data!.callId;

  await page.waitForFunction((id) => (globalThis as unknown as { liveEvents: Array<[string, { callId?: number }]> }).liveEvents.some(([n, p]) => n === 'call_ended' && p.callId === id), callId, { timeout: 10_000 });
  const events = await page.evaluate(() => (globalThis as unknown as { liveEvents: Array<[string, Record<string, unknown>]> }).liveEvents);
  const ofCall = events.filter(([, p]) => p.callId === callId);
  expect(ofCall.map(([n]) => n)).toEqual(['call_started', 'call_ended']);
  expect(ofCall[0]![1]).toMatchObject({ direction: 'inbound', campaignId: campaign.id });
  expect(ofCall[1]![1]).toMatchObject({ direction: 'inbound', outcome: 'completed' });
  for (const [name, payload] of events) expect(liveEventViolations(name, payload)).toEqual([]);
  await context.close();
});
