import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { missingAudioIds } from '../../crm/audio/queries.js';
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from '../../accounts/organization/country.js';
import { ERRORS } from '../../platform/errors.js';
import { findRouterInOrg } from '../../rtb/routers/queries.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { campaignPatch, generateRtbId, presentCampaign } from './mapping.js';
import { checkCampaignNumber } from './number-ownership.js';
import { deleteCampaignInOrg, findCampaignInOrg, insertCampaign, listCampaignsInOrg, updateCampaignInOrg } from './queries.js';

type CampaignOps = 'listCampaigns' | 'createCampaign' | 'getCampaign' | 'updateCampaign' | 'deleteCampaign' | 'updateCampaignRtbConfig';

/** A campaign may only name a router of its own organisation. */
async function checkRouter(db: Deps['db'], orgId: string, routerId: number | null | undefined): Promise<void> {
  if (routerId === undefined || routerId === null) return;
  if (!(await findRouterInOrg(db, orgId, routerId))) throw ERRORS.validation({ rtbRouterId: 'is not an RTB router of this organisation' });
}

const NOT_OUR_AUDIO = 'is not an audio file of this organisation (/api/audio)';

/** A campaign's fallback may only play an audio of its own organisation. */
async function checkFallbackAudio(db: Deps['db'], orgId: string, audioId: string | null | undefined): Promise<void> {
  if (audioId === undefined || audioId === null) return;
  if ((await missingAudioIds(db, orgId, [audioId])).length > 0) throw ERRORS.validation({ fallbackAudioId: NOT_OUR_AUDIO });
}

/** A campaign's default country must read phone numbers (libphonenumber-js knows it). */
function checkCountry(country: string | null | undefined): void {
  if (country !== undefined && country !== null && !isPhoneCountry(country)) throw ERRORS.validation({ defaultCountry: UNKNOWN_PHONE_COUNTRY });
}

function phoneConflict(err: unknown): Error | null {
  if (isUniqueViolation(err, 'campaigns_phone_number_key')) return ERRORS.conflict({ phoneNumber: 'is already used by another campaign' });
  // The audio was deleted between the check and the write.
  if (isForeignKeyViolation(err) && (err as { constraint?: string }).constraint === 'campaigns_fallback_audio_fkey') {
    return ERRORS.validation({ fallbackAudioId: NOT_OUR_AUDIO });
  }
  return null;
}

export function createCampaignHandlers({ db, telephony }: Deps): HandlerGroup<CampaignOps> {
  function campaignId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Campaign', raw);
    return id;
  }

  async function update(orgId: string, rawId: string, body: Parameters<typeof campaignPatch>[0]) {
    const id = campaignId(rawId);
    if (!(await findCampaignInOrg(db, orgId, id))) throw ERRORS.notFound('Campaign', rawId);
    checkCountry('defaultCountry' in body ? body.defaultCountry : undefined);
    await checkRouter(db, orgId, body.rtbRouterId);
    await checkCampaignNumber(db, orgId, body.phoneNumber, telephony);
    await checkFallbackAudio(db, orgId, 'fallbackAudioId' in body ? body.fallbackAudioId : undefined);
    try {
      const row = await updateCampaignInOrg(db, orgId, id, campaignPatch(body));
      if (!row) throw ERRORS.notFound('Campaign', rawId);
      return { status: 200 as const, body: presentCampaign(row) };
    } catch (err) {
      throw phoneConflict(err) ?? err;
    }
  }

  return {
    async listCampaigns(ctx) {
      const rows = await listCampaignsInOrg(db, ctx.principal().orgId, ctx.query.status);
      return { status: 200, body: rows.map(presentCampaign) };
    },

    async createCampaign(ctx) {
      const { orgId } = ctx.principal();
      checkCountry(ctx.body.defaultCountry);
      await checkRouter(db, orgId, ctx.body.rtbRouterId);
      await checkCampaignNumber(db, orgId, ctx.body.phoneNumber, telephony);
      await checkFallbackAudio(db, orgId, ctx.body.fallbackAudioId);
      try {
        const row = await insertCampaign(db, {
          ...campaignPatch(ctx.body),
          name: ctx.body.name,
          description: ctx.body.description ?? null,
          phone_number: ctx.body.phoneNumber ?? null,
          org_id: orgId,
          rtb_id: generateRtbId(),
        });
        return { status: 201, body: presentCampaign(row) };
      } catch (err) {
        throw phoneConflict(err) ?? err;
      }
    },

    async getCampaign(ctx) {
      const row = await findCampaignInOrg(db, ctx.principal().orgId, campaignId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Campaign', ctx.params.id);
      return { status: 200, body: presentCampaign(row) };
    },

    async updateCampaign(ctx) {
      return update(ctx.principal().orgId, ctx.params.id, ctx.body);
    },

    async updateCampaignRtbConfig(ctx) {
      return update(ctx.principal().orgId, ctx.params.id, ctx.body);
    },

    async deleteCampaign(ctx) {
      const deleted = await deleteCampaignInOrg(db, ctx.principal().orgId, campaignId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Campaign', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
