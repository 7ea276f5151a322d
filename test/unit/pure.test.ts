import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../db/types.js';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from '../../server/accounts/api-keys/key-format.js';
import { parseIntId, parseUuid } from '../../server/platform/common/ids.js';
import { obfuscatePhone } from '../../server/platform/common/phone.js';
import { validationDetails } from '../../server/platform/errors.js';
import { checkHandlerCoverage } from '../../server/routes.js';
import { canCreateUser, canDeleteUser, canUpdateUser, type RoleChange } from '../../server/accounts/users/policy.js';

describe('obfuscatePhone', () => {
  it.each([
    ['US E.164', '+12125551234', '212***1234'],
    ['US toll-free', '+18005550199', '800***0199'],
    ['UK mobile', '+447911123456', '791***3456'],
    ['UK London', '+442079460958', '207***0958'],
    ['German number', '+4930123456789', '301***6789'],
    ['SIP URI', 'sip:alice@example.com', 'sip:***'],
    ['SIP URI with a number', 'sip:+12125551234@trunk.example.com', 'sip:***'],
    ['a short code', '+1234567', '***67'],
    ['digits without a plus', '2125551234', '212***1234'],
    ['null', null, null],
  ] as const)('%s: %s -> %s', (_label, input, expected) => {
    expect(obfuscatePhone(input)).toBe(expected);
  });

  it('never returns the whole number', () => {
    for (const phone of ['+12125551234', '+447911123456', '+4930123456789']) {
      const shown = obfuscatePhone(phone)!;
      expect(shown).toMatch(/^\d{3}\*\*\*\d{4}$/);
      // Only 7 digits are shown, and at least one digit of the national number is hidden.
      expect(phone.replace(/\D/g, '')).not.toContain(shown.replace(/\D/g, ''));
    }
  });
});

describe('parseUuid', () => {
  it.each([
    ['lower-case v4', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b'],
    ['upper-case is normalised', '4F1C2B3A-5D6E-4F70-8A9B-0C1D2E3F4A5B', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b'],
    ['nil uuid', '00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
    ['not a uuid', 'invalid-id', null],
    ['missing dashes', '4f1c2b3a5d6e4f708a9b0c1d2e3f4a5b', null],
    ['braces', '{4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b}', null],
    ['non-hex digit', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5g', null],
    ['one digit too many', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5bb', null],
    ['trailing newline', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b\n', null],
    ['SQL injection', "1' OR '1'='1", null],
    ['empty', '', null],
  ])('%s', (_label, raw, expected) => {
    expect(parseUuid(raw)).toBe(expected);
  });
});

describe('parseIntId', () => {
  it.each([
    ['one', '1', 1],
    ['a normal id', '42', 42],
    ['the largest int4', '2147483647', 2147483647],
    ['int4 overflow', '2147483648', null],
    ['ten nines', '9999999999', null],
    ['eleven digits', '12345678901', null],
    ['far beyond MAX_SAFE_INTEGER', '99999999999999999999', null],
    ['zero', '0', null],
    ['leading zero', '007', null],
    ['negative', '-1', null],
    ['plus sign', '+1', null],
    ['decimal', '1.5', null],
    ['exponent', '1e3', null],
    ['hex', '0x10', null],
    ['whitespace', ' 1', null],
    ['trailing newline', '1\n', null],
    ['letters', 'abc', null],
    ['empty', '', null],
  ])('%s: %j', (_label, raw, expected) => {
    expect(parseIntId(raw)).toBe(expected);
  });
});

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

describe('validationDetails', () => {
  it.each<[string, Parameters<typeof validationDetails>[0], string | undefined, Record<string, string>]>([
    ['required at the root', [{ instancePath: '', keyword: 'required', params: { missingProperty: 'name' }, message: "must have required property 'name'" }], 'body', { name: 'is required' }],
    ['additionalProperties at the root', [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'orgId' }, message: 'must NOT have additional properties' }], 'body', { orgId: 'is not allowed' }],
    ['enum lists the allowed values', [{ instancePath: '/status', keyword: 'enum', params: { allowedValues: ['active', 'paused', 'archived'] }, message: 'must be equal to one of the allowed values' }], 'body', { status: 'must be one of: active, paused, archived' }],
    ['a nested path is dotted', [{ instancePath: '/hours/monday/start', keyword: 'pattern', params: { pattern: '^\\d\\d:\\d\\d$' }, message: 'must match pattern "^\\d\\d:\\d\\d$"' }], 'body', { 'hours.monday.start': 'must match pattern "^\\d\\d:\\d\\d$"' }],
    ['required inside a nested object', [{ instancePath: '/address', keyword: 'required', params: { missingProperty: 'zip' } }], 'body', { 'address.zip': 'is required' }],
    ['additionalProperties inside an array item', [{ instancePath: '/buyers/0', keyword: 'additionalProperties', params: { additionalProperty: 'secret' } }], 'body', { 'buyers.0.secret': 'is not allowed' }],
    ['JSON-pointer escapes are undone', [{ instancePath: '/a~1b/c~0d', keyword: 'type', message: 'must be string' }], 'body', { 'a/b.c~d': 'must be string' }],
    ['a problem with the whole body', [{ instancePath: '', keyword: 'type', message: 'must be object' }], 'body', { body: 'must be object' }],
    ['no context means the body', [{ instancePath: '', keyword: 'type', message: 'must be object' }], undefined, { body: 'must be object' }],
    ['a problem with the whole querystring', [{ instancePath: '', keyword: 'minProperties', message: 'must NOT have fewer than 1 properties' }], 'querystring', { querystring: 'must NOT have fewer than 1 properties' }],
    ['a query parameter', [{ instancePath: '/status', keyword: 'enum', params: { allowedValues: ['a'] } }], 'querystring', { status: 'must be one of: a' }],
    ['no message falls back to "is invalid"', [{ instancePath: '/name', keyword: 'custom' }], 'body', { name: 'is invalid' }],
    ['required without a name keeps the message', [{ instancePath: '', keyword: 'required', params: {}, message: 'must have required property' }], 'body', { body: 'must have required property' }],
  ])('%s', (_label, issues, context, expected) => {
    expect(validationDetails(issues, context)).toEqual(expected);
  });

  it('names every bad field, keeping the first problem for each', () => {
    const details = validationDetails(
      [
        { instancePath: '', keyword: 'required', params: { missingProperty: 'name' } },
        { instancePath: '/enableRtb', keyword: 'type', message: 'must be boolean' },
        { instancePath: '/name', keyword: 'type', message: 'must be string' },
        { instancePath: '/enableRtb', keyword: 'enum', params: { allowedValues: [true] } },
      ],
      'body',
    );
    expect(details).toEqual({ name: 'is required', enableRtb: 'must be boolean' });
  });

  it('returns an empty object for no issues', () => {
    expect(validationDetails([], 'body')).toEqual({});
  });
});

describe('checkHandlerCoverage', () => {
  it('passes when every operation has exactly one handler', () => {
    expect(() => checkHandlerCoverage(['a', 'b'], ['b', 'a'])).not.toThrow();
    expect(() => checkHandlerCoverage(new Set(['a']), new Map([['a', 1]]).keys())).not.toThrow();
  });

  it('reports operations without a handler', () => {
    expect(() => checkHandlerCoverage(['a', 'b', 'c'], ['a'])).toThrow(/^operations without a handler: b, c$/);
  });

  it('reports handlers without an operation', () => {
    expect(() => checkHandlerCoverage(['a'], ['a', 'z'])).toThrow(/^handlers without an operation: z$/);
  });

  it('reports missing and orphan names together in one error', () => {
    let message = '';
    try {
      checkHandlerCoverage(['getCampaign', 'listCampaigns', 'getBuyer'], ['getCampaign', 'listCampaign', 'deleteEverything']);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('operations without a handler: listCampaigns, getBuyer; handlers without an operation: listCampaign, deleteEverything');
  });
});
