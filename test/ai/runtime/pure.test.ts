// The runtime's pure parts, table-driven: ConversationRelay messages, tools as functions and their
// arguments, handoff targets, outcomes and summaries, the rebuilt history, the local answer,
// usage estimates, and the simulator's reading of <Connect><ConversationRelay>.
import { describe, expect, it } from 'vitest';
import { aiAnswerTwiml } from '../../../server/ai/runtime/answer.js';
import { cutsOf, splitSpoken } from '../../../server/ai/runtime/barge-in.js';
import { anyWordQuery, LOCAL_MODE_LABEL, LOCAL_NO_ANSWER, localAnswer } from '../../../server/ai/runtime/local-mode.js';
import { readModelSummary, ruleOutcome, ruleSummary, type ConversationFacts } from '../../../server/ai/runtime/outcome.js';
import { historyFromTurns } from '../../../server/ai/runtime/prompt.js';
import { handoffTarget } from '../../../server/ai/runtime/relay-end.js';
import { endMessage, readRelayMessage, sendDigitsMessage, playMessage, textToken } from '../../../server/ai/runtime/relay-protocol.js';
import { bindTools, callbackTime, parseArguments, transferHandoff, zoneOfOffset } from '../../../server/ai/runtime/tools.js';
import { estimateSpeechSeconds, estimateTokens } from '../../../server/ai/runtime/usage.js';
import { readTwiml } from '../../../server/simulator/twiml-reader.js';
import { DEFAULT_RETRY_POLICY } from '../../../server/dialer/schedule/retry-policy.js';

describe('barge-in over an answer said in parts', () => {
  it.each([
    [['One, two.'], 'One', ['One']],
    [['Let me check. ', 'Yes, we do.'], 'Let me', ['Let me', '']],
    [['Let me check. ', 'Yes, we do.'], 'Let me check. Yes', ['Let me check. ', 'Yes']],
    [['Let me check. ', 'Yes.'], 'Let me check. Yes. And', ['Let me check. ', 'Yes. And']],
    [[], 'Hello', []],
  ])('splits %j heard as %j', (parts, spoken, expected) => {
    expect(splitSpoken(parts, spoken)).toEqual(expected);
  });

  it.each([
    [['Let me check. ', 'Yes, we do.'], 'Let me', [{ index: 0, heard: 'Let me' }, { index: 1, heard: '' }]],
    [['Let me check. ', 'Yes, we do.'], 'Let me check. Yes', [{ index: 1, heard: 'Yes' }]],
    [['Let me check. ', 'Yes.'], 'Let me check. Yes.', [{ index: 1, heard: 'Yes.' }]],
    [['Let me check. ', ''], 'Let me check. ', [{ index: 1, heard: '' }]],
    [[], 'Hello', []],
  ])('cuts %j heard as %j', (parts, spoken, expected) => {
    expect(cutsOf(parts, spoken)).toEqual(expected);
  });
});

describe('ConversationRelay messages', () => {
  it.each([
    ['{"type":"setup","sessionId":"VX1","callSid":"CA1","from":"+1","to":"+2","customParameters":{"agentId":"a","n":3}}', { type: 'setup', callSid: 'CA1', customParameters: { agentId: 'a' } }],
    ['{"type":"prompt","voicePrompt":"hi","lang":"en-US","last":true}', { type: 'prompt', voicePrompt: 'hi', lang: 'en-US', last: true }],
    ['{"type":"prompt","voicePrompt":"hi","last":false}', { type: 'prompt', last: false, lang: null }],
    ['{"type":"dtmf","digit":"#"}', { type: 'dtmf', digit: '#' }],
    ['{"type":"dtmf","digit":"12"}', { type: 'unknown' }],
    ['{"type":"interrupt","utteranceUntilInterrupt":"We are","durationUntilInterruptMs":640}', { type: 'interrupt', utteranceUntilInterrupt: 'We are', durationUntilInterruptMs: 640 }],
    ['{"type":"error","description":"Invalid message"}', { type: 'error', description: 'Invalid message' }],
    ['{"type":"setup"}', { type: 'unknown', reason: 'setup without callSid' }],
    ['{"type":"prompt"}', { type: 'unknown' }],
    ['{"type":"mystery"}', { type: 'unknown' }],
    ['[1,2]', { type: 'unknown', reason: 'not a JSON object' }],
    ['not json', { type: 'unknown', reason: 'not JSON' }],
  ])('reads %s', (raw, expected) => {
    expect(readRelayMessage(raw)).toMatchObject(expected);
  });

  it('writes text, play, sendDigits and end (handoffData as a JSON string)', () => {
    expect(textToken('Hi', false)).toEqual({ type: 'text', token: 'Hi', last: false, interruptible: true });
    expect(playMessage('https://example.com/a.mp3')).toEqual({ type: 'play', source: 'https://example.com/a.mp3', interruptible: true });
    expect(sendDigitsMessage('12#')).toEqual({ type: 'sendDigits', digits: '12#' });
    expect(endMessage(null)).toEqual({ type: 'end' });
    expect(endMessage({ reason: 'transfer' })).toEqual({ type: 'end', handoffData: '{"reason":"transfer"}' });
  });
});

describe('tools', () => {
  it('names each tool by its type (a second of a type gets _2) with a description', () => {
    const bound = bindTools([{ type: 'transfer_to_number', phoneNumber: '+12125551234' }, { type: 'transfer_to_number', phoneNumber: '+12125559999', description: 'Sales' }, { type: 'search_knowledge_base' }]);
    expect(bound.map((b) => b.name)).toEqual(['transfer_to_number', 'transfer_to_number_2', 'search_knowledge_base']);
    expect(bound[1]!.definition.function.description).toBe('Sales');
    expect(bound[2]!.definition.function.parameters).toMatchObject({ required: ['query'] });
  });

  it('reads arguments leniently and builds transfer handoffs', () => {
    expect(parseArguments('{"a":1}')).toEqual({ a: 1 });
    expect(parseArguments('[1]')).toEqual({});
    expect(parseArguments('{broken')).toEqual({});
    expect(parseArguments('')).toEqual({});
    // A NUL or an unpaired surrogate in what the model wrote (PostgreSQL cannot store either: a
    // callback's reason, a search's query) is U+FFFD, so the tool does not fail on it.
    expect(parseArguments('{"reason":"VIP\\u0000 caller","q\\ud800":["\\udfff"]}')).toEqual({ reason: 'VIP\uFFFD caller', 'q\uFFFD': ['\uFFFD'] });
    expect(transferHandoff({ type: 'transfer_to_person', humanAgentId: 'h1' }, ' urgent ')).toEqual({ reason: 'transfer', type: 'transfer_to_person', humanAgentId: 'h1', note: 'urgent' });
    expect(transferHandoff({ type: 'transfer_to_campaign', campaignId: 'c1' }, 5)).toEqual({ reason: 'transfer', type: 'transfer_to_campaign', campaignId: 'c1' });
    expect(transferHandoff({ type: 'end_call' }, null)).toBeNull();
  });

  const now = new Date('2025-11-01T12:00:00Z');
  it.each([
    ['2025-11-02T15:00:00-05:00', true],
    ['2025-11-02T15:00Z', true],
    ['2025-11-01T11:00:00Z', false],
    ['2026-06-01T11:00:00Z', false],
    ['2025-11-02 15:00', false],
    ['2025-13-40T15:00:00Z', false],
    // Days a month does not have are refused, not rolled over into the next month.
    ['2025-11-31T15:00:00-05:00', false],
    ['2025-11-02T15:00:00+25:00', false],
    [42, false],
  ])('callback time %s ok=%s', (raw, ok) => {
    expect(callbackTime(raw, now).ok).toBe(ok);
  });

  it.each([
    ['2025-11-02T19:00:00-05:00', 'Etc/GMT+5'],
    ['2025-11-02T19:00:00+01:00', 'Etc/GMT-1'],
    ['2025-11-02T19:00:00+14:00', 'Etc/GMT-14'],
    ['2025-11-02T19:00:00Z', null],
    ['2025-11-02T19:00:00+00:00', null],
    ['2025-11-02T19:00:00+05:30', null],
    ['2025-11-02T19:00:00-13:00', null],
  ])('the zone of the offset of %s is %s', (raw, zone) => {
    expect(zoneOfOffset(raw)).toBe(zone);
  });

  it('a callback time names the instant it says', () => {
    const when = callbackTime('2025-11-30T15:00:00-05:00', now);
    expect(when.ok && when.at.toISOString()).toBe('2025-11-30T20:00:00.000Z');
  });
});

describe('relay-end', () => {
  it.each([
    [undefined, { kind: 'hangup' }],
    ['', { kind: 'hangup' }],
    ['{"reason":"end_call"}', { kind: 'hangup' }],
    ['{"reason":"transfer","type":"transfer_to_number","phoneNumber":"+12125551234"}', { kind: 'number', phoneNumber: '+12125551234' }],
    ['{"reason":"transfer","type":"transfer_to_number","phoneNumber":"12125551234"}', { kind: 'hangup' }],
    ['{"reason":"transfer","type":"transfer_to_person","humanAgentId":"6A0C8F1E-3B7D-4C2A-9E51-2D4B8A7F0C13"}', { kind: 'person', humanAgentId: '6a0c8f1e-3b7d-4c2a-9e51-2d4b8a7f0c13' }],
    ['{"reason":"transfer","type":"transfer_to_campaign","campaignId":"nope"}', { kind: 'hangup' }],
    ['null', { kind: 'hangup' }],
    ['{oops', { kind: 'hangup' }],
  ])('HandoffData %s', (raw, expected) => {
    expect(handoffTarget(raw)).toEqual(expected);
  });
});

describe('outcomes and summaries by rules', () => {
  const facts = (over: Partial<ConversationFacts>): ConversationFacts => ({ endReason: 'caller_hung_up', handoff: null, userTurns: ['Hi'], toolsUsed: new Set(), channel: 'voice', ...over });
  it.each([
    [facts({ endReason: 'transferred', handoff: { type: 'transfer_to_number', phoneNumber: '+1212' } }), 'transferred'],
    [facts({ toolsUsed: new Set(['schedule_callback']) }), 'callback_scheduled'],
    [facts({ userTurns: [] }), 'no_input'],
    [facts({ endReason: 'ended_by_agent' }), 'completed'],
    [facts({}), 'caller_hung_up'],
  ])('outcome %#', (f, outcome) => {
    expect(ruleOutcome(f)).toBe(outcome);
    expect(ruleSummary(f, ruleOutcome(f)).length).toBeGreaterThan(10);
  });

  it('summarises a transfer with its target, and reads the model’s JSON answer', () => {
    const f = facts({ endReason: 'transferred', handoff: { type: 'transfer_to_number', phoneNumber: '+12125551234' }, userTurns: ['Billing please', 'Now'] });
    expect(ruleSummary(f, 'transferred')).toBe('The caller opened with "Billing please" (2 messages). The caller was transferred to a number (+12125551234).');
    expect(readModelSummary('```json\n{"summary":"Asked for billing.","outcome":"transferred"}\n```')).toEqual({ summary: 'Asked for billing.', outcome: 'transferred' });
    expect(readModelSummary('{"summary":"Asked.","outcome":"happy"}')).toEqual({ summary: 'Asked.', outcome: null });
    expect(readModelSummary('no json here')).toBeNull();
    expect(readModelSummary('{"summary": ""}')).toBeNull();
  });
});

describe('the history rebuilt from stored turns', () => {
  it('puts each tool answer after an assistant message carrying its call', () => {
    const turn = (role: 'user' | 'assistant' | 'tool', content: string, tool: string | null = null, id: string | null = null, args: Record<string, unknown> | null = null) => ({ role, content, tool_name: tool, tool_call_id: id, tool_arguments: args });
    expect(
      historyFromTurns([turn('assistant', 'Hello'), turn('user', 'Hours?'), turn('tool', '[...]', 'search_knowledge_base', 'c1', { query: 'hours' }), turn('tool', 'ok', 'search_knowledge_base', 'c2'), turn('assistant', 'Nine to five.')]),
    ).toEqual([
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Hours?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'search_knowledge_base', arguments: '{"query":"hours"}' } },
          { id: 'c2', type: 'function', function: { name: 'search_knowledge_base', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '[...]' },
      { role: 'tool', tool_call_id: 'c2', content: 'ok' },
      { role: 'assistant', content: 'Nine to five.' },
    ]);
  });
});

describe('the local mode', () => {
  it('answers with the best passage, labelled first, or says it can only use the knowledge base', () => {
    const passage = { id: '1', content: 'Open nine to five.', score: 0.5, documentId: 'd', documentTitle: 'FAQ', position: 0, page: null };
    expect(localAnswer([passage], true)).toBe(`${LOCAL_MODE_LABEL} From "FAQ": Open nine to five.`);
    expect(localAnswer([], false)).toBe(LOCAL_NO_ANSWER);
    expect(localAnswer([{ ...passage, content: `${'Word. '.repeat(150)}` }], false).length).toBeLessThan(520);
    expect(anyWordQuery('What are your opening hours? Or not, 9 to 5!')).toBe('what or are or your or opening or hours or not or to');
    expect(anyWordQuery('1 2 #')).toBe('');
  });
});

describe('usage estimates', () => {
  it('counts tokens and seconds of speech', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateSpeechSeconds('   ')).toBe(0);
    expect(estimateSpeechSeconds('hi')).toBe(1);
    expect(estimateSpeechSeconds('one two three four five six seven eight nine ten')).toBe(4);
  });
});

describe('the simulator reads <Connect><ConversationRelay>', () => {
  it('keeps its URL, action, greeting and parameters', () => {
    const settings = { name: 'A', systemPrompt: 'p', firstMessage: 'Hi & welcome', voice: null, language: 'en-US', model: 'm', temperature: 0.7, maxTokens: 100, tools: [], retryPolicy: DEFAULT_RETRY_POLICY, isActive: true };
    const twiml = aiAnswerTwiml({ publicBaseUrl: 'https://calls.example.com', version: { agentId: 'a1', orgId: 'o1', version: 2, settings, createdAt: new Date() }, callId: 7, outboundCallId: 'oc1' });
    expect(readTwiml(twiml)).toEqual([
      {
        verb: 'ConversationRelay',
        url: 'wss://calls.example.com/api/ai/relay',
        action: 'https://calls.example.com/api/webhooks/ai/relay-end?callId=7',
        welcomeGreeting: 'Hi & welcome',
        parameters: { agentId: 'a1', agentVersion: '2', callId: '7', outboundCallId: 'oc1' },
      },
    ]);
  });
});
