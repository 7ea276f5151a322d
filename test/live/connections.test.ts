// stillAllowed (server/live/connections.ts, pure): whether a live connection's caller could still
// connect with the role the connection has.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../server/accounts/auth/principal.js';
import { stillAllowed } from '../../server/live/connections.js';

const ORG = '00000000-0000-4000-8000-000000000001';
const principal = (fields: Partial<Principal> = {}): Principal => ({ userId: 7, orgId: ORG, role: 'manager', via: 'session', apiKeyId: null, authenticatedAt: null, ...fields });
const users = (fields: Partial<{ org_id: string; role: Principal['role']; session_version: number }> = {}) =>
  new Map([[7, { org_id: ORG, role: 'manager' as Principal['role'], session_version: 3, ...fields }]]);
const keys = (fields: Partial<{ org_id: string; role: Principal['role'] }> = {}) => new Map([['k1', { org_id: ORG, role: 'manager' as Principal['role'], ...fields }]]);

describe('stillAllowed', () => {
  it('a session connection: the same user, organisation and session version, a role not lower', () => {
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, users(), keys())).toBe(true);
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, users({ role: 'owner' }), keys())).toBe(true);
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, users({ session_version: 4 }), keys())).toBe(false);
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, users({ role: 'agent' }), keys())).toBe(false);
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, users({ org_id: '00000000-0000-4000-8000-000000000002' }), keys())).toBe(false);
    expect(stillAllowed({ principal: principal(), sessionVersion: 3 }, new Map(), keys())).toBe(false);
  });

  it("an API key's connection: the key still live, its role and its creator's not lower; logging out does not end it", () => {
    const byKey = { principal: principal({ via: 'apiKey', apiKeyId: 'k1' }), sessionVersion: null };
    expect(stillAllowed(byKey, users({ session_version: 9 }), keys())).toBe(true);
    expect(stillAllowed(byKey, users(), new Map())).toBe(false);
    expect(stillAllowed(byKey, users(), keys({ role: 'agent' }))).toBe(false);
    expect(stillAllowed(byKey, users({ role: 'agent' }), keys())).toBe(false);
  });

  it("an agent's connection: the agent record it follows as its own is still its user's", () => {
    const agentUsers = users({ role: 'agent' });
    const own = { principal: principal({ role: 'agent' }), sessionVersion: 3, ownAgentId: 'a1' };
    expect(stillAllowed(own, agentUsers, keys(), new Map([['a1', { org_id: ORG, user_id: 7 }]]))).toBe(true);
    expect(stillAllowed(own, agentUsers, keys(), new Map([['a1', { org_id: ORG, user_id: 8 }]]))).toBe(false);
    expect(stillAllowed(own, agentUsers, keys(), new Map([['a1', { org_id: ORG, user_id: null }]]))).toBe(false);
    expect(stillAllowed(own, agentUsers, keys(), new Map())).toBe(false);
    expect(stillAllowed({ ...own, ownAgentId: null }, agentUsers, keys())).toBe(true);
  });
});

describe('stillAllowed: the session the connection stands on', () => {
  it('a connection of a session that expired is no longer allowed; an API key has no session time', () => {
    const bySession = { principal: principal(), sessionVersion: 3, sessionExpiresAt: 10_000 };
    expect(stillAllowed(bySession, users(), keys(), new Map(), 9_999)).toBe(true);
    expect(stillAllowed(bySession, users(), keys(), new Map(), 10_000)).toBe(false);
    expect(stillAllowed({ ...bySession, sessionExpiresAt: null }, users(), keys(), new Map(), 10_000)).toBe(true);
  });
});
