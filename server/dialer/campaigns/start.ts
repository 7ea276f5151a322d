// What an outbound campaign needs before it may start (pure): a caller id and an agent group.
import type { CampaignRow } from '../../../db/types.js';

/** The fields missing for a start, named (for a 409), or null. */
export function startProblem(row: Pick<CampaignRow, 'caller_id' | 'agent_group_id'>): Record<string, string> | null {
  const missing: Record<string, string> = {};
  if (row.caller_id === null) missing.callerId = 'is not set: an outbound campaign needs the number leads see';
  if (row.agent_group_id === null) missing.agentGroupId = 'is not set: an outbound campaign needs the agents who take its calls';
  return Object.keys(missing).length > 0 ? missing : null;
}
