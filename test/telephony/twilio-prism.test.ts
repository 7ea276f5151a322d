// The Twilio adapter against Prism mocks of Twilio's own OpenAPI description (2010-04-01), reached
// through LocalTwilioHttpClient. Prism checks every request against the spec (path patterns such
// as ^CA[0-9a-f]{32}$, query types, form fields and their enums, basic auth) and answers 422 on a
// violation, so a passing call proves the request's shape; the answers are Twilio's documented
// examples, mapped into our types.
//
// Two mocks run: `strict` with --errors, and `lenient` without. With --errors Prism also
// validates its own answers, and several of Twilio's documented examples break Twilio's schema
// (list `uri`/`first_page_uri` are relative, available-number latitude is a string,
// IncomingPhoneNumber update has "APaaaa…" sids of the wrong length), so those endpoints answer
// 500 there. They run on the lenient mock, where request violations still answer 422 and any
// remaining violation is reported in the `sl-violations` header — asserted empty for the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTelephony } from '../../server/telephony/factory.js';
import { LocalTwilioHttpClient, type TwilioExchange } from '../../server/telephony/local-http-client.js';
import { createTwilioTelephony, toTelephonyError } from '../../server/telephony/twilio.js';
import { DEFAULT_HOLD_MUSIC_URL, TelephonyError, type Telephony } from '../../server/telephony/types.js';
import { requestViolations, startPrism, type PrismMock } from './helpers.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'test-auth-token';
const CALL_SID = 'CA11111111111111111111111111111111';
const NUMBER_SID = 'PN22222222222222222222222222222222';
const RECORDING_SID = 'RE33333333333333333333333333333333';
const API = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

let strict: PrismMock;
let lenient: PrismMock;

beforeAll(async () => {
  // allSettled: when one fails to start, the other is still assigned, so afterAll stops it.
  const started = await Promise.allSettled([
    startPrism({ errors: true }).then((mock) => (strict = mock)),
    startPrism({ errors: false }).then((mock) => (lenient = mock)),
  ]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
}, 90_000);

afterAll(async () => {
  await Promise.all([strict?.stop(), lenient?.stop()]);
}, 30_000);

function telephonyOn(mock: PrismMock): { telephony: Telephony; exchanges: TwilioExchange[] } {
  const exchanges: TwilioExchange[] = [];
  const httpClient = new LocalTwilioHttpClient(mock.baseUrl, { onExchange: (e) => exchanges.push(e) });
  return { telephony: createTwilioTelephony({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, httpClient }), exchanges };
}

function pathOf(exchange: TwilioExchange | undefined): string {
  return new URL(exchange?.uri ?? 'http://missing/').pathname;
}

/** Every exchange went to the mock, passed its request validation and succeeded. */
function expectCleanExchanges(exchanges: TwilioExchange[], mock: PrismMock): void {
  expect(exchanges.length).toBeGreaterThan(0);
  for (const e of exchanges) {
    expect(e.originalUri.startsWith('https://api.twilio.com/2010-04-01/')).toBe(true);
    expect(e.uri.startsWith(mock.baseUrl + '/2010-04-01/')).toBe(true);
    expect(e.statusCode, `${e.method} ${e.uri}: ${JSON.stringify(e.body)}`).toBeLessThan(300);
    expect(requestViolations(e.headers)).toEqual([]);
  }
}

async function rejection(promise: Promise<unknown>): Promise<TelephonyError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelephonyError);
  return err as TelephonyError;
}

describe('number search (lenient mock: Twilio’s list examples fail its own response schema)', () => {
  it('local: AreaCode, Contains and PageSize = limit reach Twilio; the example maps into our shape', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    const numbers = await telephony.searchNumbers({ country: 'US', type: 'local', areaCode: '808', contains: '925', limit: 5 });
    expect(numbers).toEqual([
      {
        phoneNumber: '+18089251571',
        friendlyName: '(808) 925-1571',
        region: 'HI',
        isoCountry: 'US',
        capabilities: { voice: true, SMS: false, MMS: true },
      },
    ]);
    expectCleanExchanges(exchanges, lenient);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.method.toLowerCase()).toBe('get');
    expect(pathOf(exchanges[0])).toBe(`${API}/AvailablePhoneNumbers/US/Local.json`);
    expect(exchanges[0]?.params).toEqual({ AreaCode: 808, Contains: '925', PageSize: 5 });
  });

  it('tollFree and mobile use their own resources; a toll-free number has no region', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    const tollFree = await telephony.searchNumbers({ country: 'us', type: 'tollFree', limit: 3 });
    expect(tollFree).toEqual([
      {
        phoneNumber: '+18001000052',
        friendlyName: '(800) 100-0052',
        region: null,
        isoCountry: 'US',
        capabilities: { voice: true, SMS: true, MMS: true },
      },
    ]);
    const mobile = await telephony.searchNumbers({ country: 'GB', type: 'mobile', limit: 2 });
    expect(mobile.length).toBeGreaterThan(0);
    for (const n of mobile) expect(n.phoneNumber).toMatch(/^\+\d+$/);
    expectCleanExchanges(exchanges, lenient);
    expect(exchanges.map(pathOf)).toEqual([
      `${API}/AvailablePhoneNumbers/US/TollFree.json`,
      `${API}/AvailablePhoneNumbers/GB/Mobile.json`,
    ]);
    expect(exchanges.map((e) => e.params)).toEqual([{ PageSize: 3 }, { PageSize: 2 }]);
  });

  it('bad input is refused as invalid before any request', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    for (const input of [
      { country: 'USA', type: 'local' as const, limit: 5 },
      { country: 'US', type: 'local' as const, limit: 0 },
      { country: 'US', type: 'local' as const, areaCode: '12', limit: 5 },
      { country: 'GB', type: 'local' as const, areaCode: '415', limit: 5 },
      { country: 'US', type: 'local' as const, contains: '5', limit: 5 },
      { country: 'US', type: 'premium' as unknown as 'local', limit: 5 },
    ]) {
      expect((await rejection(telephony.searchNumbers(input))).kind).toBe('invalid');
    }
    expect(exchanges).toEqual([]);
  });

  it('the mock really validates requests: a malformed search answers 422, which maps to invalid', async () => {
    const exchanges: TwilioExchange[] = [];
    const httpClient = new LocalTwilioHttpClient(lenient.baseUrl, { onExchange: (e) => exchanges.push(e) });
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient });
    const err = await client.availablePhoneNumbers('US').local.list({ areaCode: 'abc' as unknown as number }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(exchanges[0]?.statusCode).toBe(422);
    expect(JSON.stringify(exchanges[0]?.body)).toContain('areacode');
    const mapped = toTelephonyError(err, 'Numbers');
    expect(mapped.kind).toBe('invalid');
    expect(mapped.details.providerStatus).toBe(422);
  });
});

describe('numbers: purchase, configure, release', () => {
  it('purchase sends our voice and status webhooks, both POST (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    const purchased = await telephony.purchaseNumber({
      phoneNumber: '+18089255327',
      friendlyName: 'Main Campaign Line',
      voiceUrl: 'https://calls.example.com/api/webhooks/voice',
      statusCallbackUrl: 'https://calls.example.com/api/webhooks/call-status',
    });
    // Twilio's documented example, mapped; its purchase answer carries no price.
    expect(purchased).toEqual({
      sid: 'PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      phoneNumber: '+18089255327',
      friendlyName: 'friendly_name',
      capabilities: { voice: true, SMS: false, MMS: true },
      monthlyFee: null,
    });
    expectCleanExchanges(exchanges, strict);
    expect(exchanges[0]?.method.toLowerCase()).toBe('post');
    expect(exchanges[0]?.statusCode).toBe(201);
    expect(pathOf(exchanges[0])).toBe(`${API}/IncomingPhoneNumbers.json`);
    expect(exchanges[0]?.data).toEqual({
      PhoneNumber: '+18089255327',
      FriendlyName: 'Main Campaign Line',
      VoiceUrl: 'https://calls.example.com/api/webhooks/voice',
      VoiceMethod: 'POST',
      StatusCallback: 'https://calls.example.com/api/webhooks/call-status',
      StatusCallbackMethod: 'POST',
    });
  });

  it('purchase refuses a non-E.164 number or a relative webhook URL before any request', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    const base = { voiceUrl: 'https://x.example/v', statusCallbackUrl: 'https://x.example/s' };
    expect((await rejection(telephony.purchaseNumber({ ...base, phoneNumber: '8089255327' }))).kind).toBe('invalid');
    expect((await rejection(telephony.purchaseNumber({ ...base, phoneNumber: '+18089255327', voiceUrl: '/voice' }))).kind).toBe('invalid');
    expect(exchanges).toEqual([]);
  });

  it('configure updates the number’s webhooks (lenient mock: the update example fails its schema)', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    await telephony.configureNumber(NUMBER_SID, {
      voiceUrl: 'https://calls.example.com/api/webhooks/pool/7/voice',
      statusCallbackUrl: 'https://calls.example.com/api/webhooks/call-status',
    });
    expectCleanExchanges(exchanges, lenient);
    expect(pathOf(exchanges[0])).toBe(`${API}/IncomingPhoneNumbers/${NUMBER_SID}.json`);
    expect(exchanges[0]?.data).toEqual({
      VoiceUrl: 'https://calls.example.com/api/webhooks/pool/7/voice',
      VoiceMethod: 'POST',
      StatusCallback: 'https://calls.example.com/api/webhooks/call-status',
      StatusCallbackMethod: 'POST',
    });
  });

  it('release deletes the IncomingPhoneNumber (strict mock, 204)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    await expect(telephony.releaseNumber(NUMBER_SID)).resolves.toBeUndefined();
    expectCleanExchanges(exchanges, strict);
    expect(exchanges[0]?.method.toLowerCase()).toBe('delete');
    expect(exchanges[0]?.statusCode).toBe(204);
    expect(pathOf(exchanges[0])).toBe(`${API}/IncomingPhoneNumbers/${NUMBER_SID}.json`);
  });

  it('a malformed number sid is not_found without a request', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    expect((await rejection(telephony.releaseNumber('PN123'))).kind).toBe('not_found');
    expect((await rejection(telephony.releaseNumber('../Calls/CA1'))).kind).toBe('not_found');
    expect(exchanges).toEqual([]);
  });
});

describe('call control', () => {
  it('transfer updates the call with <Dial><Number> TwiML (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    await telephony.transferCall(CALL_SID, '+14155550142', { actionUrl: 'https://calls.example.com/api/webhooks/dial-status' });
    expectCleanExchanges(exchanges, strict);
    expect(exchanges).toHaveLength(1);
    expect(pathOf(exchanges[0])).toBe(`${API}/Calls/${CALL_SID}.json`);
    expect(exchanges[0]?.data).toEqual({
      Twiml:
        `${XML}<Response><Dial action="https://calls.example.com/api/webhooks/dial-status" method="POST">` +
        '<Number>+14155550142</Number></Dial></Response>',
    });
  });

  it('hold: no conference holds the call, so the call is updated with looping hold audio', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    await expect(telephony.holdCall(CALL_SID)).resolves.toEqual({ via: 'call_update' });
    expectCleanExchanges(exchanges, lenient);
    expect(exchanges.map((e) => `${e.method.toUpperCase()} ${pathOf(e)}`)).toEqual([
      `GET ${API}/Conferences.json`,
      `POST ${API}/Calls/${CALL_SID}.json`,
    ]);
    expect(exchanges[0]?.params).toEqual({ Status: 'in-progress', PageSize: 100 });
    expect(exchanges[1]?.data).toEqual({ Twiml: `${XML}<Response><Play loop="0">${DEFAULT_HOLD_MUSIC_URL}</Play></Response>` });
  });

  it('resume redirects the call to resumeUrl with POST', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    await expect(telephony.resumeCall(CALL_SID, 'https://calls.example.com/api/webhooks/resume?call=1')).resolves.toEqual({
      via: 'call_update',
    });
    expectCleanExchanges(exchanges, lenient);
    expect(exchanges[1]?.data).toEqual({ Url: 'https://calls.example.com/api/webhooks/resume?call=1', Method: 'POST' });
  });

  it('mute: not in a conference, and Twilio’s example call has completed → conflict, nothing updated', async () => {
    const { telephony, exchanges } = telephonyOn(lenient);
    const err = await rejection(telephony.muteCall(CALL_SID));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain('completed');
    expectCleanExchanges(exchanges, lenient);
    expect(exchanges.map((e) => `${e.method.toUpperCase()} ${pathOf(e)}`)).toEqual([
      `GET ${API}/Conferences.json`,
      `GET ${API}/Calls/${CALL_SID}.json`,
    ]);
  });

  it('recording start uses the call’s Recordings sub-resource and returns the RE sid (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    await expect(telephony.startRecording(CALL_SID)).resolves.toEqual({ recordingSid: 'REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
    await expect(
      telephony.startRecording(CALL_SID, { statusCallbackUrl: 'https://calls.example.com/api/webhooks/recording-status' }),
    ).resolves.toEqual({ recordingSid: 'REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
    expectCleanExchanges(exchanges, strict);
    expect(exchanges.map(pathOf)).toEqual([`${API}/Calls/${CALL_SID}/Recordings.json`, `${API}/Calls/${CALL_SID}/Recordings.json`]);
    expect(exchanges[1]?.data).toEqual({
      RecordingStatusCallback: 'https://calls.example.com/api/webhooks/recording-status',
      RecordingStatusCallbackMethod: 'POST',
    });
  });

  it('recording stop sets Status=stopped on the recording (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    await telephony.stopRecording(CALL_SID, RECORDING_SID);
    expectCleanExchanges(exchanges, strict);
    expect(pathOf(exchanges[0])).toBe(`${API}/Calls/${CALL_SID}/Recordings/${RECORDING_SID}.json`);
    expect(exchanges[0]?.data).toEqual({ Status: 'stopped' });
  });

  it('hangup sets Status=completed (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    await telephony.hangupCall(CALL_SID);
    expectCleanExchanges(exchanges, strict);
    expect(pathOf(exchanges[0])).toBe(`${API}/Calls/${CALL_SID}.json`);
    expect(exchanges[0]?.data).toEqual({ Status: 'completed' });
  });

  it('malformed call or recording sids are not_found, bad targets invalid — without a request', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    expect((await rejection(telephony.transferCall('CA-nope', '+14155550142'))).kind).toBe('not_found');
    expect((await rejection(telephony.hangupCall('CA1/../../IncomingPhoneNumbers/PN1'))).kind).toBe('not_found');
    expect((await rejection(telephony.stopRecording(CALL_SID, 'RE1'))).kind).toBe('not_found');
    expect((await rejection(telephony.transferCall(CALL_SID, '4155550142'))).kind).toBe('invalid');
    expect((await rejection(telephony.resumeCall(CALL_SID, 'javascript:alert(1)'))).kind).toBe('invalid');
    expect(exchanges).toEqual([]);
  });
});

describe('outbound calls (the dialer)', () => {
  const outbound = {
    to: '+14155550142',
    from: '+14155550100',
    answerUrl: 'https://calls.example.com/api/webhooks/outbound/answer',
    statusCallbackUrl: 'https://calls.example.com/api/webhooks/outbound/status',
  };

  it('placeCall creates the call with our webhooks, async AMD and recording (strict mock)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    const placed = await telephony.placeCall({
      ...outbound,
      // No status events here: see the next test for why the mock cannot check them.
      statusEvents: [],
      timeoutSeconds: 25,
      machineDetection: { mode: 'DetectMessageEnd', statusCallbackUrl: 'https://calls.example.com/api/webhooks/outbound/amd', timeoutSeconds: 30 },
      recordingStatusCallbackUrl: 'https://calls.example.com/api/webhooks/outbound/recording',
    });
    expect(placed.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expectCleanExchanges(exchanges, strict);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.method.toLowerCase()).toBe('post');
    expect(pathOf(exchanges[0])).toBe(`${API}/Calls.json`);
    expect(exchanges[0]?.data).toEqual({
      To: '+14155550142',
      From: '+14155550100',
      Url: 'https://calls.example.com/api/webhooks/outbound/answer',
      Method: 'POST',
      StatusCallback: 'https://calls.example.com/api/webhooks/outbound/status',
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: [],
      Timeout: 25,
      MachineDetection: 'DetectMessageEnd',
      AsyncAmd: 'true',
      AsyncAmdStatusCallback: 'https://calls.example.com/api/webhooks/outbound/amd',
      AsyncAmdStatusCallbackMethod: 'POST',
      MachineDetectionTimeout: 30,
      Record: 'true',
      RecordingStatusCallback: 'https://calls.example.com/api/webhooks/outbound/recording',
      RecordingStatusCallbackMethod: 'POST',
    });
  });

  it('placeCall asks for the four status events as a repeated form field (Prism reads it as a string: its only complaint)', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    // The twilio library sends an array as the field repeated (StatusCallbackEvent=initiated&…), as
    // Twilio expects; Twilio's description gives the form no `encoding`, so Prism reads the field
    // as one string and answers 422 for it — and for nothing else in the request.
    const err = await rejection(telephony.placeCall(outbound));
    expect(err.kind).toBe('invalid');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.data).toMatchObject({ StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] });
    const body = exchanges[0]?.body as { validation?: Array<{ location: string[]; code: string }> };
    expect(body.validation?.map((v) => [v.location.join('.'), v.code])).toEqual([['body.StatusCallbackEvent', 'type']]);
  });

  it('placeCall refuses a national number or a relative webhook without a request', async () => {
    const { telephony, exchanges } = telephonyOn(strict);
    const base = { from: '+14155550100', answerUrl: 'https://calls.example.com/a', statusCallbackUrl: 'https://calls.example.com/s' };
    expect((await rejection(telephony.placeCall({ ...base, to: '4155550142' }))).kind).toBe('invalid');
    expect((await rejection(telephony.placeCall({ ...base, to: '+14155550142', answerUrl: '/a' }))).kind).toBe('invalid');
    expect(exchanges).toEqual([]);
  });
});

describe('factory', () => {
  it('TELEPHONY=twilio builds the Twilio adapter, which works through the given http client', async () => {
    const exchanges: TwilioExchange[] = [];
    const telephony = createTelephony(
      { telephony: 'twilio', twilioAccountSid: ACCOUNT_SID, twilioAuthToken: AUTH_TOKEN },
      { httpClient: new LocalTwilioHttpClient(strict.baseUrl, { onExchange: (e) => exchanges.push(e) }) },
    );
    expect(telephony.kind).toBe('twilio');
    await telephony.hangupCall(CALL_SID);
    expectCleanExchanges(exchanges, strict);
    // The library's own basic auth reached the mock (Prism would answer 401 without it).
    expect(exchanges).toHaveLength(1);
  });
});
