// DESIGN.md 4.3 — priority: lowest number first, round-robin among equals. The equals a call falls
// through to (the one buyer ahead of them busy or not answering) share those calls too, and a
// round-robin campaign's fall-through keeps rotating.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { buyerCampaign, callSid, dialStatus, voice } from './helpers.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Fall-through Rotation Org');
});
afterAll(async () => t.close());

const dialled = (xml: string) => /<Number>([^<]+)<\/Number>/.exec(xml)?.[1];

describe('fall-through among buyers of equal priority', () => {
  it('the top buyer busy on every call: its two equals behind it take the fall-through in turn', async () => {
    const { campaign } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550401', assignmentPriority: 1 },
      { phoneNumber: '+13125550402', assignmentPriority: 2 },
      { phoneNumber: '+13125550403', assignmentPriority: 2 },
    ]);
    const second: Array<string | undefined> = [];
    for (let i = 0; i < 4; i += 1) {
      const sid = callSid();
      expect(dialled((await voice(t, sid, campaign.phoneNumber!)).text)).toBe('+13125550401');
      second.push(dialled((await dialStatus(t, sid, 1, 'busy')).text));
    }
    expect(second.filter((n) => n === '+13125550402')).toHaveLength(2);
    expect(second.filter((n) => n === '+13125550403')).toHaveLength(2);
  });

  it('with limits (the one-statement path): the same', async () => {
    const { campaign } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550411', assignmentPriority: 1, maxConcurrentCalls: 50 },
      { phoneNumber: '+13125550412', assignmentPriority: 2, maxConcurrentCalls: 50 },
      { phoneNumber: '+13125550413', assignmentPriority: 2, maxConcurrentCalls: 50 },
    ]);
    const second: Array<string | undefined> = [];
    for (let i = 0; i < 4; i += 1) {
      const sid = callSid();
      expect(dialled((await voice(t, sid, campaign.phoneNumber!)).text)).toBe('+13125550411');
      second.push(dialled((await dialStatus(t, sid, 1, 'no-answer')).text));
    }
    expect(second.filter((n) => n === '+13125550412')).toHaveLength(2);
    expect(second.filter((n) => n === '+13125550413')).toHaveLength(2);
  });

  it('two groups of equals: a call rotates the first group, and its fall-through the second, each in turn', async () => {
    const { campaign } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550421', assignmentPriority: 1 },
      { phoneNumber: '+13125550422', assignmentPriority: 1 },
      { phoneNumber: '+13125550423', assignmentPriority: 2 },
      { phoneNumber: '+13125550424', assignmentPriority: 2 },
    ]);
    const paths: Array<Array<string | undefined>> = [];
    for (let i = 0; i < 4; i += 1) {
      const sid = callSid();
      const path = [dialled((await voice(t, sid, campaign.phoneNumber!)).text)];
      path.push(dialled((await dialStatus(t, sid, 1, 'busy')).text));
      path.push(dialled((await dialStatus(t, sid, 2, 'busy')).text));
      paths.push(path);
    }
    const firsts = paths.map((p) => p[0]);
    const thirds = paths.map((p) => p[2]);
    expect(firsts.filter((n) => n === '+13125550421')).toHaveLength(2);
    expect(firsts.filter((n) => n === '+13125550422')).toHaveLength(2);
    expect(thirds.filter((n) => n === '+13125550423')).toHaveLength(2);
    expect(thirds.filter((n) => n === '+13125550424')).toHaveLength(2);
  });
});
