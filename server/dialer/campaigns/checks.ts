// The checks of an outbound campaign's settings that need the database: the agent group and the
// voicemail audio must be the organisation's (400 naming the field otherwise). The caller id is
// checked by the campaign API with the numbers (server/inbound/campaigns/number-ownership.ts).
import type { components } from '../../../client/schema.js';
import type { Db } from '../../../db/types.js';
import { missingAudioIds } from '../../crm/audio/queries.js';
import { ERRORS } from '../../platform/errors.js';
import { isAgentGroupOfOrg } from '../agents/group-queries.js';

type CampaignUpdate = components['schemas']['CampaignUpdate'];

export async function checkOutboundReferences(db: Db, orgId: string, body: CampaignUpdate): Promise<void> {
  if (body.agentGroupId !== undefined && body.agentGroupId !== null && !(await isAgentGroupOfOrg(db, orgId, body.agentGroupId))) {
    throw ERRORS.validation({ agentGroupId: 'is not an agent group of this organisation (/api/agent-groups)' });
  }
  const drop = body.voicemailDrop;
  if (drop && 'audioId' in drop && (await missingAudioIds(db, orgId, [drop.audioId])).length > 0) {
    throw ERRORS.validation({ 'voicemailDrop.audioId': 'is not an audio file of this organisation (/api/audio)' });
  }
}
