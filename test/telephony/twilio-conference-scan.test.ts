// Hold / resume / mute of a conference participant when the account has more in-progress
// conferences than one page: Twilio pages its Conferences list (next_page_uri). Before, only the
// first 100 were looked at, so a call in the 101st was taken for a two-party <Dial> call: hold
// redirected it to hold music (taking it out of its conference: the agent lost the caller) and
// mute was refused. Every page is read now, and the call is held as a participant.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalTwilioHttpClient } from '../../server/telephony/local-http-client.js';
import { createTwilioTelephony } from '../../server/telephony/twilio.js';
import type { Telephony } from '../../server/telephony/types.js';
import { startRecordingFake, twilioError, type FakeRequest, type RecordingFake } from './helpers.js';

const ACCOUNT_SID = 'ACfedcba9876543210fedcba9876543210';
const CALL_SID = 'CA55555555555555555555555555555555';
const API = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
/** 150 in-progress conferences; the call is in the last one. */
const CONFERENCES = Array.from({ length: 150 }, (_, i) => `CF${String(i).padStart(32, '0')}`);
const HOLDING = CONFERENCES.at(-1)!;
const PAGE = 100;

let fake: RecordingFake;
let telephony: Telephony;

function answer(r: FakeRequest) {
  if (r.method === 'GET' && r.path === `${API}/Conferences.json`) {
    const page = Number(r.query.get('Page') ?? 0);
    const slice = CONFERENCES.slice(page * PAGE, (page + 1) * PAGE);
    const more = (page + 1) * PAGE < CONFERENCES.length;
    return {
      body: {
        conferences: slice.map((sid) => ({ sid, status: 'in-progress', account_sid: ACCOUNT_SID })),
        next_page_uri: more ? `${API}/Conferences.json?Status=in-progress&PageSize=${PAGE}&Page=${page + 1}&PageToken=PA${page + 1}` : null,
        page,
        page_size: PAGE,
      },
    };
  }
  const participant = /\/Conferences\/(CF\w+)\/Participants\/(CA\w+)\.json$/.exec(r.path);
  if (participant) {
    if (participant[1] !== HOLDING) return twilioError(404, 20404, 'The requested resource was not found');
    return { body: { call_sid: participant[2], conference_sid: participant[1], muted: false, hold: false, status: 'connected' } };
  }
  if (r.path === `${API}/Calls/${CALL_SID}.json`) return { body: { sid: CALL_SID, status: 'in-progress', account_sid: ACCOUNT_SID } };
  return { body: {} };
}

beforeAll(async () => {
  fake = await startRecordingFake();
  telephony = createTwilioTelephony({ accountSid: ACCOUNT_SID, authToken: 'fake-token', httpClient: new LocalTwilioHttpClient(fake.baseUrl) });
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.answer = answer;
});

describe('a conference participant beyond the first page of conferences', () => {
  it('hold is a participant hold: the call is never redirected out of its conference', async () => {
    await expect(telephony.holdCall(CALL_SID)).resolves.toEqual({ via: 'conference_participant' });
    const participant = `${API}/Conferences/${HOLDING}/Participants/${CALL_SID}.json`;
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.form])).toEqual([[participant, [['Hold', 'true']]]]);
    expect(fake.requests.filter((r) => r.path === `${API}/Calls/${CALL_SID}.json`)).toEqual([]);
  });

  it('mute works on it (not refused as a two-party call)', async () => {
    await expect(telephony.muteCall(CALL_SID)).resolves.toBeUndefined();
    expect(fake.requests.at(-1)?.form).toEqual([['Muted', 'true']]);
  });
});
