// Pure helpers of server/platform: phone display, id parsing, validation details, and the
// check that every operation of the contract has a handler (server/routes.ts).
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { parseIntId, parseUuid } from '../../server/platform/common/ids.js';
import { clientNetwork } from '../../server/platform/http/client-network.js';
import { obfuscatePhone } from '../../server/platform/common/phone.js';
import { validationDetails } from '../../server/platform/errors.js';
import { checkHandlerCoverage } from '../../server/routes.js';

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

  it('North American numbers (read without libphonenumber-js) come out as libphonenumber-js reads them', () => {
    let seed = 7;
    const digit = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * 10);
    };
    for (let i = 0; i < 5000; i += 1) {
      const national = `${2 + (digit() % 8)}${Array.from({ length: 9 }, digit).join('')}`;
      const phone = `+1${national}`;
      const read = parsePhoneNumberFromString(phone)!.nationalNumber;
      expect(obfuscatePhone(phone), phone).toBe(`${read.slice(0, 3)}***${read.slice(-4)}`);
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

  it('names fields called like the members of every object (constructor, toString, __proto__)', () => {
    const names = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];
    const details = validationDetails(
      names.map((name) => ({ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: name } })),
      'body',
    );
    expect(JSON.parse(JSON.stringify(details))).toEqual(JSON.parse('{"constructor":"is not allowed","toString":"is not allowed","hasOwnProperty":"is not allowed","__proto__":"is not allowed"}'));
    expect(Object.keys(details)).toEqual(names);
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

describe('clientNetwork', () => {
  it.each([
    ['an IPv4 address', '198.51.100.7', '198.51.100.7'],
    ['an IPv6 address, as its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['any spelling of the same /64', '2001:0DB8:0001:0002::ffff', '2001:db8:1:2::/64'],
    ['a short IPv6 address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
    ['with a zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['an IPv4-mapped address, as that IPv4 address', '::ffff:198.51.100.7', '198.51.100.7'],
    ['an IPv4-mapped address in hex', '::ffff:c633:6407', '198.51.100.7'],
    ['an IPv6 address ending in dotted IPv4', '64:ff9b::198.51.100.7', '64:ff9b:0:0::/64'],
    ['no address at all', 'unknown', 'unknown'],
  ])('%s', (_label, ip, key) => {
    expect(clientNetwork(ip)).toBe(key);
  });
});
