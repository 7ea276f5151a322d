import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../server/inbound/flows/validate.js';

type Json = Record<string, unknown>;

// Seed 000's flow, as its "List Call Flows" response shows it: the options point at nodes that
// the seed never defines.
const seed000 = (): Json => ({
  startNodeId: 'menu_1',
  nodes: [
    {
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', action: 'route_sales' },
          { digit: '2', action: 'route_support' },
        ],
      },
    },
  ],
});

// The same menu, completed: every node is defined, reachable, and the graph ends.
const complete = (): { startNodeId: string; nodes: Json[] } => ({
  startNodeId: 'hours',
  nodes: [
    {
      id: 'hours',
      type: 'BusinessHours',
      name: 'Office hours',
      config: {
        timeZone: 'America/New_York',
        hours: { monday: { start: '09:00', end: '17:00' }, friday: { start: '22:00', end: '06:00' } },
        open: 'menu_1',
        closed: 'closed_msg',
      },
    },
    {
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', action: 'route_sales' },
          { digit: '2', next: 'route_support' },
        ],
        invalid: 'goodbye',
      },
    },
    { id: 'route_sales', type: 'Route', config: { target: 'rtb', next: 'route_buyers' } },
    { id: 'route_buyers', type: 'Route', config: { target: 'buyers', next: 'voicemail' } },
    { id: 'route_support', type: 'Route', config: { target: 'number', number: '+12125551234', next: 'voicemail' } },
    { id: 'closed_msg', type: 'Play', config: { url: 'https://cdn.example.com/closed.mp3', next: 'voicemail' } },
    { id: 'voicemail', type: 'Voicemail', config: { message: 'Please leave a message.', transcribe: true } },
    { id: 'goodbye', type: 'Hangup', config: { message: 'Goodbye.' } },
  ],
});

/** The complete flow with node `id`'s config changed. */
function withConfig(id: string, change: (config: Json) => void): Json {
  const flow = complete();
  const node = flow.nodes.find((n) => n.id === id)!;
  change(node.config as Json);
  return flow;
}

/** A small flow: the given nodes after a start node `start` (Say) that goes to the first of them. */
function chain(nodes: Json[]): Json {
  return { startNodeId: 'start', nodes: [{ id: 'start', type: 'Say', config: { message: 'Hi', next: nodes[0]?.id } }, ...nodes] };
}

const say = (id: string, next?: string): Json => ({ id, type: 'Say', config: next ? { message: id, next } : { message: id } });
const menu = (id: string, options: Array<[string, string]>, extra: Json = {}): Json => ({
  id,
  type: 'Menu',
  config: { message: id, options: options.map(([digit, next]) => ({ digit, next })), ...extra },
});
const hangup = (id: string): Json => ({ id, type: 'Hangup' });

describe('validateFlow: drafts check shapes only', () => {
  it.each([
    ['seed 001: a start node and no nodes', { startNodeId: 'menu_1', nodes: [] }, { startNodeId: 'menu_1', nodes: [] }],
    ['nothing at all', {}, { nodes: [] }],
    ['seed 000 with options pointing at missing nodes', seed000(), seed000()],
    ['a node without config', { nodes: [{ id: 'a', type: 'Say' }] }, { nodes: [{ id: 'a', type: 'Say' }] }],
    [
      'a node with an incomplete config',
      { startNodeId: 'x', nodes: [{ id: 'a', type: 'Route', config: { target: 'number' } }] },
      { startNodeId: 'x', nodes: [{ id: 'a', type: 'Route', config: { target: 'number' } }] },
    ],
  ])('accepts %s', (_label, def, flow) => {
    expect(validateFlow(def, 'draft')).toEqual({ ok: true, flow });
  });

  it.each([
    ['null', null, { flowDefinition: 'must be an object' }],
    ['an array', [], { flowDefinition: 'must be an object' }],
    ['a string', 'menu_1', { flowDefinition: 'must be an object' }],
    ['nodes not an array', { nodes: {} }, { nodes: 'must be an array' }],
    ['a start id with a space', { startNodeId: 'menu 1', nodes: [] }, { startNodeId: expect.stringMatching(/^must be a node id/) }],
    ['a node that is not an object', { nodes: ['menu_1'] }, { 'nodes[0]': 'must be an object' }],
    ['a node without id', { nodes: [{ type: 'Say' }] }, { 'nodes[0].id': 'is required' }],
    ['a numeric id', { nodes: [{ id: 1, type: 'Say' }] }, { 'nodes[0].id': expect.stringMatching(/^must be 1-64 characters/) }],
    ['an id with markup', { nodes: [{ id: '<a>', type: 'Say' }] }, { 'nodes[0].id': expect.stringMatching(/^must be 1-64/) }],
    ['an id of 65 characters', { nodes: [{ id: 'a'.repeat(65), type: 'Say' }] }, { 'nodes[0].id': expect.any(String) }],
    ['a node without type', { nodes: [{ id: 'a' }] }, { 'nodes[0].type': 'is required' }],
    [
      'an unknown type',
      { nodes: [{ id: 'a', type: 'Script' }] },
      { 'nodes[0].type': 'must be one of: Say, Play, Menu, BusinessHours, Route, Voicemail, Hangup' },
    ],
    ['a lower-case type', { nodes: [{ id: 'a', type: 'menu' }] }, { 'nodes[0].type': expect.stringMatching(/^must be one of/) }],
    [
      'duplicate ids',
      { nodes: [{ id: 'a', type: 'Say' }, { id: 'b', type: 'Say' }, { id: 'a', type: 'Hangup' }] },
      { 'nodes[2].id': 'duplicates nodes[0].id' },
    ],
    ['a config that is not an object', { nodes: [{ id: 'a', type: 'Say', config: 'hi' }] }, { 'nodes[0].config': 'must be an object' }],
    ['a name too long', { nodes: [{ id: 'a', type: 'Say', name: 'n'.repeat(201) }] }, { 'nodes[0].name': 'must be at most 200 characters' }],
    [
      '201 nodes',
      { nodes: Array.from({ length: 201 }, (_, i) => ({ id: `n${i}`, type: 'Hangup' })) },
      { nodes: 'must have at most 200 nodes' },
    ],
  ])('refuses %s', (_label, def, details) => {
    expect(validateFlow(def, 'draft')).toEqual({ ok: false, details });
  });
});

describe('validateFlow: active flows must be complete', () => {
  it('accepts the complete seed-like flow and returns it normalised (action -> next)', () => {
    const result = validateFlow(complete(), 'active');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.startNodeId).toBe('hours');
    expect(result.flow.nodes.map((n) => n.id)).toEqual(complete().nodes.map((n) => n.id));
    expect(result.flow.nodes[1]).toEqual({
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', next: 'route_sales' },
          { digit: '2', next: 'route_support' },
        ],
        invalid: 'goodbye',
      },
    });
  });

  it('accepts exactly 200 nodes', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => say(`n${i}`, i < 199 ? `n${i + 1}` : undefined));
    expect(validateFlow({ startNodeId: 'n0', nodes }, 'active').ok).toBe(true);
  });

  it("refuses seed 000's flow with the exact options that point at missing nodes", () => {
    expect(validateFlow(seed000(), 'active')).toEqual({
      ok: false,
      details: {
        'nodes[0].config.options[0].action': 'refers to an unknown node: route_sales',
        'nodes[0].config.options[1].action': 'refers to an unknown node: route_support',
      },
    });
  });

  it.each([
    ['a missing startNodeId', { nodes: [hangup('a')] }, { startNodeId: 'is required' }],
    ['a start node that does not exist', { startNodeId: 'menu_1', nodes: [hangup('a')] }, { startNodeId: 'refers to an unknown node: menu_1' }],
    ['seed 001: no nodes', { startNodeId: 'menu_1', nodes: [] }, { startNodeId: 'refers to an unknown node: menu_1' }],
    ['no nodes key', { startNodeId: 'a' }, { nodes: 'is required' }],
    ['a node without config', { startNodeId: 'a', nodes: [{ id: 'a', type: 'Say' }] }, { 'nodes[0].config': 'is required' }],
    [
      'a dangling option',
      withConfig('menu_1', (c) => ((c.options as Json[])[1]!.next = 'nowhere')),
      { 'nodes[1].config.options[1].next': 'refers to an unknown node: nowhere' },
    ],
    [
      'a dangling invalid node',
      withConfig('menu_1', (c) => (c.invalid = 'gone')),
      { 'nodes[1].config.invalid': 'refers to an unknown node: gone' },
    ],
    [
      'a dangling business-hours branch',
      withConfig('hours', (c) => (c.closed = 'later')),
      { 'nodes[0].config.closed': 'refers to an unknown node: later' },
    ],
    [
      'a dangling route fallback',
      withConfig('route_sales', (c) => (c.next = 'x')),
      { 'nodes[2].config.next': 'refers to an unknown node: x' },
    ],
    [
      'duplicate digits in a menu',
      withConfig('menu_1', (c) => ((c.options as Json[])[1]!.digit = '1')),
      { 'nodes[1].config.options[1].digit': 'duplicates nodes[1].config.options[0].digit' },
    ],
    [
      'an option whose next and action differ',
      withConfig('menu_1', (c) => ((c.options as Json[])[1]!.action = 'route_sales')),
      { 'nodes[1].config.options[1].action': 'must equal next (action is an alias of next)' },
    ],
    [
      'an option without next or action',
      withConfig('menu_1', (c) => delete (c.options as Json[])[1]!.next),
      { 'nodes[1].config.options[1].next': 'is required' },
    ],
    [
      'a letter as a digit',
      withConfig('menu_1', (c) => ((c.options as Json[])[0]!.digit = 'A')),
      { 'nodes[1].config.options[0].digit': "must be keys '0'-'9', '*' or '#'" },
    ],
    [
      'a number as a digit',
      withConfig('menu_1', (c) => ((c.options as Json[])[0]!.digit = 1)),
      { 'nodes[1].config.options[0].digit': 'must be a string' },
    ],
    [
      'two keys when numDigits is 1',
      withConfig('menu_1', (c) => ((c.options as Json[])[0]!.digit = '12')),
      { 'nodes[1].config.options[0].digit': 'must be at most numDigits (1) keys' },
    ],
    ['a menu without options', withConfig('menu_1', (c) => (c.options = [])), { 'nodes[1].config.options': 'must have at least one option' }],
    ['a menu without message', withConfig('menu_1', (c) => delete c.message), { 'nodes[1].config.message': 'is required' }],
    ['a blank message', withConfig('menu_1', (c) => (c.message = '  ')), { 'nodes[1].config.message': 'must not be empty' }],
    [
      'a message too long',
      withConfig('menu_1', (c) => (c.message = 'x'.repeat(4097))),
      { 'nodes[1].config.message': 'must be at most 4096 characters' },
    ],
    [
      'a misspelt menu field',
      withConfig('menu_1', (c) => (c.timeout = 5)),
      { 'nodes[1].config.timeout': 'is not allowed' },
    ],
    [
      'out-of-range menu numbers',
      withConfig('menu_1', (c) => Object.assign(c, { timeoutSeconds: 0, numDigits: 21, maxRetries: 1.5 })),
      {
        'nodes[1].config.timeoutSeconds': 'must be an integer from 1 to 60',
        'nodes[1].config.numDigits': 'must be an integer from 1 to 20',
        'nodes[1].config.maxRetries': 'must be an integer from 0 to 10',
      },
    ],
    [
      'a voice with markup and a bad language',
      withConfig('menu_1', (c) => Object.assign(c, { voice: '<alice>', language: 'english please' })),
      {
        'nodes[1].config.voice': 'must be a Twilio voice name, e.g. alice or Polly.Joanna',
        'nodes[1].config.language': 'must be a language tag, e.g. en-US',
      },
    ],
    [
      'a number without +',
      withConfig('route_support', (c) => (c.number = '2125551234')),
      { 'nodes[4].config.number': 'must be an E.164 phone number, e.g. +12125551234' },
    ],
    [
      'a number with letters',
      withConfig('route_support', (c) => (c.number = '+1800FLOWERS')),
      { 'nodes[4].config.number': 'must be an E.164 phone number, e.g. +12125551234' },
    ],
    ['a number route without number', withConfig('route_support', (c) => delete c.number), { 'nodes[4].config.number': 'is required' }],
    [
      'a number on a buyers route',
      withConfig('route_buyers', (c) => (c.number = '+12125551234')),
      { 'nodes[3].config.number': 'is only allowed when target is number' },
    ],
    [
      'an unknown route target',
      withConfig('route_buyers', (c) => (c.target = 'sip')),
      { 'nodes[3].config.target': 'must be one of: buyers, rtb, number' },
    ],
    [
      'an unknown time zone',
      withConfig('hours', (c) => (c.timeZone = 'Mars/Olympus_Mons')),
      { 'nodes[0].config.timeZone': 'must be an IANA time zone name, e.g. America/New_York' },
    ],
    ['no hours', withConfig('hours', (c) => delete c.hours), { 'nodes[0].config.hours': 'is required' }],
    [
      'bad hours',
      withConfig('hours', (c) => {
        c.hours = {
          funday: { start: '09:00', end: '17:00' },
          monday: { start: '25:00', end: '17:00' },
          tuesday: { start: '09:00', end: '09:00' },
          wednesday: { start: '24:00', end: '06:00' },
          thursday: '9-5',
        };
      }),
      {
        'nodes[0].config.hours.funday': 'is not allowed',
        'nodes[0].config.hours.monday.start': 'must be HH:MM (24-hour clock)',
        'nodes[0].config.hours.tuesday': 'start and end must differ',
        'nodes[0].config.hours.wednesday.start': 'must be before 24:00',
        'nodes[0].config.hours.thursday': 'must be an object with start and end',
      },
    ],
    [
      'an ftp play URL',
      withConfig('closed_msg', (c) => (c.url = 'ftp://cdn.example.com/closed.mp3')),
      { 'nodes[5].config.url': 'must be an absolute http or https URL' },
    ],
    [
      'a javascript: play URL',
      withConfig('closed_msg', (c) => (c.url = 'javascript:alert(1)')),
      { 'nodes[5].config.url': 'must be an absolute http or https URL' },
    ],
    [
      'a relative play URL',
      withConfig('closed_msg', (c) => (c.url = '/closed.mp3')),
      { 'nodes[5].config.url': 'must be an absolute http or https URL' },
    ],
    [
      'an endless play loop',
      withConfig('closed_msg', (c) => (c.loop = 0)),
      { 'nodes[5].config.loop': 'must be an integer from 1 to 10' },
    ],
    [
      'bad voicemail settings',
      withConfig('voicemail', (c) => Object.assign(c, { maxLengthSeconds: 3601, transcribe: 'yes' })),
      {
        'nodes[6].config.maxLengthSeconds': 'must be an integer from 1 to 3600',
        'nodes[6].config.transcribe': 'must be true or false',
      },
    ],
    [
      'an unreachable node',
      { startNodeId: 'a', nodes: [say('a', 'b'), hangup('b'), say('orphan', 'b')] },
      { 'nodes[2].id': 'is not reachable from startNodeId' },
    ],
  ])('refuses %s', (_label, def, details) => {
    expect(validateFlow(def, 'active')).toEqual({ ok: false, details });
  });
});

describe('validateFlow: cycles', () => {
  it.each([
    ['a Say that repeats itself', chain([say('a', 'a')]), { 'nodes[1].config.next': 'forms a cycle without caller input: a -> a' }],
    [
      'two Says in a loop',
      chain([say('a', 'b'), say('b', 'a')]),
      { 'nodes[2].config.next': 'forms a cycle without caller input: a -> b -> a' },
    ],
    [
      'a business-hours branch back to itself',
      chain([
        { id: 'h', type: 'BusinessHours', config: { timeZone: 'UTC', hours: {}, open: 'x', closed: 'p' } },
        hangup('x'),
        { id: 'p', type: 'Play', config: { url: 'https://cdn.example.com/a.mp3', next: 'h' } },
      ]),
      { 'nodes[3].config.next': 'forms a cycle without caller input: h -> p -> h' },
    ],
    [
      "a route whose fallback routes again (endless when nobody answers)",
      chain([
        { id: 'r', type: 'Route', config: { target: 'buyers', next: 's' } },
        say('s', 'r'),
      ]),
      { 'nodes[2].config.next': 'forms a cycle without caller input: r -> s -> r' },
    ],
    [
      "a menu's invalid branch back to the menu (a silent caller would loop for ever)",
      chain([menu('m', [['1', 'x']], { invalid: 'sorry' }), say('sorry', 'm'), hangup('x')]),
      { 'nodes[2].config.next': 'forms a cycle without caller input: m -> sorry -> m' },
    ],
  ])('refuses %s', (_label, def, details) => {
    expect(validateFlow(def, 'active')).toEqual({ ok: false, details });
  });

  it.each([
    ['a menu option back to the same menu', chain([menu('m', [['1', 'm'], ['2', 'x']]), hangup('x')])],
    ['a loop through a menu option', chain([menu('m', [['9', 'again'], ['1', 'x']]), say('again', 'm'), hangup('x')])],
    ['two menus calling each other', chain([menu('m', [['1', 'n']]), menu('n', [['0', 'm']])])],
    ['a loop back to the start through a menu', { startNodeId: 'm', nodes: [menu('m', [['1', 's']]), say('s', 'm')] }],
    ['a diamond (two ways to one node)', chain([menu('m', [['1', 'a'], ['2', 'b']]), say('a', 'z'), say('b', 'z'), hangup('z')])],
  ])('accepts %s', (_label, def) => {
    expect(validateFlow(def, 'active')).toMatchObject({ ok: true });
  });
});

describe('validateFlow: node types', () => {
  const end = { id: 'end', type: 'Hangup', config: {} };
  it.each([
    ['Say with voice and language', 'Say', { message: 'Hello', voice: 'Polly.Joanna', language: 'en-US' }, []],
    ['Play looping', 'Play', { url: 'http://cdn.example.com/a.mp3?x=1&y=2', loop: 3 }, []],
    [
      'Menu with every field',
      'Menu',
      {
        message: 'm',
        options: [
          { digit: '12#', next: 'end' },
          { digit: '*', next: 'end' },
        ],
        numDigits: 3,
        timeoutSeconds: 10,
        maxRetries: 0,
        invalid: 'end',
      },
      [end],
    ],
    ['BusinessHours closed all week', 'BusinessHours', { timeZone: 'Asia/Kolkata', hours: {}, open: 'end', closed: 'end' }, [end]],
    [
      'BusinessHours ending at 24:00',
      'BusinessHours',
      { timeZone: 'UTC', hours: { sunday: { start: '18:00', end: '24:00' } }, open: 'end', closed: 'end' },
      [end],
    ],
    ['Route to RTB with no fallback', 'Route', { target: 'rtb' }, []],
    ['Voicemail with defaults', 'Voicemail', {}, []],
    ['Hangup with an empty config', 'Hangup', {}, []],
  ])('accepts %s', (_label, type, config, more) => {
    const nodes = [{ id: 'a', type, config }, ...more];
    expect(validateFlow({ startNodeId: 'a', nodes }, 'active')).toEqual({ ok: true, flow: { startNodeId: 'a', nodes } });
  });

  it('accepts a Hangup node without config', () => {
    expect(validateFlow({ startNodeId: 'a', nodes: [hangup('a')] }, 'active')).toEqual({
      ok: true,
      flow: { startNodeId: 'a', nodes: [{ id: 'a', type: 'Hangup', config: {} }] },
    });
  });

  it('does not copy unknown node-level keys into the flow', () => {
    const result = validateFlow({ startNodeId: 'a', nodes: [{ ...hangup('a'), position: { x: 1, y: 2 } }] }, 'active');
    expect(result).toEqual({ ok: true, flow: { startNodeId: 'a', nodes: [{ id: 'a', type: 'Hangup', config: {} }] } });
  });
});
