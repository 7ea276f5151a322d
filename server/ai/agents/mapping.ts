// Agent rows and versions <-> API shapes and stored settings (pure). ai_agents keeps the current
// settings in columns (retry_config in seed 004's shape); a version keeps them whole as
// AgentSettings (settings.ts), the shape the runtime reads through versions.ts.
import type { components } from '../../../client/schema.js';
import type { AiAgentRow, NewAiAgent } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { applySeed004, DEFAULT_RETRY_POLICY, type RetryPolicy, type Seed004RetryConfig, toSeed004 } from '../../dialer/schedule/retry-policy.js';
import type { AgentSettings, AgentTool } from './settings.js';

type Schemas = components['schemas'];

/** A stored seed-004 retry configuration as the dialer's model ('{}': the defaults). */
export function retryPolicyOf(stored: Record<string, unknown>): RetryPolicy {
  return applySeed004(DEFAULT_RETRY_POLICY, stored as Seed004RetryConfig);
}

/** The current settings of an agent row. */
export function settingsOfRow(row: AiAgentRow): AgentSettings {
  return {
    name: row.name,
    systemPrompt: row.system_prompt,
    firstMessage: row.first_message,
    voice: row.voice,
    language: row.language,
    model: row.model,
    temperature: Number(row.temperature),
    maxTokens: row.max_tokens,
    tools: row.tools as AgentTool[],
    retryPolicy: retryPolicyOf(row.retry_config),
    isActive: row.is_active,
  };
}

/** The columns that hold `settings` (jsonb written as JSON text). */
export function columnsOf(settings: AgentSettings): Omit<NewAiAgent, 'org_id'> {
  return {
    name: settings.name,
    system_prompt: settings.systemPrompt,
    first_message: settings.firstMessage,
    voice: settings.voice,
    language: settings.language,
    model: settings.model,
    temperature: settings.temperature.toFixed(2),
    max_tokens: settings.maxTokens,
    tools: JSON.stringify(settings.tools),
    retry_config: JSON.stringify(toSeed004(settings.retryPolicy)),
    is_active: settings.isActive,
  };
}

function presentTool(tool: AgentTool): Schemas['AiAgentTool'] {
  return { ...tool } as Schemas['AiAgentTool'];
}

export function presentSettings(settings: AgentSettings): Schemas['AiAgentSettings'] {
  return {
    name: settings.name,
    systemPrompt: settings.systemPrompt,
    firstMessage: settings.firstMessage,
    voice: settings.voice,
    language: settings.language,
    model: settings.model,
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    tools: settings.tools.map(presentTool),
    retryConfig: toSeed004(settings.retryPolicy),
    isActive: settings.isActive,
  };
}

export function presentAgent(row: AiAgentRow): Schemas['AiAgent'] {
  const { name, ...settings } = presentSettings(settingsOfRow(row));
  return {
    id: row.id,
    name,
    ...settings,
    version: row.version,
    createdBy: row.created_by_user_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface VersionRow {
  agent_id: string;
  version: number;
  settings: Record<string, unknown>;
  created_by_user_id: number | null;
  created_at: Date;
}

export function presentVersion(row: VersionRow): Schemas['AiAgentVersion'] {
  return {
    agentId: row.agent_id,
    version: row.version,
    settings: presentSettings(row.settings as unknown as AgentSettings),
    createdBy: row.created_by_user_id,
    createdAt: iso(row.created_at),
  };
}

export function pagination(page: number, limit: number, total: number): Schemas['Pagination'] {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}
