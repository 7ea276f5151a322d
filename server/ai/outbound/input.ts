// Checks of an AI outbound call's or schedule's input shared by both (a 400 names the field): the
// number to call (libphonenumber-js, as leads read theirs: the organisation's country when it has
// no +), the time zone (IANA), and the agent (the organisation's and active; 409 when it has no
// number to call from).
import type { Db } from '../../../db/types.js';
import { normalisePhone } from '../../crm/leads/phone.js';
import { defaultCountryFor } from '../../crm/leads/queries.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { ERRORS } from '../../platform/errors.js';
import { activeAgentId, callerIdOf, NO_CALLER_ID } from './agent-checks.js';

export async function toPhoneE164(db: Db, orgId: string, raw: string): Promise<string> {
  const phone = normalisePhone(raw, await defaultCountryFor(db, orgId, null));
  if (!phone) throw ERRORS.validation({ toPhone: 'is not a phone number' });
  return phone.e164;
}

export function timeZoneOf(raw: string | undefined): string {
  const zone = raw ?? 'UTC';
  if (!isValidTimeZone(zone)) throw ERRORS.validation({ timezone: 'must be an IANA time zone, e.g. America/New_York' });
  return zone;
}

/** The agent's id when it can place calls: 400 when it is not the organisation's active agent, 409 when it has no number. */
export async function callingAgentId(db: Db, orgId: string, raw: string): Promise<string> {
  const agentId = await activeAgentId(db, orgId, raw);
  if (!agentId) throw ERRORS.validation({ agentId: "is not one of the organisation's active AI agents" });
  if (!(await callerIdOf(db, orgId, agentId))) throw ERRORS.conflict({ agentId: NO_CALLER_ID });
  return agentId;
}
