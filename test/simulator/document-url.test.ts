// Twilio resolves a verb's URL against the URL of the TwiML document it is playing: a <Gather> or
// <Record> without `action` posts to the document's own URL, and a relative action or <Redirect>
// URL is taken relative to it. The simulated carrier does the same.
import { describe, expect, it } from 'vitest';
import { type CallScript, type CarrierUrls, play, resolveUrl } from '../../server/simulator/carrier.js';
import { playOutbound } from '../../server/simulator/outbound-carrier.js';
import { readTwiml } from '../../server/simulator/twiml-reader.js';
import { outboundBehaviour } from '../../server/telephony/simulator/simulator.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

const BASE = 'http://127.0.0.1:4000';
const urls: CarrierUrls = { voiceUrl: `${BASE}/api/webhooks/voice`, statusCallbackUrl: `${BASE}/api/webhooks/call-status`, base: BASE };
const HANGUP = { status: 200, body: '<Response><Hangup/></Response>' };

function script(digits: string[]): CallScript {
  return { callSid: 'CA0123456789abcdef0123456789abcdef', to: '+13125550100', from: '+13105550123', dialOutcomes: [], outcome: 'answered', durationSec: 10, ringSec: 3, digits };
}

describe('simulated carrier: URLs relative to the TwiML document', () => {
  it('a <Gather> without action posts the digits to the current document URL', async () => {
    const first = readTwiml(`<Response><Redirect>${BASE}/api/webhooks/menu?step=2</Redirect></Response>`);
    const menu = '<Response><Gather numDigits="1"><Say>Press 1</Say></Gather><Hangup/></Response>';
    let asked = 0;
    const answers = fakeCarrierIo(BASE, (path) => {
      if (path !== '/api/webhooks/menu?step=2') return { status: 204, body: '' };
      asked += 1;
      return asked === 1 ? { status: 200, body: menu } : HANGUP;
    });
    await play(script(['1']), urls, answers.io, first);
    const menuRequests = answers.requests.filter((r) => r.path === '/api/webhooks/menu?step=2');
    expect(menuRequests).toHaveLength(2);
    expect(menuRequests[0]!.params.Digits).toBeUndefined();
    expect(menuRequests[1]!.params.Digits).toBe('1');
  });

  it('a <Record> without action requests the current document URL with the recording', async () => {
    let asked = 0;
    const { io, requests } = fakeCarrierIo(BASE, (path) => {
      if (path !== '/api/webhooks/voice') return { status: 204, body: '' };
      asked += 1;
      return HANGUP;
    });
    await play(script([]), urls, io, readTwiml('<Response><Record maxLength="30"/><Hangup/></Response>'));
    expect(asked).toBe(1);
    const recorded = requests.find((r) => r.path === '/api/webhooks/voice');
    expect(recorded?.params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(requests.at(-1)?.path).toBe('/api/webhooks/call-status');
  });

  it('relative action and <Redirect> URLs are resolved against the document URL', async () => {
    const { io, requests } = fakeCarrierIo(BASE, (path) => {
      if (path === '/api/webhooks/next') return { status: 200, body: '<Response><Redirect>flow?node=2</Redirect></Response>' };
      if (path === '/api/webhooks/flow?node=2') return HANGUP;
      return { status: 204, body: '' };
    });
    await play(script([]), urls, io, readTwiml('<Response><Dial action="/api/webhooks/next" timeout="10"><Number>+12125550143</Number></Dial></Response>'));
    expect(requests.map((r) => r.path)).toEqual(['/api/webhooks/next', '/api/webhooks/flow?node=2', '/api/webhooks/call-status']);
    expect(requests[0]!.params.DialCallStatus).toBe('completed');
  });

  it('an outbound call resolves a relative <Redirect> against its answer URL', async () => {
    const { io, requests } = fakeCarrierIo(BASE, (path) => {
      if (path === '/api/dialer/answer') return { status: 200, body: '<Response><Redirect>agent?id=7</Redirect></Response>' };
      if (path === '/api/dialer/agent?id=7') return HANGUP;
      return { status: 204, body: '' };
    });
    const to = '+14155550100';
    const input = { to, from: '+13105550100', answerUrl: `${BASE}/api/dialer/answer`, statusCallbackUrl: `${BASE}/api/dialer/status`, statusEvents: ['completed' as const] };
    await playOutbound({ callSid: 'CA0123456789abcdef0123456789abcdef', input, behaviour: outboundBehaviour(to) }, { base: BASE }, io);
    expect(requests.map((r) => r.path)).toEqual(['/api/dialer/answer', '/api/dialer/agent?id=7', '/api/dialer/status']);
  });

  it('resolveUrl keeps absolute URLs and resolves relative ones', () => {
    expect(resolveUrl('https://example.com/a', `${BASE}/x/y`)).toBe('https://example.com/a');
    expect(resolveUrl('z?q=1', `${BASE}/x/y`)).toBe(`${BASE}/x/z?q=1`);
    expect(resolveUrl('/z', `${BASE}/x/y?a=b`)).toBe(`${BASE}/z`);
  });
});
