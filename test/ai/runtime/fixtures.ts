// Rows the runtime's tests stand on, written straight to the database (the agents and knowledge
// areas own the APIs that make them): an agent with a version, a call answered by it, knowledge
// passages ready to search.
import { createHash, randomBytes } from 'node:crypto';
import type { AgentSettings, AgentTool } from '../../../server/ai/agents/settings.js';
import { DEFAULT_RETRY_POLICY } from '../../../server/dialer/schedule/retry-policy.js';
import type { TestApp } from '../../helpers/test-app.js';

export interface TestAgent {
  id: string;
  version: number;
  settings: AgentSettings;
}

export async function createAgent(t: Pick<TestApp, 'db'>, orgId: string, overrides: Partial<AgentSettings> = {}): Promise<TestAgent> {
  const settings: AgentSettings = {
    name: 'Support agent',
    systemPrompt: 'You are the friendly support line of Acme Corp.',
    firstMessage: 'Hello! This is customer support from Acme Corp.',
    voice: null,
    language: 'en-US',
    model: 'scripted-model',
    temperature: 0.7,
    maxTokens: 150,
    tools: [] as AgentTool[],
    retryPolicy: DEFAULT_RETRY_POLICY,
    isActive: true,
    ...overrides,
  };
  const agent = await t.db
    .insertInto('ai_agents')
    .values({ org_id: orgId, name: settings.name, system_prompt: settings.systemPrompt, first_message: settings.firstMessage, model: settings.model, tools: JSON.stringify(settings.tools) })
    .returning(['id', 'version'])
    .executeTakeFirstOrThrow();
  await t.db.insertInto('ai_agent_versions').values({ agent_id: agent.id, version: agent.version, org_id: orgId, settings: JSON.stringify(settings) }).execute();
  return { id: agent.id, version: agent.version, settings };
}

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** A call answered by the agent (what the voice webhook writes before its TwiML hands it over). */
export async function createAgentCall(t: Pick<TestApp, 'db'>, orgId: string, agent: TestAgent, callSid = newCallSid()): Promise<{ id: number; callSid: string; parameters: Record<string, string> }> {
  const row = await t.db
    .insertInto('calls')
    .values({ org_id: orgId, call_sid: callSid, from_number: '+13105550123', to_number: '+12125550100', ai_agent_id: agent.id, ai_agent_version: agent.version })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, callSid, parameters: { agentId: agent.id, agentVersion: String(agent.version), callId: String(row.id) } };
}

/** A ready knowledge-base document of the agent, one passage per entry. */
export async function addKnowledge(t: Pick<TestApp, 'db'>, orgId: string, agentId: string | null, title: string, passages: string[]): Promise<string> {
  const text = passages.join('\n\n');
  const doc = await t.db
    .insertInto('kb_documents')
    .values({ org_id: orgId, agent_id: agentId, title, content_type: 'text/plain', size_bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), status: 'ready', chunk_count: passages.length })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('kb_chunks')
    .values(passages.map((content, position) => ({ org_id: orgId, document_id: doc.id, agent_id: agentId, position, content })))
    .execute();
  return doc.id;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
