// The call path's TwiML is remembered by its inputs (server/inbound/webhooks/twiml.ts): the same
// inputs give the same text, other inputs their own, and a fallback that plays an uploaded audio
// is built afresh each time (its signed URL expires). BoundedMemo itself: bounded, starts over.
import { describe, expect, it } from 'vitest';
import { dialTwiml, fallbackTwiml } from '../../../server/inbound/webhooks/twiml.js';
import { BoundedMemo } from '../../../server/platform/common/bounded-memo.js';

const ACTION = 'https://example.test/api/webhooks/dial-status?attempt=1&route=auto';

describe('dialTwiml', () => {
  it('answers each destination, action and timeout with its own <Dial>, the same each time', () => {
    const first = dialTwiml('+12125550100', ACTION, 30);
    expect(first).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Dial action="https://example.test/api/webhooks/dial-status?attempt=1&amp;route=auto" method="POST" timeout="30"><Number>+12125550100</Number></Dial></Response>',
    );
    expect(dialTwiml('+12125550100', ACTION, 30)).toBe(first);
    expect(dialTwiml('+12125550100', ACTION, 45)).toContain('timeout="45"');
    expect(dialTwiml('+12125550199', ACTION, 30)).toContain('<Number>+12125550199</Number>');
    expect(dialTwiml('sip:desk@pbx.example.test', ACTION, 30)).toContain('<Sip>sip:desk@pbx.example.test</Sip>');
  });
});

describe('fallbackTwiml', () => {
  const urls = (audio: (id: string) => string) => ({ voicemail: () => 'https://example.test/api/webhooks/voicemail', audio });

  it('remembers a spoken fallback by its action, message and voicemail URL', () => {
    const spoken = { fallback_action: 'message', fallback_message: 'Closed for today.', fallback_audio_id: null } as const;
    const once = fallbackTwiml(spoken, urls(() => 'unused'));
    expect(once).toContain('<Say>Closed for today.</Say><Hangup/>');
    expect(fallbackTwiml(spoken, urls(() => 'unused'))).toBe(once);
    const voicemail = fallbackTwiml({ ...spoken, fallback_action: 'voicemail' }, urls(() => 'unused'));
    expect(voicemail).toContain('<Record action="https://example.test/api/webhooks/voicemail"');
  });

  it('builds a fallback that plays an uploaded audio afresh, with the URL signed now', () => {
    let signed = 0;
    const withAudio = { fallback_action: 'message', fallback_message: null, fallback_audio_id: 'a1' } as const;
    const sign = (id: string) => `https://example.test/audio/${id}?sig=${(signed += 1)}`;
    expect(fallbackTwiml(withAudio, urls(sign))).toContain('<Play>https://example.test/audio/a1?sig=1</Play>');
    expect(fallbackTwiml(withAudio, urls(sign))).toContain('<Play>https://example.test/audio/a1?sig=2</Play>');
  });
});

describe('BoundedMemo', () => {
  it('works an answer out once per key, and starts over when it holds its limit', () => {
    const memo = new BoundedMemo<string, string>(3);
    const worked: string[] = [];
    const work = (key: string) => {
      worked.push(key);
      return key.toUpperCase();
    };
    expect(['a', 'b', 'a', 'c', 'b'].map((k) => memo.get(k, work))).toEqual(['A', 'B', 'A', 'C', 'B']);
    expect(worked).toEqual(['a', 'b', 'c']);
    expect(memo.size).toBe(3);
    expect(memo.get('d', work)).toBe('D');
    expect(memo.size).toBe(1);
    expect(memo.get('a', work)).toBe('A');
    expect(worked).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('remembers an answer that is undefined or null too', () => {
    const memo = new BoundedMemo<string, string | null | undefined>(10);
    let calls = 0;
    const work = (key: string) => {
      calls += 1;
      return key === 'none' ? null : undefined;
    };
    memo.get('none', work);
    memo.get('none', work);
    memo.get('missing', work);
    memo.get('missing', work);
    expect(calls).toBe(2);
  });
});
