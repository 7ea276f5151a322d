// Fixtures of the AI outbound tests: an AI agent written straight into the tables (the agents API
// is another area's), a number of the organisation assigned to it, and a telephony that records
// the calls it is asked to place.
import { randomBytes } from 'node:crypto';
import type { AgentSettings } from '../../../server/ai/agents/settings.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../server/dialer/schedule/retry-policy.js';
import type { PlaceCallInput } from '../../../server/telephony/types.js';
import { TelephonyError } from '../../../server/telephony/types.js';
import type { Member } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/test-app.js';

export interface AgentOptions {
  retryPolicy?: RetryPolicy;
  isActive?: boolean;
  firstMessage?: string | null;
}

/** An AI agent of the organisation, version 1 (its settings as a version stores them). */
export async function createAiAgent(t: TestApp, orgId: string, options: AgentOptions = {}): Promise<string> {
  const settings: AgentSettings = {
    name: `Agent ${randomBytes(3).toString('hex')}`,
    systemPrompt: 'You call customers back about their orders.',
    firstMessage: options.firstMessage === undefined ? 'Hello, this is Acme calling about your order.' : options.firstMessage,
    voice: null,
    language: 'en-US',
    model: 'gpt-4o-mini',
    temperature: 0.7,
    maxTokens: 150,
    tools: [],
    retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    isActive: options.isActive ?? true,
  };
  const agent = await t.db
    .insertInto('ai_agents')
    .values({ org_id: orgId, name: settings.name, system_prompt: settings.systemPrompt, first_message: settings.firstMessage, model: settings.model, is_active: settings.isActive })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db.insertInto('ai_agent_versions').values({ agent_id: agent.id, version: 1, org_id: orgId, settings: JSON.stringify(settings) }).execute();
  return agent.id;
}

/** Buy a number for the organisation and assign it to the agent; its E.164 form. */
export async function assignNumber(t: TestApp, owner: Member, agentId: string): Promise<string> {
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 5 } } });
  for (const candidate of found.data?.numbers ?? []) {
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: candidate.phoneNumber } });
    if (bought.response.status !== 201 || !bought.data) continue;
    await t.db.updateTable('phone_numbers').set({ ai_agent_id: agentId }).where('id', '=', bought.data.id).execute();
    return bought.data.phoneNumber;
  }
  throw new Error('no number could be bought');
}

let sidCounter = 0;

/** A telephony that records placeCall and answers a fresh sid (or refuses, when told to). */
export function recordingTelephony(refuse?: (input: PlaceCallInput) => boolean) {
  const placed: Array<PlaceCallInput & { callSid: string }> = [];
  return {
    placed,
    telephony: {
      kind: 'simulator' as const,
      async placeCall(input: PlaceCallInput) {
        if (refuse?.(input)) throw new TelephonyError('invalid', 'refused by the test carrier');
        sidCounter += 1;
        const callSid = `CA${randomBytes(12).toString('hex')}${sidCounter.toString(16).padStart(8, '0')}`;
        placed.push({ ...input, callSid });
        return { callSid };
      },
    },
  };
}

/** The outboundCallId a placed call's URLs name. */
export function outboundIdOf(url: string): string {
  return new URL(url).searchParams.get('outboundCallId')!;
}
