// The history of leads' stages (lead_stage_changes): written where a stage changes, in the same
// transaction (queries.ts, updateLead); read by a lead's timeline (crm/activity).
import type { Db, LeadStage } from '../../../db/types.js';

export interface StageChange {
  org_id: string;
  lead_id: string;
  user_id: number | null;
  from_stage: LeadStage;
  to_stage: LeadStage;
}

export async function recordStageChange(db: Db, change: StageChange): Promise<void> {
  await db.insertInto('lead_stage_changes').values(change).execute();
}
