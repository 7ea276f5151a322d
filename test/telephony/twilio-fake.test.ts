// The Twilio adapter against a recording fake: a local HTTP server that captures the exact
// requests the official library sends (form bodies, query strings, auth) and answers what each
// test needs — the stateful and error cases a stateless Prism mock cannot give (a call that is a
// conference participant, a live two-party call, Twilio's error codes, an unreachable API).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalTwilioHttpClient, rewriteTwilioUri } from '../../server/telephony/local-http-client.js';
import { createTwilioTelephony } from '../../server/telephony/twilio.js';
import { TelephonyError, type Telephony } from '../../server/telephony/types.js';
import { freePort, startRecordingFake, twilioError, type FakeRequest, type RecordingFake } from './helpers.js';

const ACCOUNT_SID = 'ACfedcba9876543210fedcba9876543210';
const AUTH_TOKEN = 'fake-token';
const CALL_SID = 'CA44444444444444444444444444444444';
const CONF_A = 'CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
const CONF_B = 'CFbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
const API = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

let fake: RecordingFake;
let telephony: Telephony;

beforeAll(async () => {
  fake = await startRecordingFake();
  telephony = createTwilioTelephony({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    httpClient: new LocalTwilioHttpClient(fake.baseUrl),
  });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.answer = () => ({ status: 200, body: {} });
});

function line(r: FakeRequest | undefined): string {
  return `${r?.method} ${r?.path}`;
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

/** Answers for conference lookups: which conferences are in progress, and which holds the call. */
function conferenceAnswers(conferences: string[], holding: string | null, callStatus = 'in-progress') {
  return (r: FakeRequest) => {
    if (r.method === 'GET' && r.path === `${API}/Conferences.json`) {
      return {
        body: {
          conferences: conferences.map((sid) => ({ sid, status: 'in-progress', account_sid: ACCOUNT_SID })),
          next_page_uri: null,
          page: 0,
          page_size: 100,
        },
      };
    }
    const participant = /^.*\/Conferences\/(CF\w+)\/Participants\/(CA\w+)\.json$/.exec(r.path);
    if (participant) {
      if (participant[1] !== holding) return twilioError(404, 20404, 'The requested resource was not found');
      return { body: { call_sid: participant[2], conference_sid: participant[1], muted: false, hold: false, status: 'connected' } };
    }
    if (r.method === 'GET' && r.path === `${API}/Calls/${CALL_SID}.json`) {
      return { body: { sid: CALL_SID, status: callStatus, account_sid: ACCOUNT_SID } };
    }
    return { body: { sid: CALL_SID } };
  };
}

describe('exact requests', () => {
  it('purchase: exactly our six form fields, basic auth, form encoding', async () => {
    fake.answer = () => ({
      status: 201,
      body: {
        sid: 'PN0123456789abcdef0123456789abcdef',
        phone_number: '+14155550100',
        friendly_name: 'Main Campaign Line',
        capabilities: { voice: true, SMS: true, MMS: false, fax: false }, // the live API's upper case
      },
    });
    const purchased = await telephony.purchaseNumber({
      phoneNumber: '+14155550100',
      friendlyName: 'Main Campaign Line',
      voiceUrl: 'https://calls.example.com/api/webhooks/voice',
      statusCallbackUrl: 'https://calls.example.com/api/webhooks/call-status',
    });
    expect(purchased).toEqual({
      sid: 'PN0123456789abcdef0123456789abcdef',
      phoneNumber: '+14155550100',
      friendlyName: 'Main Campaign Line',
      capabilities: { voice: true, SMS: true, MMS: false },
      monthlyFee: null,
    });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(line(request)).toBe(`POST ${API}/IncomingPhoneNumbers.json`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      PhoneNumber: '+14155550100',
      FriendlyName: 'Main Campaign Line',
      VoiceUrl: 'https://calls.example.com/api/webhooks/voice',
      VoiceMethod: 'POST',
      StatusCallback: 'https://calls.example.com/api/webhooks/call-status',
      StatusCallbackMethod: 'POST',
    });
    expect(request?.form).toHaveLength(6);
  });

  it('purchase without a friendly name sends none and uses Twilio’s', async () => {
    fake.answer = () => ({ status: 201, body: { sid: 'PN0123456789abcdef0123456789abcdef', phone_number: '+14155550100', friendly_name: '(415) 555-0100', capabilities: {} } });
    const purchased = await telephony.purchaseNumber({
      phoneNumber: '+14155550100',
      voiceUrl: 'https://calls.example.com/v',
      statusCallbackUrl: 'https://calls.example.com/s',
    });
    expect(purchased.friendlyName).toBe('(415) 555-0100');
    expect(purchased.capabilities).toEqual({ voice: false, SMS: false, MMS: false });
    expect(fake.requests[0]?.form.map(([k]) => k)).not.toContain('FriendlyName');
  });

  const OUR_VOICE_URL = 'https://ccp.example/api/webhooks/voice';

  it('findOwnedNumber: looks the number up among the account\'s incoming numbers (after a lost purchase answer)', async () => {
    fake.answer = (r) =>
      r.method === 'GET' && r.path === `${API}/IncomingPhoneNumbers.json` && r.query.get('PhoneNumber') === '+14155550100'
        ? {
            body: {
              incoming_phone_numbers: [
                {
                  sid: 'PN0123456789abcdef0123456789abcdef',
                  phone_number: '+14155550100',
                  friendly_name: 'Main line',
                  voice_url: OUR_VOICE_URL,
                  capabilities: { voice: true, sms: true, mms: false },
                },
              ],
              next_page_uri: null,
              page: 0,
              page_size: 1,
            },
          }
        : { body: { incoming_phone_numbers: [], next_page_uri: null, page: 0, page_size: 1 } };
    expect(await telephony.findOwnedNumber('+14155550100', OUR_VOICE_URL)).toEqual({
      sid: 'PN0123456789abcdef0123456789abcdef',
      phoneNumber: '+14155550100',
      friendlyName: 'Main line',
      capabilities: { voice: true, SMS: true, MMS: false },
      monthlyFee: null,
    });
    expect(line(fake.requests[0])).toBe(`GET ${API}/IncomingPhoneNumbers.json`);
    expect(await telephony.findOwnedNumber('+14155550199', OUR_VOICE_URL)).toBeNull();
    // Held by the account for something else (another voice URL): never taken for a lost purchase.
    expect(await telephony.findOwnedNumber('+14155550100', 'https://elsewhere.example/voice')).toBeNull();
  });

  it('search: the exact query string, at most `limit` numbers, upper-case capabilities mapped', async () => {
    fake.answer = () => ({
      body: {
        available_phone_numbers: ['+14155550101', '+14155550102', '+14155550103'].map((n) => ({
          phone_number: n,
          friendly_name: n,
          region: 'CA',
          iso_country: 'US',
          capabilities: { voice: true, SMS: true, MMS: false },
        })),
        uri: '/x.json',
      },
    });
    const numbers = await telephony.searchNumbers({ country: 'US', type: 'local', areaCode: '415', contains: '555*1%', limit: 2 });
    expect(numbers.map((n) => n.phoneNumber)).toEqual(['+14155550101', '+14155550102']);
    expect(numbers[0]).toEqual({
      phoneNumber: '+14155550101',
      friendlyName: '+14155550101',
      region: 'CA',
      isoCountry: 'US',
      capabilities: { voice: true, SMS: true, MMS: false },
    });
    expect(line(fake.requests[0])).toBe(`GET ${API}/AvailablePhoneNumbers/US/Local.json`);
    expect(fake.requests[0]?.query.toString()).toBe('AreaCode=415&Contains=555*1%25&PageSize=2');
  });

  it('transfer: <Dial> attributes are escaped by VoiceResponse', async () => {
    await telephony.transferCall(CALL_SID, '+442079460123', {
      actionUrl: 'https://calls.example.com/api/webhooks/dial-status?call=1&leg=transfer',
      callerId: '+14155550100',
      timeoutSeconds: 20,
    });
    expect(line(fake.requests[0])).toBe(`POST ${API}/Calls/${CALL_SID}.json`);
    expect(fake.requests[0]?.form).toEqual([
      [
        'Twiml',
        `${XML}<Response><Dial action="https://calls.example.com/api/webhooks/dial-status?call=1&amp;leg=transfer" ` +
          'method="POST" callerId="+14155550100" timeout="20"><Number>+442079460123</Number></Dial></Response>',
      ],
    ]);
  });

  it('redirect: a call update with Url and Method; a URL that is not http(s) is refused before any request', async () => {
    await telephony.redirectCall(CALL_SID, 'https://calls.example.com/api/webhooks/outbound/answer?callId=7');
    expect(fake.requests.map(line)).toEqual([`POST ${API}/Calls/${CALL_SID}.json`]);
    expect(fake.requests[0]?.form).toEqual([
      ['Url', 'https://calls.example.com/api/webhooks/outbound/answer?callId=7'],
      ['Method', 'POST'],
    ]);
    expect((await rejection(telephony.redirectCall(CALL_SID, 'javascript:alert(1)'))).kind).toBe('invalid');
    expect(fake.requests).toHaveLength(1);
  });

  it('hold with custom audio on a <Dial> call: one conference lookup, then the call update', async () => {
    fake.answer = conferenceAnswers([], null);
    await expect(telephony.holdCall(CALL_SID, { holdMusicUrl: 'https://cdn.example.com/hold.mp3?a=1&b=2' })).resolves.toEqual({
      via: 'call_update',
    });
    expect(fake.requests.map(line)).toEqual([`GET ${API}/Conferences.json`, `POST ${API}/Calls/${CALL_SID}.json`]);
    expect(fake.requests[0]?.query.toString()).toBe('Status=in-progress&PageSize=100');
    expect(fake.requests[1]?.form).toEqual([
      ['Twiml', `${XML}<Response><Play loop="0">https://cdn.example.com/hold.mp3?a=1&amp;b=2</Play></Response>`],
    ]);
  });

  it('recording start with a status callback, and stop', async () => {
    fake.answer = () => ({ status: 201, body: { sid: 'RE0123456789abcdef0123456789abcdef', call_sid: CALL_SID, status: 'in-progress' } });
    await expect(
      telephony.startRecording(CALL_SID, { statusCallbackUrl: 'https://calls.example.com/api/webhooks/recording' }),
    ).resolves.toEqual({ recordingSid: 'RE0123456789abcdef0123456789abcdef' });
    await telephony.stopRecording(CALL_SID, 'RE0123456789abcdef0123456789abcdef');
    expect(fake.requests.map(line)).toEqual([
      `POST ${API}/Calls/${CALL_SID}/Recordings.json`,
      `POST ${API}/Calls/${CALL_SID}/Recordings/RE0123456789abcdef0123456789abcdef.json`,
    ]);
    expect(fake.requests[0]?.form).toEqual([
      ['RecordingStatusCallback', 'https://calls.example.com/api/webhooks/recording'],
      ['RecordingStatusCallbackMethod', 'POST'],
    ]);
    expect(fake.requests[1]?.form).toEqual([['Status', 'stopped']]);
  });
});

describe('conference participants: true hold and mute', () => {
  it('finds the call in the second conference and holds / resumes / mutes / unmutes the participant', async () => {
    fake.answer = conferenceAnswers([CONF_A, CONF_B], CONF_B);
    const participant = `${API}/Conferences/${CONF_B}/Participants/${CALL_SID}.json`;

    await expect(telephony.holdCall(CALL_SID)).resolves.toEqual({ via: 'conference_participant' });
    expect(fake.requests.map(line)).toEqual([
      `GET ${API}/Conferences.json`,
      `GET ${API}/Conferences/${CONF_A}/Participants/${CALL_SID}.json`,
      `GET ${participant}`,
      `POST ${participant}`,
    ]);
    expect(fake.requests[3]?.form).toEqual([['Hold', 'true']]);

    fake.requests.length = 0;
    await telephony.holdCall(CALL_SID, { holdMusicUrl: 'https://cdn.example.com/hold.mp3' });
    expect(fake.requests.at(-1)?.form).toEqual([
      ['Hold', 'true'],
      ['HoldUrl', 'https://cdn.example.com/hold.mp3'],
      ['HoldMethod', 'GET'],
    ]);

    fake.requests.length = 0;
    await expect(telephony.resumeCall(CALL_SID, 'https://calls.example.com/unused')).resolves.toEqual({ via: 'conference_participant' });
    expect(line(fake.requests.at(-1))).toBe(`POST ${participant}`);
    expect(fake.requests.at(-1)?.form).toEqual([['Hold', 'false']]);

    await telephony.muteCall(CALL_SID);
    expect(fake.requests.at(-1)?.form).toEqual([['Muted', 'true']]);
    await telephony.unmuteCall(CALL_SID);
    expect(fake.requests.at(-1)?.form).toEqual([['Muted', 'false']]);
    // No call update ever: the conference stays intact.
    expect(fake.requests.filter((r) => r.path === `${API}/Calls/${CALL_SID}.json`)).toEqual([]);
  });

  it('mute of a live two-party <Dial> call is not_supported, and nothing is changed', async () => {
    fake.answer = conferenceAnswers([CONF_A], null, 'in-progress');
    for (const op of [telephony.muteCall(CALL_SID), telephony.unmuteCall(CALL_SID)]) {
      const err = await rejection(op);
      expect(err.kind).toBe('not_supported');
      expect(err.message).toContain('<Dial><Number>');
    }
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('mute of an unknown call is not_found; of an ended call, conflict', async () => {
    fake.answer = (r) =>
      r.path === `${API}/Calls/${CALL_SID}.json` ? twilioError(404, 20404, 'The requested resource was not found') : conferenceAnswers([], null)(r);
    expect((await rejection(telephony.muteCall(CALL_SID))).kind).toBe('not_found');
    fake.answer = conferenceAnswers([], null, 'completed');
    expect((await rejection(telephony.muteCall(CALL_SID))).kind).toBe('conflict');
  });
});

describe('Twilio errors → TelephonyError kinds', () => {
  it.each([
    [404, 20404, 'not_found'],
    [400, 21220, 'conflict'],
    [400, 21211, 'invalid'],
    [401, 20003, 'provider_error'],
    [403, 20003, 'provider_error'],
    [429, 20429, 'provider_error'],
    [500, 20500, 'provider_error'],
    [503, 20503, 'provider_error'],
  ] as const)('HTTP %i code %i → %s', async (status, code, kind) => {
    fake.answer = () => twilioError(status, code, `error ${code}`);
    const err = await rejection(telephony.transferCall(CALL_SID, '+14155550142'));
    expect(err.kind).toBe(kind);
    expect(err.details).toEqual({ providerStatus: status, providerCode: code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
    expect(err.message).toContain(`error ${code}`);
  });

  it('a number that is no longer available (21422) is a conflict', async () => {
    fake.answer = () => twilioError(400, 21422, 'PhoneNumber Requested is not available');
    const err = await rejection(
      telephony.purchaseNumber({ phoneNumber: '+14155550100', voiceUrl: 'https://x.example/v', statusCallbackUrl: 'https://x.example/s' }),
    );
    expect(err.kind).toBe('conflict');
  });

  it('hanging up a call that has already ended is not an error', async () => {
    fake.answer = () => twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    await expect(telephony.hangupCall(CALL_SID)).resolves.toBeUndefined();
    expect(fake.requests[0]?.form).toEqual([['Status', 'completed']]);
  });

  it('an unknown recording is not_found', async () => {
    fake.answer = () => twilioError(404, 20404, 'The requested resource was not found');
    expect((await rejection(telephony.stopRecording(CALL_SID, 'RE0123456789abcdef0123456789abcdef'))).kind).toBe('not_found');
  });

  it('an unreachable API is a provider_error', async () => {
    const port = await freePort();
    const offline = createTwilioTelephony({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      httpClient: new LocalTwilioHttpClient(`http://127.0.0.1:${port}`),
    });
    const err = await rejection(offline.hangupCall(CALL_SID));
    expect(err.kind).toBe('provider_error');
    expect(err.message).toMatch(/could not be reached/);
  });
});

describe('rewriteTwilioUri', () => {
  it.each([
    ['https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Calls.json'],
    ['https://api.dublin.ie1.twilio.com/2010-04-01/x.json?a=1', 'http://127.0.0.1:4010/', 'http://127.0.0.1:4010/2010-04-01/x.json?a=1'],
    ['https://pricing.twilio.com/v1/PhoneNumbers', 'https://twilio-compat.internal/proxy', 'https://twilio-compat.internal/proxy/v1/PhoneNumbers'],
    ['https://api.twilio.com.evil.example/x', 'http://127.0.0.1:1', 'https://api.twilio.com.evil.example/x'],
    ['https://eviltwilio.com/x', 'http://127.0.0.1:1', 'https://eviltwilio.com/x'],
  ])('%s on %s', (uri, base, expected) => {
    expect(rewriteTwilioUri(uri, base)).toBe(expected);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new LocalTwilioHttpClient('file:///etc')).toThrow(/http/);
  });
});
