// An agent's settings after a create or update body (pure): only the fields sent change, tools
// are checked per type (the fields each needs, no others, each type once), the retry
// configuration is seed 004's shape applied to the dialer's retry model. References to other
// objects (a dialer agent, a campaign) are collected here and checked against the database by the
// caller (queries.ts), which answers 400 naming the field when one is not the organisation's.
import type { components } from '../../../client/schema.js';
import { applySeed004, DEFAULT_RETRY_POLICY, retryPolicyProblem, type RetryPolicy, type Seed004RetryConfig } from '../../dialer/schedule/retry-policy.js';
import type { AgentSettings, AgentTool } from './settings.js';

type Schemas = components['schemas'];
export type AgentBody = Schemas['AiAgentUpdate'];
type ToolBody = Schemas['AiAgentTool'];

export const DEFAULT_LANGUAGE = 'en-US';
export const DEFAULT_TEMPERATURE = 0.7;
export const DEFAULT_MAX_TOKENS = 150;

/** Which field each tool type needs (besides `type` and an optional `description`). */
const TOOL_FIELDS: Record<AgentTool['type'], 'humanAgentId' | 'phoneNumber' | 'campaignId' | 'audioUrl' | null> = {
  transfer_to_person: 'humanAgentId',
  transfer_to_number: 'phoneNumber',
  transfer_to_campaign: 'campaignId',
  end_call: null,
  search_knowledge_base: null,
  schedule_callback: null,
  play_audio: 'audioUrl',
  send_digits: null,
};
const REFERENCE_FIELDS = ['humanAgentId', 'phoneNumber', 'campaignId', 'audioUrl'] as const;

/** An audio URL Twilio can fetch: http(s), with a host, no credentials in it. */
function audioUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  return null;
}

/** A reference a tool makes, with the field that names it (for a 400). */
export interface ToolReference {
  field: string;
  id: string;
}

export interface ToolCheck {
  tools: AgentTool[];
  problems: Record<string, string>;
  humanAgents: ToolReference[];
  campaigns: ToolReference[];
  /** transfer_to_number destinations (`id`: the number), checked against the organisation's own tracking numbers. */
  numbers: ToolReference[];
}

/** The tools as stored (lower-case ids, only the fields of each type), or what is wrong with them. */
export function checkTools(body: readonly ToolBody[]): ToolCheck {
  const check: ToolCheck = { tools: [], problems: {}, humanAgents: [], campaigns: [], numbers: [] };
  const seen = new Map<string, number>();
  body.forEach((tool, i) => {
    const at = `tools[${i}]`;
    const first = seen.get(tool.type);
    if (first !== undefined) check.problems[`${at}.type`] = `${tool.type} is given twice (also tools[${first}])`;
    else seen.set(tool.type, i);
    const needed = TOOL_FIELDS[tool.type];
    for (const field of REFERENCE_FIELDS) {
      if (field === needed) continue;
      if (tool[field] !== undefined) check.problems[`${at}.${field}`] = `is not a field of ${tool.type} tools`;
    }
    const description = tool.description?.trim() ? { description: tool.description.trim() } : {};
    switch (tool.type) {
      case 'transfer_to_person':
        if (tool.humanAgentId === undefined) check.problems[`${at}.humanAgentId`] = 'is required for a transfer_to_person tool';
        else {
          const id = tool.humanAgentId.toLowerCase();
          check.humanAgents.push({ field: `${at}.humanAgentId`, id });
          check.tools.push({ type: tool.type, ...description, humanAgentId: id });
        }
        break;
      case 'transfer_to_number':
        if (tool.phoneNumber === undefined) check.problems[`${at}.phoneNumber`] = 'is required for a transfer_to_number tool';
        else {
          check.numbers.push({ field: `${at}.phoneNumber`, id: tool.phoneNumber });
          check.tools.push({ type: tool.type, ...description, phoneNumber: tool.phoneNumber });
        }
        break;
      case 'transfer_to_campaign':
        if (tool.campaignId === undefined) check.problems[`${at}.campaignId`] = 'is required for a transfer_to_campaign tool';
        else {
          const id = tool.campaignId.toLowerCase();
          check.campaigns.push({ field: `${at}.campaignId`, id });
          check.tools.push({ type: tool.type, ...description, campaignId: id });
        }
        break;
      case 'play_audio': {
        if (tool.audioUrl === undefined) {
          check.problems[`${at}.audioUrl`] = 'is required for a play_audio tool';
          break;
        }
        const problem = audioUrlProblem(tool.audioUrl);
        if (problem) check.problems[`${at}.audioUrl`] = problem;
        else check.tools.push({ type: tool.type, ...description, audioUrl: tool.audioUrl });
        break;
      }
      default:
        check.tools.push({ type: tool.type, ...description });
    }
  });
  return check;
}

/** Seed 004's retry update applied to `base`, or the field that is out of bounds. */
export function applyRetryConfig(base: RetryPolicy, update: Seed004RetryConfig): { policy: RetryPolicy } | { field: string; message: string } {
  const policy = applySeed004(base, update);
  const problem = retryPolicyProblem(policy);
  return problem ? { field: `retryConfig.${problem.field}`, message: problem.message } : { policy };
}

/** numeric(3, 2): what the database keeps of a temperature. */
export function roundTemperature(value: number): number {
  return Math.round(value * 100) / 100;
}

function trimmedOrNull(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

export type SettingsChange = { settings: AgentSettings; check: ToolCheck } | { problems: Record<string, string> };

/**
 * The settings after `body` (a create body on `base` = the defaults, or an update on the current
 * settings): only the fields sent change. Problems found without the database are returned
 * whole (every bad field named), the tool references for the caller to check.
 */
export function applyAgentBody(base: AgentSettings, body: AgentBody): SettingsChange {
  const problems: Record<string, string> = {};
  const next: AgentSettings = { ...base };
  if (body.name !== undefined) {
    next.name = body.name.trim();
    if (!next.name) problems.name = 'must not be blank';
  }
  if (body.systemPrompt !== undefined) {
    next.systemPrompt = body.systemPrompt.trim();
    if (!next.systemPrompt) problems.systemPrompt = 'must not be blank';
  }
  if (body.firstMessage !== undefined) next.firstMessage = trimmedOrNull(body.firstMessage);
  if (body.voice !== undefined) next.voice = trimmedOrNull(body.voice);
  if (body.language !== undefined) next.language = body.language;
  if (body.model !== undefined) {
    next.model = body.model.trim();
    if (!next.model) problems.model = 'must not be blank';
  }
  if (body.temperature !== undefined) next.temperature = roundTemperature(body.temperature);
  if (body.maxTokens !== undefined) next.maxTokens = body.maxTokens;
  if (body.isActive !== undefined) next.isActive = body.isActive;
  let check: ToolCheck = { tools: base.tools, problems: {}, humanAgents: [], campaigns: [], numbers: [] };
  if (body.tools !== undefined) {
    check = checkTools(body.tools);
    Object.assign(problems, check.problems);
    next.tools = check.tools;
  }
  if (body.retryConfig !== undefined) {
    const applied = applyRetryConfig(base.retryPolicy, body.retryConfig);
    if ('policy' in applied) next.retryPolicy = applied.policy;
    else problems[applied.field] = applied.message;
  }
  return Object.keys(problems).length > 0 ? { problems } : { settings: next, check };
}

/** The settings of a new agent before its body: the defaults (model: the server's AI_MODEL). */
export function defaultSettings(defaultModel: string): AgentSettings {
  return {
    name: '',
    systemPrompt: '',
    firstMessage: null,
    voice: null,
    language: DEFAULT_LANGUAGE,
    model: defaultModel,
    temperature: DEFAULT_TEMPERATURE,
    maxTokens: DEFAULT_MAX_TOKENS,
    tools: [],
    retryPolicy: DEFAULT_RETRY_POLICY,
    isActive: true,
  };
}

/** Settings in one canonical form (fixed key order), to tell whether a change changes anything. */
function canonical(settings: AgentSettings): string {
  const tools = settings.tools.map((tool) => {
    const { type, description, ...rest } = tool as AgentTool & Record<string, unknown>;
    return [type, description ?? null, Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))];
  });
  const retry = Object.entries(settings.retryPolicy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, rule]) => [outcome, rule && [rule.maxAttempts, rule.initialDelaySec, rule.backoffMultiplier]]);
  const { name, systemPrompt, firstMessage, voice, language, model, temperature, maxTokens, isActive } = settings;
  return JSON.stringify([name, systemPrompt, firstMessage, voice, language, model, temperature, maxTokens, isActive, tools, retry]);
}

export function sameSettings(a: AgentSettings, b: AgentSettings): boolean {
  return canonical(a) === canonical(b);
}
