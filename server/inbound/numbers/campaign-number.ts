// A number of ours outside any campaign, pool and AI agent answers for the campaign that names it
// as its own phoneNumber (webhooks/lookup.ts). Pointing the number at another campaign, pooling it
// or giving it an AI agent would silently take all of that campaign's calls: a 409 naming the
// field of the request, the mirror of the campaigns' own check (campaigns/number-ownership.ts).
import { type AppError, ERRORS } from '../../platform/errors.js';

export function namedByCampaignConflict(field: 'campaignId' | 'aiAgentId' | 'phoneNumberId', campaignId: string): AppError {
  const lead = field === 'phoneNumberId' ? 'cannot be pooled' : 'cannot be set';
  return ERRORS.conflict({
    [field]: `${lead}: the number is the phoneNumber of campaign ${campaignId}, which would get none of its calls; give that campaign another phoneNumber first`,
  });
}
