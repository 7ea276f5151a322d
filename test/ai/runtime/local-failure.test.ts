// The local mode (no model) when its answer fails — here the database is unreachable: the caller
// hears the apology with `last: true`, as after a failing model, instead of silence.
import { describe, expect, it } from 'vitest';
import { APOLOGY_LINE, ConversationSession } from '../../../server/ai/runtime/session.js';
import { DEFAULT_RETRY_POLICY } from '../../../server/dialer/schedule/retry-policy.js';

const unreachable = new Proxy({}, { get: () => () => { throw new Error('database unreachable'); } });

describe('a local-mode answer that fails', () => {
  it('is answered with the apology, the last token of the turn', async () => {
    const warnings: string[] = [];
    const log = { warn: (_: unknown, message: string) => warnings.push(message), info() {}, debug() {}, error() {}, child: () => log } as never;
    const settings = { name: 'Local', systemPrompt: '', firstMessage: null, voice: null, language: 'en-US', model: 'none', temperature: 0.7, maxTokens: 150, tools: [], retryPolicy: DEFAULT_RETRY_POLICY, isActive: true };
    const session = new ConversationSession(
      { db: unreachable as never, config: { aiResponseTimeoutMs: 500 }, model: null, embedder: null, log },
      {
        conversationId: '00000000-0000-4000-8000-000000000001',
        orgId: '00000000-0000-4000-8000-000000000002',
        version: { agentId: '00000000-0000-4000-8000-000000000003', orgId: '00000000-0000-4000-8000-000000000002', version: 1, settings, createdAt: new Date() },
        channel: 'voice',
        mode: 'local',
        personPhone: '+13105550123',
        outboundContext: null,
        outbound: false,
      },
    );
    const tokens: [string, boolean][] = [];
    const result = await session.respond({ text: 'What are your hours?', kind: 'speech', receivedAt: 0 }, { text: (token, last) => tokens.push([token, last]), end() {}, act() {} });
    expect(tokens).toEqual([[APOLOGY_LINE, true]]);
    expect(result).toMatchObject({ reply: APOLOGY_LINE, ended: false });
    await session.flush();
    expect(warnings).toContain('ai local answer failed');
  });
});
