// Issue 15 item 1: a stranger's wrong passwords, from as many addresses as they like, must not
// lock the owner out. Login is throttled per source address (the login bucket) and per
// (account, address) with a backoff that starts at once when the account is under attack; the
// owner's right password from a known or a new address still logs in. The server sees the
// addresses through X-Forwarded-For (TRUST_PROXY=true).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, registerOrg, uniqueEmail } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMITS: 'general=100000,login=5', TRUST_PROXY: 'true' } });
});
afterAll(async () => t.close());

let nextAddress = 1;
/** A source address no other attempt in this file has used. */
const freshAddress = () => `198.18.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

function attempt(ip: string, body: Record<string, string>, path = '/api/login') {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
}

async function expectBackoff(response: Response): Promise<number> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  const body = (await response.json()) as { code: string; details: { retryAfterSeconds: number } };
  expect(body.code).toBe('RATE_LIMIT_EXCEEDED');
  expect(body.details.retryAfterSeconds).toBe(retryAfter);
  return retryAfter;
}

describe('login lockout by strangers', () => {
  it('thirty wrong passwords from thirty addresses (five a minute and more) never lock the owner out', async () => {
    const owner = await registerOrg(t, 'Attacked Org');
    const home = freshAddress();
    expect((await attempt(home, { email: owner.email, password: PASSWORD })).status).toBe(200);

    for (let i = 0; i < 30; i++) {
      const path = i % 2 === 0 ? '/api/login' : '/api/auth/login';
      const guess = await attempt(freshAddress(), { email: owner.email, password: `guess-${i}-wrong` }, path);
      expect(guess.status, `guess ${i}`).toBe(401);
    }

    // The owner, from the address they used before and from a new one, on both login paths.
    expect((await attempt(home, { email: owner.email, password: PASSWORD })).status).toBe(200);
    expect((await attempt(freshAddress(), { email: owner.email, password: PASSWORD })).status).toBe(200);
    expect((await attempt(freshAddress(), { username: owner.email, password: PASSWORD }, '/api/auth/login')).status).toBe(200);
  });

  it('under attack, an address gets one guess, then a growing backoff during which even a right password is not tried', async () => {
    const owner = await registerOrg(t, 'Backoff Org');
    for (let i = 0; i < 6; i++) expect((await attempt(freshAddress(), { email: owner.email, password: 'wrong-password' })).status).toBe(401);

    const attacker = freshAddress();
    expect((await attempt(attacker, { email: owner.email, password: 'wrong-again' })).status).toBe(401);
    const first = await expectBackoff(await attempt(attacker, { email: owner.email, password: PASSWORD }));
    await new Promise((resolve) => setTimeout(resolve, first * 1000 + 50));
    expect((await attempt(attacker, { email: owner.email, password: 'wrong-third' })).status).toBe(401);
    const second = await expectBackoff(await attempt(attacker, { email: owner.email, password: 'wrong-fourth' }));
    expect(second).toBeGreaterThan(first);

    // Other accounts from that address, and the owner from anywhere else, are not slowed.
    expect((await attempt(attacker, { email: uniqueEmail('someone'), password: 'wrong-password' })).status).toBe(401);
    expect((await attempt(freshAddress(), { email: owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('under attack, guesses sent at once from one address still get one guess: the others wait and get 429 unchecked', async () => {
    const owner = await registerOrg(t, 'Concurrent Org');
    for (let i = 0; i < 6; i++) expect((await attempt(freshAddress(), { email: owner.email, password: 'wrong-password' })).status).toBe(401);

    const attacker = freshAddress();
    const guesses = await Promise.all([0, 1, 2, 3, 4].map((i) => attempt(attacker, { email: owner.email, password: `at-once-${i}` })));
    expect(guesses.map((r) => r.status).sort()).toEqual([401, 429, 429, 429, 429]);
    // Another address is not held up by the first one's queue.
    expect((await attempt(freshAddress(), { email: owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('an account not under attack gives an address five guesses before the backoff', async () => {
    const owner = await registerOrg(t, 'Typo Org');
    const ip = freshAddress();
    for (let i = 0; i < 4; i++) expect((await attempt(ip, { email: owner.email, password: `typo-${i}` })).status).toBe(401);
    expect((await attempt(ip, { email: owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('the legacy username login shares the account budget with the email login', async () => {
    const owner = await registerOrg(t, 'Legacy Org');
    const username = `legacy_${Date.now()}`;
    const email = uniqueEmail('legacy');
    expect((await owner.client.POST('/api/users', { body: { email, username, password: PASSWORD, role: 'agent' } })).response.status).toBe(201);
    // Three guesses by username and three by email: six against one account, so it is under attack.
    for (let i = 0; i < 3; i++) {
      expect((await attempt(freshAddress(), { username, password: 'wrong-password' }, '/api/auth/login')).status).toBe(401);
      expect((await attempt(freshAddress(), { email, password: 'wrong-password' })).status).toBe(401);
    }
    const attacker = freshAddress();
    expect((await attempt(attacker, { email, password: 'wrong-password' })).status).toBe(401);
    await expectBackoff(await attempt(attacker, { username, password: 'wrong-password' }, '/api/auth/login'));
    expect((await attempt(freshAddress(), { username, password: PASSWORD }, '/api/auth/login')).status).toBe(200);
  });

  it('an unknown email is throttled like a known one (no existence oracle)', async () => {
    const email = uniqueEmail('nobody');
    for (let i = 0; i < 6; i++) expect((await attempt(freshAddress(), { email, password: 'wrong-password' })).status).toBe(401);
    const attacker = freshAddress();
    expect((await attempt(attacker, { email, password: 'wrong-password' })).status).toBe(401);
    await expectBackoff(await attempt(attacker, { email, password: 'wrong-password' }));
  });
});

describe('source addresses of one IPv6 network', () => {
  let nextNetwork = 1;
  /** A /64 no other attempt in this file has used. */
  const freshNetwork = () => `2001:db8:${(nextNetwork++).toString(16)}:1`;

  it('count as one address: a /64 holds more addresses than any budget, so each would be a new guesser', async () => {
    // Registered from an address of its own (the test host's login bucket is spent by now).
    const owner = { email: uniqueEmail('v6-owner') };
    const registered = await attempt(freshAddress(), { organizationName: 'IPv6 Org', email: owner.email, password: PASSWORD }, '/api/auth/register');
    expect(registered.status).toBe(201);
    for (let i = 0; i < 6; i++) expect((await attempt(freshAddress(), { email: owner.email, password: 'wrong-password' })).status).toBe(401);

    const network = freshNetwork();
    expect((await attempt(`${network}::1`, { email: owner.email, password: 'wrong-again' })).status).toBe(401);
    // Under attack one guess per address, then a backoff: the next address of the same /64 is in it.
    await expectBackoff(await attempt(`${network}:0:0:0:2`, { email: owner.email, password: 'wrong-third' }));
    await expectBackoff(await attempt(`${network.toUpperCase()}:ffff:ffff:ffff:ffff`, { email: owner.email, password: PASSWORD }));
    // Another /64 is another address.
    expect((await attempt(`${freshNetwork()}::1`, { email: owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('share the login bucket of five attempts in five minutes', async () => {
    const network = freshNetwork();
    for (let i = 1; i <= 5; i++) expect((await attempt(`${network}::${i}`, { email: uniqueEmail('v6'), password: 'wrong-password' })).status).toBe(401);
    await expectBackoff(await attempt(`${network}::6`, { email: uniqueEmail('v6'), password: 'wrong-password' }));
  });

  it('an IPv4 address written as IPv6 (::ffff:a.b.c.d, as a dual-stack server sees it) is that IPv4 address, not one network of all of them', async () => {
    const ip = freshAddress();
    for (let i = 0; i < 5; i++) expect((await attempt(i % 2 ? ip : `::ffff:${ip}`, { email: uniqueEmail('v4'), password: 'wrong-password' })).status).toBe(401);
    await expectBackoff(await attempt(`::ffff:${ip}`, { email: uniqueEmail('v4'), password: 'wrong-password' }));
    // Other IPv4 clients are not in its bucket.
    expect((await attempt(`::ffff:${freshAddress()}`, { email: uniqueEmail('v4'), password: 'wrong-password' })).status).toBe(401);
  });
});
