// Swagger UI in headless Chromium: log in with "Try it out" on POST /api/login, then
// "Try it out" on GET /api/auth/user answers 200 for that user (the session cookie is sent).
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { CHROMIUM_PATH } from './chromium.js';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp();
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Expand the operation and switch on "Try it out" (once per operation). */
async function openTryItOut(page: Page, operationDomId: string) {
  const op = page.locator(`#${operationDomId}`);
  await op.locator('.opblock-summary').first().click();
  await op.locator('.try-out__btn').click();
  return op;
}

/** Press Execute and wait for the live response to show `expectedStatus`; returns its text. */
async function execute(op: ReturnType<Page['locator']>, expectedStatus: string, body?: string): Promise<string> {
  // Swagger UI renders an operation's contents only while it is on screen: bring it there first.
  await op.scrollIntoViewIfNeeded();
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(body);
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await expect.poll(async () => ((await status.count()) ? (await status.innerText()).trim() : ''), { timeout: 10_000 }).toBe(expectedStatus);
  return op.locator('.live-responses-table').first().innerText();
}

it('logs in and calls an authenticated operation from Swagger UI', async () => {
  const owner = await registerOrg(t, 'Swagger Org');
  // Swagger UI renders only the operations near the window (the contract has grown past 150 of
  // them): a tall window holds the whole Auth group, and each operation is scrolled to before use.
  const context = await browser.newContext({ viewport: { width: 1280, height: 4000 } });
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });
  await page.goto(`${t.url}/docs`);
  await page.locator('#operations-Auth-login').waitFor({ timeout: 15_000 });

  const currentUser = await openTryItOut(page, 'operations-Auth-getCurrentUser');
  expect(await execute(currentUser, '401')).toContain('UNAUTHORIZED');

  const login = await openTryItOut(page, 'operations-Auth-login');
  expect(await execute(login, '200', JSON.stringify({ email: owner.email, password: PASSWORD }))).toContain('Login successful');

  // Fold the login operation away again: its answer would push the current-user operation out of
  // the part of the page Swagger UI renders.
  await login.locator('.opblock-summary').first().click();
  const after = await execute(currentUser, '200');
  expect(after).toContain(owner.email);
  expect(after).toContain('"role": "owner"');
  expect(cspErrors).toEqual([]);
  await context.close();
}, 60_000);
