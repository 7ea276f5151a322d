import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { missingAudioIds } from '../../crm/audio/queries.js';
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from '../../accounts/organization/country.js';
import { ERRORS } from '../../platform/errors.js';
import { findRouterInOrg } from '../../rtb/routers/queries.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { campaignPatch, generateRtbId, presentCampaign } from './mapping.js';
import { CALLER_ID_RELEASED, checkCallerId, checkCampaignNumber, holdsCallerId } from './number-ownership.js';
import { checkOutboundReferences } from '../../dialer/campaigns/checks.js';
import { leadCounts } from '../../dialer/campaigns/queries.js';
import { dialCounters } from '../../dialer/campaigns/counters.js';
import { firstOutboundField, outboundDefaults, outboundPatch } from '../../dialer/campaigns/settings.js';
import { startProblem } from '../../dialer/campaigns/start.js';
import type { CampaignPatch, CampaignRow, CampaignStatus, Db } from '../../../db/types.js';
import { lockNumberByPhone } from '../numbers/queries.js';
import { deleteCampaignInOrg, findCampaignInOrg, insertCampaign, listCampaignsInOrg, lockCampaignInOrg, updateCampaignInOrg } from './queries.js';

type CampaignOps =
  | 'listCampaigns'
  | 'createCampaign'
  | 'getCampaign'
  | 'updateCampaign'
  | 'deleteCampaign'
  | 'updateCampaignRtbConfig'
  | 'startCampaign'
  | 'pauseCampaign'
  | 'stopCampaign';

/** A campaign may only name a router of its own organisation. */
async function checkRouter(db: Db, orgId: string, routerId: number | null | undefined): Promise<void> {
  if (routerId === undefined || routerId === null) return;
  if (!(await findRouterInOrg(db, orgId, routerId))) throw ERRORS.validation({ rtbRouterId: NOT_OUR_ROUTER });
}

const NOT_OUR_ROUTER = 'is not an RTB router of this organisation';
const NOT_OUR_AUDIO = 'is not an audio file of this organisation (/api/audio)';
const NOT_OUR_GROUP = 'is not an agent group of this organisation (/api/agent-groups)';

/** A campaign's fallback may only play an audio of its own organisation. */
async function checkFallbackAudio(db: Db, orgId: string, audioId: string | null | undefined): Promise<void> {
  if (audioId === undefined || audioId === null) return;
  if ((await missingAudioIds(db, orgId, [audioId])).length > 0) throw ERRORS.validation({ fallbackAudioId: NOT_OUR_AUDIO });
}

/** A campaign's default country must read phone numbers (libphonenumber-js knows it). */
function checkCountry(country: string | null | undefined): void {
  if (country !== undefined && country !== null && !isPhoneCountry(country)) throw ERRORS.validation({ defaultCountry: UNKNOWN_PHONE_COUNTRY });
}

type CampaignBody = Parameters<typeof campaignPatch>[0];

/**
 * The outbound fields of a body as column changes (checked against the database), or a 400: on
 * an inbound campaign they are refused, naming the first one.
 */
async function outboundChanges(db: Db, orgId: string, body: CampaignBody, campaign: Pick<CampaignRow, 'direction' | 'retry_policy' | 'calling_hours_start' | 'calling_hours_end'> | null, direction: string): Promise<CampaignPatch> {
  if (direction !== 'outbound') {
    const field = firstOutboundField(body);
    if (field) throw ERRORS.validation({ [field]: 'is only for outbound campaigns (direction: outbound)' });
    return {};
  }
  const result = outboundPatch(body, campaign);
  if ('field' in result) throw ERRORS.validation({ [result.field]: result.message });
  await checkCallerId(db, orgId, body.callerId);
  await checkOutboundReferences(db, orgId, body);
  return result.patch;
}

/** The 400 of each reference a campaign write checks, by the foreign key that refuses it once the row is gone. */
const DELETED_REFERENCES: Record<string, Record<string, string>> = {
  campaigns_fallback_audio_fkey: { fallbackAudioId: NOT_OUR_AUDIO },
  campaigns_rtb_router_fkey: { rtbRouterId: NOT_OUR_ROUTER },
  campaigns_agent_group_fkey: { agentGroupId: NOT_OUR_GROUP },
};

function writeConflict(err: unknown): Error | null {
  if (isUniqueViolation(err, 'campaigns_phone_number_key')) return ERRORS.conflict({ phoneNumber: 'is already used by another campaign' });
  // A referenced audio, router or agent group was deleted between its check and the write.
  if (!isForeignKeyViolation(err)) return null;
  const constraint = (err as { constraint?: string }).constraint ?? '';
  return Object.hasOwn(DELETED_REFERENCES, constraint) ? ERRORS.validation(DELETED_REFERENCES[constraint]!) : null;
}

export function createCampaignHandlers({ db, telephony }: Deps): HandlerGroup<CampaignOps> {
  function campaignId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Campaign', raw);
    return id;
  }

  /** The campaign as answered: outbound ones with their lead count and counters (ids already in the org). */
  async function present(orgId: string, rows: readonly CampaignRow[]) {
    const outbound = rows.filter((r) => r.direction === 'outbound').map((r) => r.id);
    const [counts, counters] = await Promise.all([leadCounts(db, orgId, outbound), dialCounters(db, outbound)]);
    return rows.map((row) => presentCampaign(row, counts.get(row.id) ?? 0, counters.get(row.id)));
  }

  async function presentOne(orgId: string, row: CampaignRow) {
    return (await present(orgId, [row]))[0]!;
  }

  /**
   * The checks of a campaign write that read the database, then the write, in one transaction.
   * The references they lock stay as checked until it commits: the number's row (a concurrent
   * pooling, pointing or agent of it is then seen here or sees this campaign: lockNumberInOrg)
   * and the voicemail drop's audio (a concurrent deletion likewise: crm/audio, missingAudioIds).
   */
  async function checkedWrite<T extends CampaignRow | undefined>(orgId: string, body: CampaignBody, current: CampaignRow | null, direction: string, write: (trx: Db, outbound: CampaignPatch) => Promise<T>): Promise<T> {
    checkCountry('defaultCountry' in body ? body.defaultCountry : undefined);
    // Outside the transaction: the router's foreign key refuses one deleted since (writeConflict).
    await checkRouter(db, orgId, body.rtbRouterId);
    return db.transaction().execute(async (trx) => {
      const outbound = await outboundChanges(trx, orgId, body, current, direction);
      if (typeof body.phoneNumber === 'string') await lockNumberByPhone(trx, body.phoneNumber);
      await checkCampaignNumber(trx, orgId, body.phoneNumber, telephony, current?.id);
      await checkFallbackAudio(trx, orgId, 'fallbackAudioId' in body ? body.fallbackAudioId : undefined);
      const row = await write(trx, outbound);
      // An outbound campaign left active (created or put active, or its caller id or agent group
      // cleared while active) needs what a start needs; the 409 rolls the write back.
      const problem = row?.direction === 'outbound' && row.status === 'active' ? startProblem(row) : null;
      if (problem) throw ERRORS.conflict(problem);
      return row;
    });
  }

  async function update(orgId: string, rawId: string, body: CampaignBody) {
    const id = campaignId(rawId);
    const current = await findCampaignInOrg(db, orgId, id);
    if (!current) throw ERRORS.notFound('Campaign', rawId);
    try {
      const row = await checkedWrite(orgId, body, current, current.direction, (trx, outbound) => updateCampaignInOrg(trx, orgId, id, { ...campaignPatch(body), ...outbound }));
      if (!row) throw ERRORS.notFound('Campaign', rawId);
      return { status: 200 as const, body: await presentOne(orgId, row) };
    } catch (err) {
      throw writeConflict(err) ?? err;
    }
  }

  /**
   * start / pause / stop (seed 002): the status, after the checks an outbound start needs — made on
   * the campaign locked, so a change committed meanwhile (its caller id or agent group cleared) is
   * seen, and one made after waits for the status and then meets the same checks (checkedWrite).
   */
  async function setStatus(orgId: string, rawId: string, status: CampaignStatus) {
    const id = campaignId(rawId);
    const row = await db.transaction().execute(async (trx) => {
      const current = await lockCampaignInOrg(trx, orgId, id);
      if (!current) throw ERRORS.notFound('Campaign', rawId);
      if (current.status === status) return current;
      if (status === 'paused' && current.status === 'inactive') throw ERRORS.conflict({ status: 'the campaign is stopped: start it instead' });
      if (status === 'active' && current.direction === 'outbound') {
        const problem = startProblem(current);
        if (problem) throw ERRORS.conflict(problem);
        // The caller id may have been released since it was set.
        if (current.caller_id !== null && !(await holdsCallerId(trx, orgId, current.caller_id))) throw ERRORS.conflict(CALLER_ID_RELEASED);
      }
      const updated = await updateCampaignInOrg(trx, orgId, id, { status });
      if (!updated) throw ERRORS.notFound('Campaign', rawId);
      return updated;
    });
    return { status: 200 as const, body: await presentOne(orgId, row) };
  }

  return {
    async listCampaigns(ctx) {
      const { orgId } = ctx.principal();
      const rows = await listCampaignsInOrg(db, orgId, ctx.query.status);
      return { status: 200, body: await present(orgId, rows) };
    },

    async createCampaign(ctx) {
      const { orgId } = ctx.principal();
      const direction = ctx.body.direction ?? 'inbound';
      try {
        const row = await checkedWrite(orgId, ctx.body, null, direction, (trx, outbound) => insertCampaign(trx, {
          ...(direction === 'outbound' ? outboundDefaults(ctx.body) : {}),
          ...campaignPatch(ctx.body),
          ...outbound,
          direction,
          name: ctx.body.name,
          description: ctx.body.description ?? null,
          phone_number: ctx.body.phoneNumber ?? null,
          org_id: orgId,
          rtb_id: generateRtbId(),
        }));
        return { status: 201, body: await presentOne(orgId, row) };
      } catch (err) {
        throw writeConflict(err) ?? err;
      }
    },

    async getCampaign(ctx) {
      const { orgId } = ctx.principal();
      const row = await findCampaignInOrg(db, orgId, campaignId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Campaign', ctx.params.id);
      return { status: 200, body: await presentOne(orgId, row) };
    },

    async updateCampaign(ctx) {
      return update(ctx.principal().orgId, ctx.params.id, ctx.body);
    },

    async updateCampaignRtbConfig(ctx) {
      return update(ctx.principal().orgId, ctx.params.id, ctx.body);
    },

    async startCampaign(ctx) {
      return setStatus(ctx.principal().orgId, ctx.params.id, 'active');
    },

    async pauseCampaign(ctx) {
      return setStatus(ctx.principal().orgId, ctx.params.id, 'paused');
    },

    async stopCampaign(ctx) {
      return setStatus(ctx.principal().orgId, ctx.params.id, 'inactive');
    },

    async deleteCampaign(ctx) {
      const deleted = await deleteCampaignInOrg(db, ctx.principal().orgId, campaignId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Campaign', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
