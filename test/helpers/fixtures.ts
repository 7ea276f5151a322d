// Organisations, users and resources created through the API itself.
import { randomBytes } from 'node:crypto';
import type { components } from '../../client/index.js';
import type { TestApp } from './test-app.js';

type Role = components['schemas']['Role'];
export type Client = ReturnType<TestApp['client']>;

export const PASSWORD = 'correct-horse-battery';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

export interface Member {
  client: Client;
  id: number;
  email: string;
  role: Role;
  orgId: string;
}

/** A new organisation through POST /api/auth/register; the returned client is its logged-in owner. */
export async function registerOrg(t: TestApp, organizationName = 'Org'): Promise<Member> {
  const client = t.client();
  const email = uniqueEmail('owner');
  const { data, response } = await client.POST('/api/auth/register', {
    body: { organizationName, email, password: PASSWORD },
  });
  if (response.status !== 201 || !data) throw new Error(`register failed: ${response.status}`);
  return { client, id: data.id, email, role: 'owner', orgId: data.organization.id };
}

/** A member with `role` added by `owner`, logged in on a client of its own. */
export async function addMember(t: TestApp, owner: Member, role: Role): Promise<Member> {
  const email = uniqueEmail(role);
  const { data, response } = await owner.client.POST('/api/users', { body: { email, password: PASSWORD, role } });
  if (response.status !== 201 || !data) throw new Error(`createUser failed: ${response.status}`);
  const client = t.client();
  const login = await client.POST('/api/login', { body: { email, password: PASSWORD } });
  if (login.response.status !== 200) throw new Error(`login failed: ${login.response.status}`);
  return { client, id: data.id, email, role, orgId: owner.orgId };
}

export const SEED_CAMPAIGN = {
  name: 'New Campaign',
  description: 'Campaign description',
  routingType: 'priority',
  status: 'active',
  enableRtb: true,
  minBiddersRequired: 2,
  biddingTimeoutMs: 3000,
  callerIdRequired: false,
} as const;

export async function createCampaign(client: Client, overrides: Partial<components['schemas']['CampaignCreate']> = {}) {
  const { data, response } = await client.POST('/api/campaigns', { body: { ...SEED_CAMPAIGN, ...overrides } });
  if (response.status !== 201 || !data) throw new Error(`createCampaign failed: ${response.status}`);
  return data;
}

export async function createBuyer(client: Client, overrides: Partial<components['schemas']['BuyerCreate']> = {}) {
  const { data, response } = await client.POST('/api/buyers', {
    body: { name: 'Jane Smith', companyName: 'Smith Solutions', phoneNumber: '+12125551234', ...overrides },
  });
  if (response.status !== 201 || !data) throw new Error(`createBuyer failed: ${response.status}`);
  return data;
}
