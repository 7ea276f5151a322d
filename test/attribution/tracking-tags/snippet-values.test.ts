// The DNI snippet run (node:vm, a minimal page) on landing pages whose URL carries unusual values:
// what it posts to POST /api/dni/track must be accepted, or the page keeps its default number and
// the visitor's call is never attributed.
import { webcrypto } from 'node:crypto';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag } from '../dni/dni-fixtures.js';

let t: TestApp;
let owner: Member;
let tagCode: string;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://calls.example.com' } });
  owner = await registerOrg(t, 'Snippet Values Org');
  ({ tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' }));
});
afterAll(async () => t.close());

/** Runs the tag's snippet on a page at `href`; resolves with what it posted and the API's status. */
async function visit(href: string, referrer = ''): Promise<{ body: Record<string, unknown>; status: number }> {
  const source = await (await fetch(`${t.url}/dni/${tagCode}.js`)).text();
  const url = new URL(href);
  const store = new Map<string, string>();
  let cookie = '';
  let posted: { body: Record<string, unknown>; status: number } | undefined;
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const document = {
    get cookie() {
      return cookie;
    },
    set cookie(value: string) {
      cookie = value.split(';')[0]!;
    },
    referrer,
    readyState: 'complete',
    querySelectorAll: () => [],
    createTreeWalker: () => ({ nextNode: () => false }),
    addEventListener: () => undefined,
  };
  const sandbox: Record<string, unknown> = {
    document,
    location: { href: url.href, search: url.search, hostname: url.hostname, protocol: url.protocol },
    navigator: { userAgent: 'Mozilla/5.0 (test)' },
    localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, String(v)) },
    crypto: webcrypto,
    URLSearchParams,
    AbortController,
    setTimeout,
    clearTimeout,
    fetch: async (target: string, init: { body: string; headers: Record<string, string> }) => {
      expect(target).toBe('https://calls.example.com/api/dni/track');
      const res = await fetch(`${t.url}/api/dni/track`, { method: 'POST', headers: init.headers, body: init.body });
      posted = { body: JSON.parse(init.body) as Record<string, unknown>, status: res.status };
      settle();
      return res;
    },
  };
  sandbox.window = sandbox;
  runInContext(source, createContext(sandbox));
  await done;
  return posted!;
}

describe('the DNI snippet: values from the landing page URL', () => {
  it('cuts a long UTM value or click id on a character boundary, never inside one (an emoji at the limit)', async () => {
    const campaign = `${'a'.repeat(254)}😀tail`;
    const gclid = `${'g'.repeat(511)}😀`;
    const { body, status } = await visit(`https://landing.example.com/?utm_campaign=${encodeURIComponent(campaign)}&gclid=${encodeURIComponent(gclid)}`);
    expect(status).toBe(200);
    expect(body.utmCampaign).toBe('a'.repeat(254));
    expect(body.clickIds).toEqual({ gclid: 'g'.repeat(511) });
  });

  it('leaves out control characters (a NUL in a UTM value or click id) instead of failing the visit', async () => {
    const { body, status } = await visit('https://landing.example.com/?utm_source=goo%00gle&utm_medium=%00&clickid=rt%00_1', 'https://ref.example.com/');
    expect(status).toBe(200);
    expect(body.utmSource).toBe('google');
    expect(body).not.toHaveProperty('utmMedium');
    expect(body.clickIds).toEqual({ clickid: 'rt_1' });
    const session = await t.db.selectFrom('visitor_sessions').selectAll().where('org_id', '=', owner.orgId).where('session_id', '=', body.sessionId as string).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ utm_source: 'google', click_ids: { clickid: 'rt_1' } });
  });
});
