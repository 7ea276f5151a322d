// Shared set-up of the AI agent tests: agents through the API, numbers bought from the simulator.
import { expect } from 'vitest';
import type { components } from '../../../client/index.js';
import type { Client } from '../../helpers/fixtures.js';

export const SEED_AGENT = {
  name: 'Customer Support Agent',
  systemPrompt: 'You are a helpful customer support agent for Acme Corp. Answer questions about our products and services politely and professionally.',
  voice: 'Rachel',
  model: 'gpt-4',
  temperature: 0.7,
  maxTokens: 150,
  isActive: true,
} as const;

export async function createAiAgent(client: Client, overrides: Partial<components['schemas']['AiAgentCreate']> = {}) {
  const { data, response, error } = await client.POST('/api/ai-agents', { body: { ...SEED_AGENT, ...overrides } });
  expect(response.status, JSON.stringify(error)).toBe(201);
  return data!;
}

/** A number bought from the simulator (not assigned to anything). */
export async function buyNumber(client: Client) {
  const found = await client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  const candidate = found.data?.numbers[0];
  if (!candidate) throw new Error(`number search failed: ${found.response.status}`);
  const bought = await client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: candidate.phoneNumber } });
  expect(bought.response.status).toBe(201);
  return bought.data!;
}

export const path = (id: string) => ({ params: { path: { id } } });
