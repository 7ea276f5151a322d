// A JSON body nested 20,000 levels deep used to overflow the stack after parsing and answer 500
// with a stack trace. The depth is now bounded (MAX_JSON_DEPTH) before anything recursive runs:
// every endpoint answers 400 in the API's error format naming the problem, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../../server/platform/http/json-depth.js';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let rtbId: string;

const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Deep JSON');
  const campaign = await createCampaign(owner.client);
  rtbId = campaign.rtbId;
});

afterAll(async () => {
  await t?.close();
});

describe('the depth check (no recursion)', () => {
  it('counts nesting outside strings only, and handles escapes', () => {
    expect(jsonDepthExceeds(deepArray(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(deepArray(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ s: '['.repeat(1000) }), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: '\\"' + '{'.repeat(1000) }), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(deepObject(20_000), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('a 20,000-level JSON body', () => {
  const endpoints = (): Array<[string, string]> => [
    ['login', '/api/login'],
    ['legacy login', '/api/auth/login'],
    ['registration', '/api/auth/register'],
    ['DNI track', '/api/dni/track'],
    ['RedTrack session', '/api/tracking/redtrack/session'],
    ['inbound bid', `/api/rtb/bid/${rtbId}`],
    ['an authenticated operation (campaign create)', '/api/campaigns'],
  ];

  it.each([
    ['an array', deepArray(20_000)],
    ['an object', deepObject(20_000)],
  ])('of %s answers 400 naming the problem on every listed endpoint', async (_label, body) => {
    const cookie = (await loginCookie()) ?? '';
    for (const [name, path] of endpoints()) {
      const response = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: t.url },
        body,
      });
      const text = await response.text();
      expect(response.status, `${name}: ${text.slice(0, 300)}`).toBe(400);
      const error = JSON.parse(text) as { code: string; details: Record<string, string> };
      expect(error.code, name).toBe('VALIDATION_ERROR');
      expect(error.details.body, name).toMatch(/nested more than 64 levels/);
      expect(text, name).not.toMatch(/RangeError|Maximum call stack|at .*\.js:\d+/);
    }
  });

  it('a body at the limit still reaches validation (400 naming a field, not the depth)', async () => {
    const response = await fetch(`${t.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: JSON.parse(deepArray(MAX_JSON_DEPTH - 1)), password: 'x' }),
    });
    const error = (await response.json()) as { details: Record<string, string> };
    expect(response.status).toBe(400);
    expect(error.details.body ?? '').not.toMatch(/nested/);
  });
});

async function loginCookie(): Promise<string | undefined> {
  const response = await fetch(`${t.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: owner.email, password: 'correct-horse-battery' }),
  });
  return response.headers.getSetCookie()[0]?.split(';')[0];
}
