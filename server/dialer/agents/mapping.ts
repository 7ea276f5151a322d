// Agent and agent-group rows -> API shapes, and the column changes a create / update body asks
// for (pure). `phone`, `userId` and `groupId` need the database and are the caller's.
import type { components } from '../../../client/schema.js';
import type { AgentGroupPatch, AgentGroupRow, AgentPatch, AgentRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { ERRORS } from '../../platform/errors.js';

type Agent = components['schemas']['Agent'];
type AgentUpdate = components['schemas']['AgentUpdate'];
type AgentGroup = components['schemas']['AgentGroup'];
type AgentGroupUpdate = components['schemas']['AgentGroupUpdate'];

export function presentAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    email: row.email,
    phone: obfuscatePhone(row.phone_e164) ?? '',
    groupId: row.group_id,
    status: row.status,
    statusChangedAt: iso(row.status_changed_at),
    statusVersion: row.status_version,
    maxConcurrentCalls: row.max_concurrent_calls,
    timeZone: row.time_zone,
    workingHours: row.working_hours,
    isActive: row.is_active,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** A group with how many agents it has. */
export interface AgentGroupWithCount extends AgentGroupRow {
  agent_count: number | string;
}

export function presentAgentGroup(row: AgentGroupWithCount): AgentGroup {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    agentCount: Number(row.agent_count),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function emptyToNull(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The columns a body sets among name, email, time zone, working hours, call limit and active flag (400 naming a bad time zone). */
export function agentPatch(body: AgentUpdate): AgentPatch {
  const patch: AgentPatch = {};
  if (body.name !== undefined) patch.name = body.name.trim();
  if (body.email !== undefined) patch.email = emptyToNull(body.email);
  if (body.timeZone !== undefined) {
    if (!isValidTimeZone(body.timeZone)) throw ERRORS.validation({ timeZone: 'is not an IANA time zone (e.g. America/New_York)' });
    patch.time_zone = body.timeZone;
  }
  if (body.workingHours !== undefined) patch.working_hours = body.workingHours === null ? null : JSON.stringify(body.workingHours);
  if (body.maxConcurrentCalls !== undefined) patch.max_concurrent_calls = body.maxConcurrentCalls;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  return patch;
}

export function agentGroupPatch(body: AgentGroupUpdate): AgentGroupPatch {
  const patch: AgentGroupPatch = {};
  if (body.name !== undefined) patch.name = body.name.trim();
  if (body.description !== undefined) patch.description = emptyToNull(body.description);
  return patch;
}
