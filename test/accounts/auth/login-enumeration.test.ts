// Login answers the same whatever the email or username names: no account anywhere, an account
// with another password, accounts in other organisations, several accounts (issue: email
// existence across organisations). Only the right password changes the answer, and the work done
// (password hashes derived) does not depend on how many accounts the login names either.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PASSWORD, registerOrg, uniqueEmail, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Every scrypt derivation of the server (password hashes only), counted.
const derivations = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  const scrypt = ((...args: Parameters<typeof original.scrypt>) => {
    derivations.count += 1;
    return (original.scrypt as (...a: unknown[]) => void)(...args);
  }) as typeof original.scrypt;
  return { ...original, default: { ...original, scrypt }, scrypt };
});

let t: TestApp;
let orgA: Member;
let orgB: Member;
/** An email with accounts in two organisations (different passwords). */
let sharedEmail: string;
beforeAll(async () => {
  t = await startTestApp();
  orgA = await registerOrg(t, 'Enumeration A');
  orgB = await registerOrg(t, 'Enumeration B');
  sharedEmail = uniqueEmail('shared');
  for (const [name, password] of [['Shared 1', 'shared-password-one'], ['Shared 2', 'shared-password-two']]) {
    const sent = await t.client().POST('/api/auth/register', { body: { organizationName: name!, email: sharedEmail, password: password! } });
    expect(sent.response.status).toBe(201);
  }
});
afterAll(async () => t.close());

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headerNames: string[];
  setsCookie: boolean;
}

/** One login from its own address (TRUST_PROXY is off: the address is the same, the backoff allows 5 per account). */
async function login(path: '/api/login' | '/api/auth/login', body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { timestamp: _t, requestId: _r, ...rest } = (await response.json()) as Record<string, unknown>;
  const volatile = new Set(['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'content-length', 'keep-alive', 'connection']);
  return {
    status: response.status,
    body: rest,
    headerNames: [...response.headers.keys()].filter((name) => !volatile.has(name)).sort(),
    setsCookie: response.headers.get('set-cookie') !== null,
  };
}

describe('login: no account-existence oracle', () => {
  it('answers /api/login identically for no such account, a wrong password, an email of another organisation, several accounts', async () => {
    const cases = {
      unknownEmail: { email: uniqueEmail('nobody'), password: 'wrong-password-1' },
      wrongPassword: { email: orgA.email, password: 'wrong-password-2' },
      otherOrganisation: { email: orgA.email, password: PASSWORD, organizationId: orgB.orgId },
      unknownOrganisation: { email: orgA.email, password: 'wrong-password-3', organizationId: randomUUID() },
      unknownEmailInOrganisation: { email: uniqueEmail('nobody'), password: 'wrong-password-4', organizationId: orgB.orgId },
      severalAccounts: { email: sharedEmail, password: 'wrong-password-5' },
      severalAccountsOneNamed: { email: sharedEmail, password: 'shared-password-two', organizationId: orgA.orgId },
    };
    const answers: Record<string, Answer> = {};
    for (const [name, body] of Object.entries(cases)) answers[name] = await login('/api/login', body);
    const reference = answers.unknownEmail!;
    expect(reference.status).toBe(401);
    expect(reference.setsCookie).toBe(false);
    for (const [name, answer] of Object.entries(answers)) expect([name, answer]).toEqual([name, reference]);
  });

  it('answers the legacy /api/auth/login identically for an unknown username and a known one with a wrong password', async () => {
    const cases = {
      unknownUsername: { username: `nobody_${randomUUID().slice(0, 8)}`, password: 'wrong-password-6' },
      knownEmailAsUsername: { username: orgB.email, password: 'wrong-password-7' },
      knownInAnotherOrganisation: { username: orgB.email, password: PASSWORD, organizationId: orgA.orgId },
    };
    const answers: Record<string, Answer> = {};
    for (const [name, body] of Object.entries(cases)) answers[name] = await login('/api/auth/login', body);
    const reference = answers.unknownUsername!;
    expect(reference.status).toBe(401);
    for (const [name, answer] of Object.entries(answers)) expect([name, answer]).toEqual([name, reference]);
  });
});

describe('login: the same work whatever the login names', () => {
  async function derivationsFor(body: Record<string, unknown>): Promise<number> {
    const before = derivations.count;
    const answer = await login('/api/login', body);
    expect(answer.status).toBe(401);
    return derivations.count - before;
  }

  it('derives as many password hashes for no account as for one account or for accounts in several organisations', async () => {
    // (The first unknown login also makes the dummy hash, once per process.)
    await derivationsFor({ email: uniqueEmail('warm-up'), password: 'wrong-password-8' });
    const counts = {
      noAccount: await derivationsFor({ email: uniqueEmail('nobody'), password: 'wrong-password-9' }),
      oneAccount: await derivationsFor({ email: orgB.email, password: 'wrong-password-10' }),
      twoAccounts: await derivationsFor({ email: sharedEmail, password: 'wrong-password-11' }),
      twoAccountsOneNamed: await derivationsFor({ email: sharedEmail, password: 'wrong-password-12', organizationId: orgA.orgId }),
    };
    expect(counts.noAccount).toBeGreaterThan(0);
    expect(counts).toEqual({ noAccount: counts.noAccount, oneAccount: counts.noAccount, twoAccounts: counts.noAccount, twoAccountsOneNamed: counts.noAccount });
  });
});
