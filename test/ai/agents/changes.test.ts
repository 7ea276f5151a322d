// The pure part of an agent change (server/ai/agents/changes.ts): only the fields sent change,
// tools are checked per type, seed 004's retry shape is applied to the dialer's model, and "the
// same settings" ignores key order.
import { describe, expect, it } from 'vitest';
import { applyAgentBody, checkTools, defaultSettings, roundTemperature, sameSettings } from '../../../server/ai/agents/changes.js';
import { DEFAULT_RETRY_POLICY } from '../../../server/dialer/schedule/retry-policy.js';

const base = { ...defaultSettings('gpt-4o-mini'), name: 'Agent', systemPrompt: 'Be helpful.' };

describe('applyAgentBody', () => {
  it('changes only the fields sent and trims text (blank optional text becomes null)', () => {
    const change = applyAgentBody(base, { name: '  Renamed ', firstMessage: '   ', voice: 'Rachel', temperature: 0.456 });
    expect(change).toEqual({
      settings: { ...base, name: 'Renamed', firstMessage: null, voice: 'Rachel', temperature: 0.46 },
      check: { tools: [], problems: {}, humanAgents: [], campaigns: [], numbers: [] },
    });
  });

  it('names every bad field at once', () => {
    const change = applyAgentBody(base, {
      name: ' ',
      systemPrompt: '\n',
      model: ' ',
      tools: [{ type: 'transfer_to_number' }, { type: 'end_call', campaignId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }, { type: 'transfer_to_number', phoneNumber: '+14155550123' }],
      retryConfig: { busy: { maxAttempts: 0 } },
    });
    expect(change).toEqual({
      problems: {
        name: 'must not be blank',
        systemPrompt: 'must not be blank',
        model: 'must not be blank',
        'tools[0].phoneNumber': 'is required for a transfer_to_number tool',
        'tools[1].campaignId': 'is not a field of end_call tools',
        'tools[2].type': 'transfer_to_number is given twice (also tools[0])',
        'retryConfig.busy.maxAttempts': 'must be a whole number from 1 to 20',
      },
    });
  });

  it('applies seed 004 retry changes to the dialer model (ms to seconds, null stops an outcome)', () => {
    const change = applyAgentBody(base, { retryConfig: { no_answer: { initialDelay: 90_000, backoffMultiplier: 1.5 }, busy: null, voicemail: { maxAttempts: 2 } } });
    if (!('settings' in change)) throw new Error('expected settings');
    expect(change.settings.retryPolicy).toEqual({
      no_answer: { maxAttempts: 3, initialDelaySec: 90, backoffMultiplier: 1.5 },
      busy: null,
      failed: DEFAULT_RETRY_POLICY.failed,
      voicemail: { maxAttempts: 2, initialDelaySec: 3600, backoffMultiplier: 1 },
    });
  });
});

describe('checkTools', () => {
  it('collects the references to check, lower-cased, with the field naming each', () => {
    const check = checkTools([
      { type: 'transfer_to_person', humanAgentId: '9C3E5A7B-1D2F-4A6B-8C0D-2E4F6A8B0C1D', description: ' to a human ' },
      { type: 'transfer_to_campaign', campaignId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' },
      { type: 'search_knowledge_base', description: '  ' },
      { type: 'transfer_to_number', phoneNumber: '+14155550123' },
    ]);
    expect(check).toEqual({
      tools: [
        { type: 'transfer_to_person', description: 'to a human', humanAgentId: '9c3e5a7b-1d2f-4a6b-8c0d-2e4f6a8b0c1d' },
        { type: 'transfer_to_campaign', campaignId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' },
        { type: 'search_knowledge_base' },
        { type: 'transfer_to_number', phoneNumber: '+14155550123' },
      ],
      problems: {},
      humanAgents: [{ field: 'tools[0].humanAgentId', id: '9c3e5a7b-1d2f-4a6b-8c0d-2e4f6a8b0c1d' }],
      campaigns: [{ field: 'tools[1].campaignId', id: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }],
      numbers: [{ field: 'tools[3].phoneNumber', id: '+14155550123' }],
    });
  });
});

describe('sameSettings', () => {
  it('ignores key order and tells a real change', () => {
    const tools = [{ type: 'transfer_to_number' as const, phoneNumber: '+14155550123', description: 'x' }];
    const reordered = [{ description: 'x', phoneNumber: '+14155550123', type: 'transfer_to_number' as const }];
    expect(sameSettings({ ...base, tools }, { ...base, tools: reordered })).toBe(true);
    expect(sameSettings(base, { ...base, temperature: 0.71 })).toBe(false);
    expect(sameSettings(base, { ...base, retryPolicy: { ...base.retryPolicy, voicemail: { maxAttempts: 1, initialDelaySec: 0, backoffMultiplier: 1 } } })).toBe(false);
  });

  it('rounds temperatures as numeric(3, 2) does', () => {
    expect([0.005, 0.333, 1.999, 2].map(roundTemperature)).toEqual([0.01, 0.33, 2, 2]);
  });
});
