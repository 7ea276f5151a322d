// Agents, agent groups and presence history (server/dialer, migration 0021).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BigIntId, CreatedAt, Json, OperatingHours, UpdatedAt } from './columns.js';

export type AgentStatus = 'available' | 'busy' | 'offline' | 'break';
/** Who changed a presence: a person through the API, or a call (the dialer). */
export type AgentStatusReason = 'user' | 'call';

export interface AgentGroupsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  description: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AgentsTable {
  id: Generated<string>;
  org_id: string;
  user_id: number | null;
  group_id: string | null;
  name: string;
  email: string | null;
  phone_e164: string;
  /** Changed only by server/dialer/agents/presence.ts (with status_version, status_changed_at and a history row). */
  status: ColumnType<AgentStatus, AgentStatus | undefined, never>;
  status_version: ColumnType<number, never, never>;
  status_changed_at: ColumnType<Date, never, never>;
  time_zone: Generated<string>;
  /** The buyers' operating-hours shape in time_zone; null: no set hours. */
  working_hours: Json<OperatingHours | null> | null;
  max_concurrent_calls: Generated<number>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AgentStatusChangesTable {
  id: BigIntId;
  org_id: string;
  agent_id: string;
  from_status: AgentStatus;
  to_status: AgentStatus;
  reason: AgentStatusReason;
  user_id: number | null;
  changed_at: CreatedAt;
}

export type AgentGroupRow = Selectable<AgentGroupsTable>;
export type NewAgentGroup = Insertable<AgentGroupsTable>;
export type AgentGroupPatch = Updateable<AgentGroupsTable>;
export type AgentRow = Selectable<AgentsTable>;
export type NewAgent = Insertable<AgentsTable>;
export type AgentPatch = Updateable<AgentsTable>;
export type AgentStatusChangeRow = Selectable<AgentStatusChangesTable>;

/** Outbound campaigns' counters, one row per campaign and writer shard, summed on read (migration 0028). */
export interface CampaignDialCountersTable {
  campaign_id: string;
  shard: number;
  calls_made: Generated<number>;
  calls_answered: Generated<number>;
  calls_completed: Generated<number>;
  calls_abandoned: Generated<number>;
}
