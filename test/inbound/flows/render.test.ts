import { describe, expect, it } from 'vitest';
import { isOpen } from '../../../server/platform/common/weekly-hours.js';
import { FLOW_ERROR_MESSAGE } from '../../../server/inbound/flows/node-twiml.js';
import { renderNode, resolveMenuInput, type RenderContext } from '../../../server/inbound/flows/render.js';
import type { FlowDefinition, FlowNode, OperatingHours } from '../../../server/inbound/flows/types.js';
import { validateFlow } from '../../../server/inbound/flows/validate.js';

const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const BASE = 'https://calls.example.com/api/webhooks/flows/7';

/** The webhook URL of a step, as the voice webhook would build it. */
function actionUrl(nextNodeId: string, extra?: Record<string, string>): string {
  const query = new URLSearchParams({ node: nextNodeId, ...extra });
  return `${BASE}?${query.toString()}`;
}

// A Monday, 10:00 in New York (EDT, UTC-4).
const MONDAY_10AM_NY = new Date('2025-08-04T14:00:00Z');
const audioUrl = (audioId: string) => `https://calls.example.com/api/audio/${audioId}/play?expires=1&signature=s`;
const ctx = (extra: Partial<RenderContext> = {}): RenderContext => ({ actionUrl, audioUrl, now: MONDAY_10AM_NY, ...extra });

const nodes: FlowNode[] = [
  {
    id: 'hours',
    type: 'BusinessHours',
    config: {
      timeZone: 'America/New_York',
      hours: { monday: { start: '09:00', end: '17:00' } },
      open: 'welcome',
      closed: 'closed',
    },
  },
  { id: 'welcome', type: 'Say', config: { message: 'Welcome to Acme.', next: 'menu' } },
  {
    id: 'menu',
    type: 'Menu',
    config: {
      message: 'Press 1 for sales, 2 for support.',
      options: [
        { digit: '1', next: 'sales' },
        { digit: '2', next: 'support' },
        { digit: '3', next: 'more' },
      ],
    },
  },
  {
    id: 'more',
    type: 'Menu',
    config: {
      message: 'Enter your extension, then the pound key.',
      voice: 'Polly.Joanna',
      language: 'en-US',
      options: [
        { digit: '101', next: 'support' },
        { digit: '*', next: 'menu' },
      ],
      numDigits: 3,
      timeoutSeconds: 8,
      maxRetries: 0,
      invalid: 'goodbye',
    },
  },
  {
    id: 'pound',
    type: 'Menu',
    config: { message: 'Press pound to hear it again.', options: [{ digit: '#', next: 'menu' }], maxRetries: 1 },
  },
  { id: 'sales', type: 'Route', config: { target: 'rtb', next: 'buyers' } },
  { id: 'buyers', type: 'Route', config: { target: 'buyers', next: 'voicemail' } },
  { id: 'support', type: 'Route', config: { target: 'number', number: '+12125551234' } },
  { id: 'closed', type: 'Play', config: { url: 'https://cdn.example.com/closed.mp3?v=2&lang=en', loop: 2, next: 'voicemail' } },
  { id: 'jingle', type: 'Play', config: { url: 'https://cdn.example.com/jingle.mp3' } },
  { id: 'voicemail', type: 'Voicemail', config: { message: 'Leave a message after the tone.' } },
  { id: 'voicemail2', type: 'Voicemail', config: { maxLengthSeconds: 30, transcribe: true } },
  { id: 'goodbye', type: 'Hangup', config: { message: 'Goodbye.', voice: 'alice' } },
  { id: 'silent', type: 'Hangup', config: {} },
  { id: 'last', type: 'Say', config: { message: 'That is all.', voice: 'woman', language: 'en-GB' } },
];
const flow: FlowDefinition = { startNodeId: 'hours', nodes };

const twiml = (body: string) => ({ kind: 'twiml', twiml: `${XML}<Response>${body}</Response>` });

describe('renderNode: exact TwiML per node type', () => {
  it.each([
    ['Say, then the next node', 'welcome', `<Say>Welcome to Acme.</Say><Redirect>${BASE}?node=menu</Redirect>`],
    ['Say with voice and language, last node', 'last', '<Say voice="woman" language="en-GB">That is all.</Say><Hangup/>'],
    [
      'Play looping, then the next node',
      'closed',
      `<Play loop="2">https://cdn.example.com/closed.mp3?v=2&amp;lang=en</Play><Redirect>${BASE}?node=voicemail</Redirect>`,
    ],
    ['Play, last node', 'jingle', '<Play>https://cdn.example.com/jingle.mp3</Play><Hangup/>'],
    [
      'Menu with defaults: 1 key, 5 s, replay on no input',
      'menu',
      `<Gather action="${BASE}?node=menu&amp;gather=1&amp;attempt=1" numDigits="1" timeout="5">` +
        '<Say>Press 1 for sales, 2 for support.</Say></Gather>' +
        `<Redirect>${BASE}?node=menu&amp;attempt=2</Redirect>`,
    ],
    [
      'Menu with settings: 3 keys, 8 s, no retries, invalid node on no input',
      'more',
      `<Gather action="${BASE}?node=more&amp;gather=1&amp;attempt=1" numDigits="3" timeout="8">` +
        '<Say voice="Polly.Joanna" language="en-US">Enter your extension, then the pound key.</Say></Gather>' +
        `<Redirect>${BASE}?node=goodbye</Redirect>`,
    ],
    [
      "Menu with a '#' option: '#' is a key, not the end of input",
      'pound',
      `<Gather action="${BASE}?node=pound&amp;gather=1&amp;attempt=1" numDigits="1" timeout="5" finishOnKey="">` +
        '<Say>Press pound to hear it again.</Say></Gather>' +
        `<Redirect>${BASE}?node=pound&amp;attempt=2</Redirect>`,
    ],
    [
      'Voicemail: message, record, hang up when nothing was recorded',
      'voicemail',
      '<Say>Leave a message after the tone.</Say>' +
        `<Record action="${BASE}?node=voicemail&amp;recorded=1" maxLength="120"/><Hangup/>`,
    ],
    [
      'Voicemail: no message, 30 s, transcribed',
      'voicemail2',
      `<Record action="${BASE}?node=voicemail2&amp;recorded=1" maxLength="30" transcribe="true"/><Hangup/>`,
    ],
    ['Hangup with a message', 'goodbye', '<Say voice="alice">Goodbye.</Say><Hangup/>'],
    ['Hangup without a message', 'silent', '<Hangup/>'],
  ])('%s', (_label, nodeId, body) => {
    expect(renderNode(flow, nodeId, ctx())).toEqual({ ...twiml(body), nodeId });
  });

  it.each([
    ['RTB with a fallback', 'sales', { kind: 'route', nodeId: 'sales', target: 'rtb', fallbackNodeId: 'buyers' }],
    ['buyers with a fallback', 'buyers', { kind: 'route', nodeId: 'buyers', target: 'buyers', fallbackNodeId: 'voicemail' }],
    ['a number, no fallback', 'support', { kind: 'route', nodeId: 'support', target: 'number', number: '+12125551234' }],
  ])('Route: %s is left to the webhook', (_label, nodeId, result) => {
    expect(renderNode(flow, nodeId, ctx())).toEqual(result);
  });

  it('a Voicemail callback with the recording ends the call', () => {
    expect(renderNode(flow, 'voicemail', ctx({ recorded: true }))).toEqual({ ...twiml('<Hangup/>'), nodeId: 'voicemail' });
  });

  it('a repeated menu names the next play in its URLs', () => {
    expect(renderNode(flow, 'menu', ctx({ attempt: 2 }))).toEqual({
      ...twiml(
        `<Gather action="${BASE}?node=menu&amp;gather=1&amp;attempt=2" numDigits="1" timeout="5">` +
          '<Say>Press 1 for sales, 2 for support.</Say></Gather>' +
          `<Redirect>${BASE}?node=menu&amp;attempt=3</Redirect>`,
      ),
      nodeId: 'menu',
    });
  });

  it('the last play of a menu without an invalid node hangs up on no input', () => {
    const result = renderNode(flow, 'menu', ctx({ attempt: 3 }));
    expect(result).toEqual({
      ...twiml(
        `<Gather action="${BASE}?node=menu&amp;gather=1&amp;attempt=3" numDigits="1" timeout="5">` +
          '<Say>Press 1 for sales, 2 for support.</Say></Gather><Hangup/>',
      ),
      nodeId: 'menu',
    });
  });

  it('an unknown node (a stale URL) apologises and hangs up', () => {
    expect(renderNode(flow, 'deleted', ctx())).toEqual({
      kind: 'error',
      nodeId: 'deleted',
      reason: 'unknown_node',
      twiml: `${XML}<Response><Say>${FLOW_ERROR_MESSAGE}</Say><Hangup/></Response>`,
    });
  });

  it('a graph that loops without input (never validated) stops instead of spinning', () => {
    const loop: FlowDefinition = {
      startNodeId: 'a',
      nodes: [
        { id: 'a', type: 'BusinessHours', config: { timeZone: 'UTC', hours: {}, open: 'b', closed: 'b' } },
        { id: 'b', type: 'BusinessHours', config: { timeZone: 'UTC', hours: {}, open: 'a', closed: 'a' } },
      ],
    };
    expect(renderNode(loop, 'a', ctx())).toMatchObject({ kind: 'error', reason: 'too_many_steps' });
  });
});

describe('renderNode: text and URLs are escaped by the library', () => {
  const tricky: FlowDefinition = {
    startNodeId: 's',
    nodes: [
      { id: 's', type: 'Say', config: { message: 'Tom & Jerry say "hi" <3 </Say><Dial>+15550000</Dial>', next: 'h' } },
      { id: 'h', type: 'Hangup', config: { message: "It's 5 > 4 & 3 < 4" } },
      { id: 'm', type: 'Menu', config: { message: '<Hangup/>', options: [{ digit: '1', next: 'h' }] } },
    ],
  };
  const quoting = (id: string, extra?: Record<string, string>) => `https://x.example/f?n=${id}&q="<${extra?.attempt ?? ''}>"`;

  it('a message with <, & and " cannot inject TwiML', () => {
    const result = renderNode(tricky, 's', ctx());
    expect(result).toEqual({
      ...twiml(
        '<Say>Tom &amp; Jerry say "hi" &lt;3 &lt;/Say&gt;&lt;Dial&gt;+15550000&lt;/Dial&gt;</Say>' +
          `<Redirect>${BASE}?node=h</Redirect>`,
      ),
      nodeId: 's',
    });
    expect(result.kind === 'twiml' && result.twiml.includes('<Dial>')).toBe(false);
  });

  it.each([
    ['a hang-up message', 'h', "<Say>It's 5 &gt; 4 &amp; 3 &lt; 4</Say><Hangup/>"],
    [
      'a menu message and quoting action URLs',
      'm',
      '<Gather action="https://x.example/f?n=m&amp;q=&quot;&lt;1>&quot;" numDigits="1" timeout="5">' +
        '<Say>&lt;Hangup/&gt;</Say></Gather><Redirect>https://x.example/f?n=m&amp;q="&lt;2&gt;"</Redirect>',
    ],
  ])('%s', (_label, nodeId, body) => {
    expect(renderNode(tricky, nodeId, ctx({ actionUrl: quoting }))).toEqual({ ...twiml(body), nodeId });
  });
});

describe('renderNode: every URL comes from ctx.actionUrl', () => {
  it('asks actionUrl for each continuation, with the menu callback parameters', () => {
    const calls: Array<[string, Record<string, string> | undefined]> = [];
    const recording = (id: string, extra?: Record<string, string>) => {
      calls.push([id, extra]);
      return `urn:step:${calls.length}`;
    };
    const menu = renderNode(flow, 'more', ctx({ actionUrl: recording }));
    const say = renderNode(flow, 'welcome', ctx({ actionUrl: recording }));
    const voicemail = renderNode(flow, 'voicemail2', ctx({ actionUrl: recording }));
    expect(calls).toEqual([
      ['more', { gather: '1', attempt: '1' }],
      ['goodbye', undefined],
      ['menu', undefined],
      ['voicemail2', { recorded: '1' }],
    ]);
    expect(menu).toMatchObject({ twiml: expect.stringContaining('action="urn:step:1"') });
    expect(menu).toMatchObject({ twiml: expect.stringContaining('<Redirect>urn:step:2</Redirect>') });
    expect(say).toMatchObject({ twiml: expect.stringContaining('<Redirect>urn:step:3</Redirect>') });
    expect(voicemail).toMatchObject({ twiml: expect.stringContaining('action="urn:step:4"') });
  });
});

describe('resolveMenuInput', () => {
  it.each([
    ['option 1', 'menu', '1', 1, { kind: 'next', nodeId: 'sales' }],
    ['option 2 on the second play', 'menu', '2', 2, { kind: 'next', nodeId: 'support' }],
    ['an unknown key: play again', 'menu', '9', 1, { kind: 'repeat', attempt: 2 }],
    ['no input: play again', 'menu', '', 1, { kind: 'repeat', attempt: 2 }],
    ['the last retry (default 2 retries)', 'menu', '9', 2, { kind: 'repeat', attempt: 3 }],
    ['retries used up, no invalid node: hang up', 'menu', '9', 3, { kind: 'hangup' }],
    ['a wildly high attempt', 'menu', '', 1e9, { kind: 'hangup' }],
    ['a garbage attempt counts as the first play', 'menu', '', Number.NaN, { kind: 'repeat', attempt: 2 }],
    ['a negative attempt counts as the first play', 'menu', '', -4, { kind: 'repeat', attempt: 2 }],
    ['a multi-key option', 'more', '101', 1, { kind: 'next', nodeId: 'support' }],
    ['a star option', 'more', '*', 1, { kind: 'next', nodeId: 'menu' }],
    ['a prefix of an option is not the option', 'more', '10', 1, { kind: 'invalid', nodeId: 'goodbye' }],
    ['no retries: straight to the invalid node', 'more', '', 1, { kind: 'invalid', nodeId: 'goodbye' }],
    ["the '#' option", 'pound', '#', 1, { kind: 'next', nodeId: 'menu' }],
    ['maxRetries 1: one replay', 'pound', '5', 1, { kind: 'repeat', attempt: 2 }],
    ['maxRetries 1: then hang up', 'pound', '5', 2, { kind: 'hangup' }],
  ])('%s', (_label, menuId, digits, attempt, expected) => {
    expect(resolveMenuInput(flow, menuId, digits, attempt)).toEqual(expected);
  });

  it.each([
    ['an unknown node', 'nope'],
    ['a node that is not a Menu', 'welcome'],
  ])('is undefined for %s', (_label, nodeId) => {
    expect(resolveMenuInput(flow, nodeId, '1', 1)).toBeUndefined();
  });
});

describe('renderNode: a Gather callback continues at once', () => {
  it.each([
    ['a key that routes', 'menu', '1', 1, { kind: 'route', nodeId: 'sales', target: 'rtb', fallbackNodeId: 'buyers' }],
    [
      'a key that opens a sub-menu: its first play, the keys are not reused',
      'menu',
      '3',
      2,
      {
        ...twiml(
          `<Gather action="${BASE}?node=more&amp;gather=1&amp;attempt=1" numDigits="3" timeout="8">` +
            '<Say voice="Polly.Joanna" language="en-US">Enter your extension, then the pound key.</Say></Gather>' +
            `<Redirect>${BASE}?node=goodbye</Redirect>`,
        ),
        nodeId: 'more',
      },
    ],
    [
      'an invalid key: the menu again, next play',
      'menu',
      '7',
      1,
      {
        ...twiml(
          `<Gather action="${BASE}?node=menu&amp;gather=1&amp;attempt=2" numDigits="1" timeout="5">` +
            '<Say>Press 1 for sales, 2 for support.</Say></Gather>' +
            `<Redirect>${BASE}?node=menu&amp;attempt=3</Redirect>`,
        ),
        nodeId: 'menu',
      },
    ],
    [
      'an invalid key, retries used up, invalid node',
      'more',
      '999',
      1,
      { ...twiml('<Say voice="alice">Goodbye.</Say><Hangup/>'), nodeId: 'goodbye' },
    ],
    ['an invalid key, retries used up, no invalid node', 'menu', '7', 3, { ...twiml('<Hangup/>'), nodeId: 'menu' }],
  ])('%s', (_label, nodeId, digits, attempt, expected) => {
    expect(renderNode(flow, nodeId, ctx({ digits, attempt }))).toEqual(expected);
  });

  it('digits sent to a node that is not a Menu are ignored', () => {
    expect(renderNode(flow, 'welcome', ctx({ digits: '1' }))).toEqual(renderNode(flow, 'welcome', ctx()));
  });
});

describe('renderNode: business hours', () => {
  it.each([
    ['Monday 10:00 in New York: open', MONDAY_10AM_NY, 'welcome', `<Say>Welcome to Acme.</Say><Redirect>${BASE}?node=menu</Redirect>`],
    [
      'Monday 17:00 in New York: closed (end is exclusive)',
      new Date('2025-08-04T21:00:00Z'),
      'closed',
      `<Play loop="2">https://cdn.example.com/closed.mp3?v=2&amp;lang=en</Play><Redirect>${BASE}?node=voicemail</Redirect>`,
    ],
    [
      'Tuesday 10:00 in New York: closed (not listed)',
      new Date('2025-08-05T14:00:00Z'),
      'closed',
      `<Play loop="2">https://cdn.example.com/closed.mp3?v=2&amp;lang=en</Play><Redirect>${BASE}?node=voicemail</Redirect>`,
    ],
  ])('%s, rendered without a round trip', (_label, now, nodeId, body) => {
    expect(renderNode(flow, 'hours', ctx({ now }))).toEqual({ ...twiml(body), nodeId });
  });

  it('branches straight into a Route', () => {
    const routed: FlowDefinition = {
      startNodeId: 'h',
      nodes: [
        {
          id: 'h',
          type: 'BusinessHours',
          config: { timeZone: 'Europe/London', hours: { monday: { start: '09:00', end: '17:00' } }, open: 'r', closed: 'x' },
        },
        { id: 'r', type: 'Route', config: { target: 'buyers' } },
        { id: 'x', type: 'Hangup', config: {} },
      ],
    };
    expect(renderNode(routed, 'h', ctx())).toEqual({ kind: 'route', nodeId: 'r', target: 'buyers' });
    expect(renderNode(routed, 'h', ctx({ now: new Date('2025-08-04T16:00:00Z') }))).toEqual({ ...twiml('<Hangup/>'), nodeId: 'x' });
  });

  const weekdays9to5: OperatingHours = {
    monday: { start: '09:00', end: '17:00' },
    tuesday: { start: '09:00', end: '17:00' },
  };
  const fridayNight: OperatingHours = { friday: { start: '22:00', end: '06:00' } };
  const lateSunday: OperatingHours = { sunday: { start: '18:00', end: '24:00' } };
  const toMidnight: OperatingHours = { saturday: { start: '20:00', end: '00:00' } };

  it.each([
    // One instant (Monday 14:00 UTC), four zones.
    ['New York 10:00 Mon', weekdays9to5, 'America/New_York', '2025-08-04T14:00:00Z', true],
    ['London 15:00 Mon', weekdays9to5, 'Europe/London', '2025-08-04T14:00:00Z', true],
    ['Tokyo 23:00 Mon', weekdays9to5, 'Asia/Tokyo', '2025-08-04T14:00:00Z', false],
    ['Los Angeles 07:00 Mon', weekdays9to5, 'America/Los_Angeles', '2025-08-04T14:00:00Z', false],
    // Start inclusive, end exclusive.
    ['New York 09:00 sharp', weekdays9to5, 'America/New_York', '2025-08-04T13:00:00Z', true],
    ['New York 08:59', weekdays9to5, 'America/New_York', '2025-08-04T12:59:00Z', false],
    ['New York 16:59', weekdays9to5, 'America/New_York', '2025-08-04T20:59:00Z', true],
    ['New York 17:00 sharp', weekdays9to5, 'America/New_York', '2025-08-04T21:00:00Z', false],
    // Across the date line: Monday 09:30 in Auckland is still Sunday in UTC.
    ['Auckland 09:30 Mon (Sunday in UTC)', weekdays9to5, 'Pacific/Auckland', '2025-08-03T21:30:00Z', true],
    ['UTC on that Sunday', weekdays9to5, 'UTC', '2025-08-03T21:30:00Z', false],
    // Half-hour offset.
    ['Kolkata 09:15 Mon (UTC+5:30)', weekdays9to5, 'Asia/Kolkata', '2025-08-04T03:45:00Z', true],
    ['Kolkata 08:45 Mon', weekdays9to5, 'Asia/Kolkata', '2025-08-04T03:15:00Z', false],
    // Daylight saving: New York jumps to UTC-4 on Sunday 2025-03-09; Monday 09:30 EDT is 13:30 UTC.
    ['New York 09:30 Mon after the spring change', weekdays9to5, 'America/New_York', '2025-03-10T13:30:00Z', true],
    ['New York 08:30 Mon after the spring change', weekdays9to5, 'America/New_York', '2025-03-10T12:30:00Z', false],
    // Overnight: Friday 22:00 to Saturday 06:00, London (BST, UTC+1).
    ['Friday 21:59', fridayNight, 'Europe/London', '2025-08-08T20:59:00Z', false],
    ['Friday 22:00', fridayNight, 'Europe/London', '2025-08-08T21:00:00Z', true],
    ['Friday 23:59', fridayNight, 'Europe/London', '2025-08-08T22:59:00Z', true],
    ['Saturday 00:00 (past midnight)', fridayNight, 'Europe/London', '2025-08-08T23:00:00Z', true],
    ['Saturday 05:59', fridayNight, 'Europe/London', '2025-08-09T04:59:00Z', true],
    ['Saturday 06:00', fridayNight, 'Europe/London', '2025-08-09T05:00:00Z', false],
    ['Saturday 23:00 (Saturday has no hours)', fridayNight, 'Europe/London', '2025-08-09T22:00:00Z', false],
    ['Friday 03:00 (Thursday has no hours)', fridayNight, 'Europe/London', '2025-08-08T02:00:00Z', false],
    ['Saturday 00:00 London is Friday 19:00 in New York', fridayNight, 'America/New_York', '2025-08-08T23:00:00Z', false],
    // 24:00 ends the day; 00:00 as an end is midnight too.
    ['Sunday 23:59 until 24:00', lateSunday, 'UTC', '2025-08-10T23:59:00Z', true],
    ['Monday 00:00 after 24:00', lateSunday, 'UTC', '2025-08-11T00:00:00Z', false],
    ['Saturday 23:30 until 00:00', toMidnight, 'UTC', '2025-08-09T23:30:00Z', true],
    ['Sunday 00:00 after 00:00', toMidnight, 'UTC', '2025-08-10T00:00:00Z', false],
    ['Sunday 10:00 (no hours)', toMidnight, 'UTC', '2025-08-10T10:00:00Z', false],
    ['an empty week', {}, 'UTC', '2025-08-04T12:00:00Z', false],
  ] as const)('%s', (_label, hours, timeZone, instant, open) => {
    expect(isOpen(hours, timeZone, new Date(instant))).toBe(open);
  });
});

describe('the render fixture', () => {
  it('is a valid active flow apart from its spare nodes, which the start cannot reach', () => {
    expect(validateFlow(flow, 'active')).toEqual({
      ok: false,
      details: {
        'nodes[4].id': 'is not reachable from startNodeId',
        'nodes[9].id': 'is not reachable from startNodeId',
        'nodes[11].id': 'is not reachable from startNodeId',
        'nodes[13].id': 'is not reachable from startNodeId',
        'nodes[14].id': 'is not reachable from startNodeId',
      },
    });
  });
});
