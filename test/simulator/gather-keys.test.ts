// The simulated caller's keys reach a <Gather>'s action as Twilio sends them: Twilio stops
// collecting at `numDigits` keys and at a `finishOnKey` key (default `#`), which is not part of
// Digits; `finishOnKey=""` makes `#` an ordinary key. Nothing before the finish key is no input:
// Twilio goes on with the next verb, the action URL is not requested.
import { describe, expect, it } from 'vitest';
import { type CallScript, type CarrierUrls, play } from '../../server/simulator/carrier.js';
import { readTwiml } from '../../server/simulator/twiml-reader.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

const BASE = 'http://127.0.0.1:4000';
const urls: CarrierUrls = { voiceUrl: `${BASE}/voice`, statusCallbackUrl: `${BASE}/call-status`, base: BASE };

function script(digits: string[]): CallScript {
  return { callSid: 'CA0123456789abcdef0123456789abcdef', to: '+13125550100', from: '+13105550123', dialOutcomes: [], outcome: 'answered', durationSec: 10, ringSec: 3, digits };
}

/** Plays one <Gather> document with the caller's keys; what the action URL got (null: not requested). */
async function gathered(gatherAttributes: string, keys: string): Promise<string | null> {
  const { io, requests } = fakeCarrierIo(BASE, (path) => (path === '/menu' ? { status: 200, body: '<Response><Hangup/></Response>' } : { status: 204, body: '' }));
  const verbs = readTwiml(`<Response><Gather action="${BASE}/menu" ${gatherAttributes}><Say>Press 1</Say></Gather><Hangup/></Response>`);
  await play(script([keys]), urls, io, verbs);
  const menu = requests.find((r) => r.path === '/menu');
  return menu ? menu.params.Digits! : null;
}

describe('simulated <Gather>: the keys Twilio would send', () => {
  it('stops at numDigits', async () => {
    expect(await gathered('numDigits="1"', '12')).toBe('1');
    expect(await gathered('numDigits="3"', '12345')).toBe('123');
  });

  it('stops at the finish key (default #), which is not sent', async () => {
    expect(await gathered('', '42#')).toBe('42');
    expect(await gathered('finishOnKey="*"', '7*8')).toBe('7');
  });

  it('with finishOnKey="" the # is a key like any other', async () => {
    expect(await gathered('numDigits="2" finishOnKey=""', '#1')).toBe('#1');
  });

  it('only the finish key: no input, the action URL is not requested', async () => {
    expect(await gathered('numDigits="1"', '#')).toBeNull();
  });

  it('keys without limits are sent as pressed', async () => {
    expect(await gathered('', '123')).toBe('123');
  });
});
