// Pure rules of server/accounts: the API key format, password hashing and the user role policy.
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../db/types.js';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from '../../server/accounts/api-keys/key-format.js';
import { hashPassword, verifyPassword } from '../../server/accounts/auth/passwords.js';
import { canCreateUser, canDeleteUser, canUpdateUser, type RoleChange } from '../../server/accounts/users/policy.js';

describe('API keys', () => {
  const KEY_SHAPE = /^ccp_live_[0-9A-Za-z]{36}$/;

  it('generates a well-formed key whose prefix and sha256 hash match it', () => {
    for (let i = 0; i < 50; i += 1) {
      const { key, prefix, hash } = generateApiKey();
      expect(key).toMatch(KEY_SHAPE);
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, 'ccp_live_'.length + 8));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
      expect(hashApiKey(key)).toBe(hash);
    }
  });

  it('generates a different key every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  function flip(key: string, index: number): string {
    const c = key[index]!;
    const replacement = c === 'a' ? 'b' : 'a';
    return key.slice(0, index) + replacement + key.slice(index + 1);
  }

  const sample = generateApiKey().key;
  /** Two neighbouring characters of the random part that differ (a swap of equal ones changes nothing). */
  function swapDiffering(key: string): string {
    let i = 9;
    while (key[i] === key[i + 1]) i += 1;
    return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
  }
  it.each([
    ['a flipped character in the random part', flip(sample, 9)],
    ['a flipped character in the middle', flip(sample, 25)],
    ['a flipped character in the checksum', flip(sample, sample.length - 1)],
    ['two swapped characters', swapDiffering(sample)],
    ['the wrong prefix', `ccp_test_${sample.slice(9)}`],
    ['no prefix', sample.slice(9)],
    ['upper-case prefix', `CCP_LIVE_${sample.slice(9)}`],
    ['one character short', sample.slice(0, -1)],
    ['one character long', `${sample}a`],
    ['a non-base62 character', `${sample.slice(0, 20)}-${sample.slice(21)}`],
    ['surrounding whitespace', ` ${sample.slice(1)}`],
    ['empty', ''],
  ])('refuses %s', (_label, candidate) => {
    expect(candidate).not.toBe(sample);
    expect(isWellFormedApiKey(candidate)).toBe(false);
  });

  it('refuses every single-character change of a key', () => {
    const { key } = generateApiKey();
    for (let i = 'ccp_live_'.length; i < key.length; i += 1) {
      expect(isWellFormedApiKey(flip(key, i)), `change at ${i}`).toBe(false);
    }
  });
});

describe('user policy', () => {
  const ROLES: Role[] = ['owner', 'admin', 'manager', 'agent'];

  describe('canCreateUser', () => {
    it.each(ROLES.flatMap((actor) => ROLES.map((created) => [actor, created] as const)))('%s creating %s', (actor, created) => {
      const verdict = canCreateUser(actor, created);
      if (created === 'owner' && actor !== 'owner') {
        expect(verdict).toEqual({ ok: false, status: 403, reason: 'Only an owner can add an owner' });
      } else {
        expect(verdict).toEqual({ ok: true });
      }
    });
  });

  describe('canUpdateUser', () => {
    const base: RoleChange = { actorId: 1, actorRole: 'owner', targetId: 2, targetRole: 'agent', newRole: 'manager', otherOwners: 1 };
    it.each<[string, Partial<RoleChange>, ReturnType<typeof canUpdateUser>]>([
      ['an admin may not touch an owner (even without a role change)', { actorRole: 'admin', targetRole: 'owner', newRole: undefined }, { ok: false, status: 403, reason: 'Only an owner can change an owner' }],
      ['a manager may not change an owner', { actorRole: 'manager', targetRole: 'owner', newRole: 'agent' }, { ok: false, status: 403, reason: 'Only an owner can change an owner' }],
      ['no role in the update is fine', { newRole: undefined }, { ok: true }],
      ['the same role is not a change', { newRole: 'agent' }, { ok: true }],
      ['the same role is fine even on oneself', { actorId: 2, actorRole: 'admin', targetId: 2, targetRole: 'admin', newRole: 'admin' }, { ok: true }],
      ['nobody changes their own role', { actorId: 2, actorRole: 'admin', targetId: 2, targetRole: 'admin', newRole: 'agent' }, { ok: false, status: 403, reason: 'Nobody can change their own role' }],
      ['an owner may not demote themselves either', { actorId: 2, targetId: 2, targetRole: 'owner', newRole: 'admin', otherOwners: 3 }, { ok: false, status: 403, reason: 'Nobody can change their own role' }],
      ['an admin may not grant owner', { actorRole: 'admin', newRole: 'owner' }, { ok: false, status: 403, reason: 'Only an owner can grant the owner role' }],
      ['an owner may grant owner', { newRole: 'owner' }, { ok: true }],
      ['the last owner cannot be demoted', { targetRole: 'owner', newRole: 'admin', otherOwners: 0 }, { ok: false, status: 409, reason: 'The last owner cannot be demoted' }],
      ['an owner with another owner can be demoted', { targetRole: 'owner', newRole: 'admin', otherOwners: 1 }, { ok: true }],
      ['an admin may promote an agent to manager', { actorRole: 'admin' }, { ok: true }],
      ['an admin may demote another admin', { actorRole: 'admin', targetRole: 'admin', newRole: 'agent' }, { ok: true }],
    ])('%s', (_label, change, expected) => {
      expect(canUpdateUser({ ...base, ...change })).toEqual(expected);
    });
  });

  describe('canDeleteUser', () => {
    it.each<[string, [number, number, Role, number], ReturnType<typeof canDeleteUser>]>([
      ['nobody removes themselves', [1, 1, 'admin', 1], { ok: false, status: 409, reason: 'You cannot remove yourself' }],
      ['not even an owner with other owners', [1, 1, 'owner', 2], { ok: false, status: 409, reason: 'You cannot remove yourself' }],
      ['the last owner cannot be removed', [1, 2, 'owner', 0], { ok: false, status: 409, reason: 'The last owner cannot be removed' }],
      ['an owner with another owner can be removed', [1, 2, 'owner', 1], { ok: true }],
      ['an admin can be removed', [1, 2, 'admin', 0], { ok: true }],
      ['an agent can be removed', [1, 2, 'agent', 0], { ok: true }],
    ])('%s', (_label, [actorId, targetId, targetRole, otherOwners], expected) => {
      expect(canDeleteUser(actorId, targetId, targetRole, otherOwners)).toEqual(expected);
    });
  });
});

describe('passwords', () => {
  const composed = 'naïve-café'.normalize('NFC');
  const decomposed = composed.normalize('NFD');

  it('hashes in NFKC: either Unicode form of the same text verifies, another text does not', async () => {
    const stored = await hashPassword(decomposed);
    expect(await verifyPassword(composed, stored)).toBe(true);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
    expect(await verifyPassword('naive-cafe', stored)).toBe(false);
  });

  it('still verifies a hash made before normalisation from the text as it was typed', async () => {
    const salt = randomBytes(16);
    const key = scryptSync(decomposed, salt, 32, { N: 16384, r: 8, p: 1 });
    const legacy = ['scrypt', 16384, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    expect(await verifyPassword(decomposed, legacy)).toBe(true);
    expect(await verifyPassword('naive-cafe', legacy)).toBe(false);
  });
});
