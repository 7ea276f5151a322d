// The DNI snippet in headless Chromium on a landing page of another origin: the visitor's pool
// number is swapped into text (keeping the page's format) and tel: links, kept on reload, another
// visitor gets another number, and when the API is down or slow the page keeps its default number.
//
// Two local servers: the landing page (its own origin) and the "API origin" (PUBLIC_BASE_URL), a
// pass-through proxy to the test app whose /api/ paths can be made to fail or hang.
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCampaign, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { CHROMIUM_PATH } from './chromium.js';

const DEFAULT_TEXT = '(212) 555-0100';
const DEFAULT_TEL = 'tel:+12125550100';
const POOL_NUMBERS = ['+13125550201', '+13125550202', '+13125550203'];
const TAG_CODE = 'browser_dni_tag';

let t: TestApp | undefined;
let browser: Browser;
let landing: Server;
let api: Server;
let landingUrl: string;
let apiMode: 'up' | 'down' | 'hang' = 'up';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function landingHtml(apiBase: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Landing</title>
<script src="${apiBase}/dni/${TAG_CODE}.js" async></script></head>
<body><p>Call us: <a id="link" data-ccp-number href="${DEFAULT_TEL}">${DEFAULT_TEXT}</a></p>
<p>Or: <span id="text" data-ccp-number>${DEFAULT_TEXT}</span></p>
<p id="untouched">Office: (212) 555-0100</p></body></html>`;
}

beforeAll(async () => {
  // The API origin: pass-through to the test app (started below with PUBLIC_BASE_URL = this origin).
  api = createServer((req, res) => {
    if (req.url?.startsWith('/api/') && apiMode !== 'up') {
      if (apiMode === 'down') req.socket.destroy();
      return; // 'hang': never answers
    }
    if (!t) {
      req.socket.destroy();
      return;
    }
    const target = new URL(req.url ?? '/', t.url);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  const apiBase = await listen(api);
  landing = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(landingHtml(apiBase));
  });
  landingUrl = await listen(landing);

  t = await startTestApp({ env: { PUBLIC_BASE_URL: apiBase } });
  const owner = await registerOrg(t, 'DNI Browser Org');
  const campaign = await createCampaign(owner.client, { name: 'DNI campaign' });
  const pool = await owner.client.POST('/api/number-pools', { body: { name: 'DNI pool', campaignId: campaign.id } });
  if (pool.response.status !== 201 || !pool.data) throw new Error(`createNumberPool failed: ${pool.response.status}`);
  for (const phoneNumber of POOL_NUMBERS) {
    await t.db
      .insertInto('phone_numbers')
      .values({ org_id: owner.orgId, phone_number: phoneNumber, provider_sid: `PN${randomBytes(16).toString('hex')}`, provider: 'simulator', pool_id: pool.data.id })
      .execute();
  }
  const tag = await owner.client.POST('/api/tracking-tags', {
    body: { name: 'Browser tag', tagCode: TAG_CODE, campaignId: campaign.id, poolId: pool.data.id, defaultNumber: '+12125550100' },
  });
  if (tag.response.status !== 201) throw new Error(`createTrackingTag failed: ${tag.response.status}`);
  expect(tag.data?.snippetUrl).toBe(`${apiBase}/dni/${TAG_CODE}.js`);
  // A server that has answered before, as a landing page's API is: the snippet gives up after
  // 2.5 s, and a cold first answer under the whole suite's load (CI, 2 cores) took longer. The
  // warm-up visitor takes one of the three pool numbers; the two visitors below take the others.
  const warm = await fetch(`${apiBase}/api/dni/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tagCode: TAG_CODE, sessionId: `ccp_${randomBytes(16).toString('hex')}` }),
  });
  expect(warm.status).toBe(200);
  expect((await fetch(`${apiBase}/dni/${TAG_CODE}.js`)).status).toBe(200);

  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((resolve) => api?.close(resolve));
  await new Promise((resolve) => landing?.close(resolve));
});

/** The page's two swapped elements once the snippet has answered (or the default after `settleMs`). */
async function numbersOn(page: Page) {
  return {
    text: await page.locator('#text').innerText(),
    linkText: await page.locator('#link').innerText(),
    href: await page.locator('#link').getAttribute('href'),
    untouched: await page.locator('#untouched').innerText(),
  };
}

/** Open the landing page (with UTM fields and a click id) and wait for the number to be swapped. */
async function visitAndWaitForSwap(context: BrowserContext, query = '?utm_source=google&utm_medium=cpc&gclid=abc123&clickid=rt_1') {
  const page = await context.newPage();
  const tracked = page.waitForResponse((res) => res.url().endsWith('/api/dni/track') && res.request().method() === 'POST');
  await page.goto(`${landingUrl}/landing${query}`);
  const response = await tracked;
  expect(response.status(), await response.text()).toBe(200);
  await expect.poll(async () => page.locator('#link').getAttribute('href'), { timeout: 5_000 }).not.toBe(DEFAULT_TEL);
  return page;
}

/** The E.164 number a formatted US number shows. */
const e164Of = (text: string) => `+1${text.replace(/\D/g, '')}`;

it('swaps a pool number into text and tel: links, keeps it on reload, and gives another visitor another number', async () => {
  apiMode = 'up';
  const first = await browser.newContext();
  const page = await visitAndWaitForSwap(first);
  const shown = await numbersOn(page);
  expect(POOL_NUMBERS).toContain(shown.href!.replace(/^tel:/, ''));
  expect(shown.text).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/); // the page's own format
  expect(shown.text).not.toBe(DEFAULT_TEXT);
  expect(shown.linkText).toBe(shown.text);
  expect(`tel:${e164Of(shown.text)}`).toBe(shown.href);
  expect(shown.untouched).toBe('Office: (212) 555-0100'); // outside the selector

  const cookies = await first.cookies();
  const sid = cookies.find((c) => c.name === 'ccp_sid');
  expect(sid?.value).toMatch(/^ccp_[0-9a-f]{32}$/);
  expect(sid!.expires - Date.now() / 1000).toBeGreaterThan(29 * 86400);

  // A reload (no query string this time) keeps the session and so the number.
  const tracked = page.waitForRequest((req) => req.url().endsWith('/api/dni/track'));
  await page.goto(`${landingUrl}/landing`);
  const body = (await tracked).postDataJSON() as Record<string, unknown>;
  expect(body).toMatchObject({ tagCode: TAG_CODE, sessionId: sid!.value, utmSource: 'google', utmMedium: 'cpc', clickIds: { gclid: 'abc123', clickid: 'rt_1' } });
  await expect.poll(async () => page.locator('#link').getAttribute('href'), { timeout: 5_000 }).toBe(shown.href);
  expect(await numbersOn(page)).toEqual(shown);

  // Another visitor (another browser context: other cookies and storage) gets another number.
  const second = await browser.newContext();
  const otherPage = await visitAndWaitForSwap(second, '');
  const otherShown = await numbersOn(otherPage);
  expect(POOL_NUMBERS).toContain(otherShown.href!.replace(/^tel:/, ''));
  expect(otherShown.href).not.toBe(shown.href);
  expect(otherShown.text).not.toBe(shown.text);
  await first.close();
  await second.close();
});

for (const mode of ['down', 'hang'] as const) {
  it(`keeps the default number when the API is ${mode === 'down' ? 'unreachable' : 'too slow (time-out)'}`, async () => {
    apiMode = mode;
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const loaded = page.waitForResponse((res) => res.url().endsWith(`/dni/${TAG_CODE}.js`));
      await page.goto(`${landingUrl}/landing?utm_source=google`);
      expect((await loaded).status()).toBe(200); // the snippet itself was served
      await page.waitForTimeout(3_500); // past the snippet's 2.5 s time-out
      expect(await numbersOn(page)).toEqual({ text: DEFAULT_TEXT, linkText: DEFAULT_TEXT, href: DEFAULT_TEL, untouched: 'Office: (212) 555-0100' });
      await context.close();
    } finally {
      apiMode = 'up';
    }
  });
}

it('keeps the default number once the API server is stopped', async () => {
  await t?.close();
  t = undefined;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${landingUrl}/landing`);
  await page.waitForTimeout(1_000);
  expect(await numbersOn(page)).toEqual({ text: DEFAULT_TEXT, linkText: DEFAULT_TEXT, href: DEFAULT_TEL, untouched: 'Office: (212) 555-0100' });
  await context.close();
});
