// The demo organisation a first start seeds pays for a call: a simulated call to the demo
// campaign's number (what the banner prints) shows revenue on the call and in the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../client/index.js';
import { DEMO_CAMPAIGN_NUMBER, seedDemo } from '../../server/demo/seed-demo.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const EMAIL = 'demo-owner@example.com';
const PASSWORD = 'demo-password-123';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const seeded = await seedDemo(t.db, EMAIL, PASSWORD);
  expect(seeded.created).toBe(true);
});
afterAll(async () => t.close());

describe('the demo organisation', () => {
  it('pays for a simulated call to the demo campaign, on the call and in call-analytics', async () => {
    const api = createClient({ baseUrl: t.url, cookieJar: true });
    expect((await api.POST('/api/login', { body: { email: EMAIL, password: PASSWORD } })).response.status).toBe(200);
    const placed = await api.POST('/api/simulator/calls', { body: { to: DEMO_CAMPAIGN_NUMBER, outcome: 'answered', durationSec: 90, timeScale: 0 } });
    expect(placed.response.status).toBe(201);
    const calls = await api.GET('/api/calls', { params: { query: { limit: 1 } } });
    expect(calls.data?.calls[0]).toMatchObject({ status: 'completed', revenue: 25, source: 'simulator' });
    const report = await api.GET('/api/reports/call-analytics', { params: { query: { groupBy: 'campaign' } } });
    expect(report.data?.summary).toMatchObject({ totalCalls: 1, totalRevenue: 25 });
  });
});
