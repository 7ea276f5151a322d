import { parseIntId } from '../../platform/common/ids.js';
import { isCheckViolation, isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { AppError, ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerContext, HandlerGroup } from '../../handler-types.js';
import { isTelephonyError, type PurchasedNumber, TelephonyError } from '../../telephony/types.js';
import { numberWebhooks, presentAvailableNumber, presentNumber } from './mapping.js';
import { ownCampaignId } from '../campaigns/own-campaign.js';
import { telephonyFailure } from './provider-errors.js';
import { namedByCampaignConflict } from './campaign-number.js';
import {
  PHONE_NUMBER_UNIQUE,
  campaignNamingNumber,
  deleteNumberInOrg,
  findNumberByPhone,
  findNumberInOrg,
  insertNumber,
  isOwnAiAgent,
  listNumbersInOrg,
  lockNumberInOrg,
  setNumberCampaignInOrg,
  updateNumberInOrg,
  withNumberLocked,
} from './queries.js';

type NumberOps =
  | 'listPhoneNumbers'
  | 'searchPhoneNumbers'
  | 'purchasePhoneNumber'
  | 'releasePhoneNumber'
  | 'assignPhoneNumberToCampaign'
  | 'updatePhoneNumber';

const DEFAULT_COUNTRY = 'US';
const DEFAULT_NUMBER_TYPE = 'local';
const DEFAULT_SEARCH_LIMIT = 10;

/** A number can be bought only once (phone_number is unique across organisations). */
function alreadyOurs(): AppError {
  return ERRORS.conflict({ phoneNumber: 'has already been purchased' });
}

/**
 * A number held by another organisation: the same answer as the provider's "not available"
 * (telephonyFailure), so a purchase attempt does not reveal what others bought here.
 */
function heldElsewhere(): AppError {
  return telephonyFailure(new TelephonyError('conflict', 'number held by another organisation'), 'purchase');
}

/** The 409 for a number in our table: named as ours only to its own organisation. */
function takenAnswer(holderOrgId: string | undefined, orgId: string): AppError {
  return holderOrgId === orgId ? alreadyOurs() : heldElsewhere();
}

function pooledConflict(poolId: number): AppError {
  return ERRORS.conflict({ campaignId: `cannot be set: the number is in number pool ${poolId}; take it out of the pool first` });
}

export function createNumberHandlers({ db, config, telephony }: Deps): HandlerGroup<NumberOps> {
  /** Why a campaign could not be set (phone_numbers_campaign_or_agent, or a pooled number). */
  async function campaignCheckConflict(orgId: string, id: number): Promise<AppError> {
    const existing = await findNumberInOrg(db, orgId, id);
    if (existing?.ai_agent_id) {
      return ERRORS.conflict({ campaignId: `cannot be set: the number is answered by AI agent ${existing.ai_agent_id}; unassign it first (PUT /api/phone-numbers/{id} with aiAgentId null)` });
    }
    return ERRORS.conflict({ campaignId: 'cannot be set: the number is in a number pool; take it out of the pool first' });
  }

  function numberId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('Phone number', raw);
    return id;
  }

  /**
   * The insert after a purchase failed: give the number back, unless a row of ours already holds
   * that very provider number (then it is not ours to release). A failed release is logged with
   * the sid so that an operator can release it by hand.
   */
  async function undoPurchase(ctx: HandlerContext<'purchasePhoneNumber'>, bought: PurchasedNumber): Promise<void> {
    const holder = await findNumberByPhone(db, bought.phoneNumber).catch(() => undefined);
    if (holder && holder.provider_sid === bought.sid) return;
    try {
      await telephony.releaseNumber(bought.sid);
      ctx.req.log.warn({ sid: bought.sid, provider: telephony.kind }, 'number released again: it could not be stored after its purchase');
    } catch (err) {
      ctx.req.log.error(
        { err, sid: bought.sid, phoneNumber: bought.phoneNumber, provider: telephony.kind },
        'number bought but neither stored nor released: release it at the provider by hand',
      );
    }
  }

  return {
    async listPhoneNumbers(ctx) {
      const rows = await listNumbersInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map(presentNumber) };
    },

    async searchPhoneNumbers(ctx) {
      const { numberType, type, areaCode, contains } = ctx.query;
      if (numberType !== undefined && type !== undefined && numberType !== type) {
        throw ERRORS.validation({ type: 'must equal numberType when both are given (type is the seed 001 name of numberType)' });
      }
      const country = ctx.query.country ?? DEFAULT_COUNTRY;
      const kind = numberType ?? type ?? DEFAULT_NUMBER_TYPE;
      const limit = ctx.query.limit ?? DEFAULT_SEARCH_LIMIT;
      let found;
      try {
        found = await telephony.searchNumbers({
          country,
          type: kind,
          limit,
          ...(areaCode !== undefined ? { areaCode } : {}),
          ...(contains !== undefined ? { contains } : {}),
        });
      } catch (err) {
        const mapped = telephonyFailure(err, 'search');
        ctx.req.log[mapped.statusCode >= 500 ? 'warn' : 'info']({ err, provider: telephony.kind }, 'number search failed at the provider');
        throw mapped;
      }
      return {
        status: 200,
        body: {
          success: true,
          provider: telephony.kind,
          numbers: found.slice(0, limit).map(presentAvailableNumber),
          searchParams: {
            country,
            numberType: kind,
            limit,
            ...(areaCode !== undefined ? { areaCode } : {}),
            ...(contains !== undefined ? { contains } : {}),
          },
        },
      };
    },

    async purchasePhoneNumber(ctx) {
      const { orgId } = ctx.principal();
      const { phoneNumber, friendlyName } = ctx.body;
      const campaignId = ctx.body.campaignId == null ? null : await ownCampaignId(db, orgId, ctx.body.campaignId);
      // Never buy twice: a number already in our table (any organisation) is refused before spending.
      const holder = await findNumberByPhone(db, phoneNumber);
      if (holder) throw takenAnswer(holder.org_id, orgId);
      if (campaignId !== null) {
        const naming = await campaignNamingNumber(db, orgId, phoneNumber, campaignId);
        if (naming !== undefined) throw namedByCampaignConflict('campaignId', naming);
      }

      let bought: PurchasedNumber;
      /** Found after a failed answer: maybe bought by another request of ours at the same moment. */
      let recovered = false;
      const webhooks = numberWebhooks(config.publicBaseUrl);
      try {
        bought = await telephony.purchaseNumber({
          phoneNumber,
          ...(friendlyName !== undefined ? { friendlyName } : {}),
          ...webhooks,
        });
      } catch (err) {
        const mapped = telephonyFailure(err, 'purchase');
        ctx.req.log[mapped.statusCode >= 500 ? 'warn' : 'info']({ err, provider: telephony.kind }, 'number purchase failed at the provider');
        // A timeout or an outage may hide a purchase that went through: the number would be billed
        // and nowhere here. If the account holds it now with this server's voice URL (so bought by
        // this server, not held for something else), it is kept.
        const kept = mapped.statusCode >= 500 ? await telephony.findOwnedNumber(phoneNumber, webhooks.voiceUrl).catch(() => null) : null;
        if (!kept) throw mapped;
        ctx.req.log.warn({ sid: kept.sid, provider: telephony.kind }, 'number purchase answered with a failure, but the number was bought: storing it');
        bought = kept;
        recovered = true;
      }

      try {
        const row = await insertNumber(db, {
          org_id: orgId,
          phone_number: bought.phoneNumber,
          friendly_name: bought.friendlyName,
          provider_sid: bought.sid,
          provider: telephony.kind,
          campaign_id: campaignId,
          monthly_fee: bought.monthlyFee,
          capabilities: JSON.stringify({ voice: bought.capabilities.voice, SMS: bought.capabilities.SMS, MMS: bought.capabilities.MMS }),
        });
        return { status: 201, body: presentNumber(row) };
      } catch (err) {
        // A recovered number stored meanwhile by another request (another organisation's purchase at
        // the same moment) is theirs: never released from here.
        if (!(recovered && isUniqueViolation(err, PHONE_NUMBER_UNIQUE))) await undoPurchase(ctx, bought);
        if (isUniqueViolation(err, PHONE_NUMBER_UNIQUE)) throw takenAnswer((await findNumberByPhone(db, bought.phoneNumber).catch(() => undefined))?.org_id, orgId);
        // The campaign was deleted between the check and the insert.
        if (isForeignKeyViolation(err) && campaignId !== null) throw ERRORS.notFound('Campaign', campaignId);
        throw err;
      }
    },

    async releasePhoneNumber(ctx) {
      const { orgId } = ctx.principal();
      const id = numberId(ctx.params.id);
      // The number's row stays locked from the check to the delete (lockNumberInOrg): a campaign
      // naming it meanwhile (which takes the same lock) is either seen here (409) or waits and then
      // finds the number gone. The provider is asked inside: a failure there rolls nothing back.
      const released = await db.transaction().execute(async (trx) => {
        await lockNumberInOrg(trx, orgId, id);
        const row = await findNumberInOrg(trx, orgId, id);
        if (!row) return false;
        // The line a campaign answers on is not given up by accident (a released number may not come back).
        const naming = await campaignNamingNumber(trx, orgId, row.phone_number);
        if (naming !== undefined) throw ERRORS.conflict({ id: `is the phoneNumber of campaign ${naming}: give that campaign another phoneNumber (or null) first; a released number may not come back` });
        if (row.provider === telephony.kind) {
          try {
            await telephony.releaseNumber(row.provider_sid);
          } catch (err) {
            // Unknown at the provider: already released (or a simulator restarted) — forget it here too.
            if (!isTelephonyError(err, 'not_found')) {
              ctx.req.log.warn({ err, sid: row.provider_sid, provider: telephony.kind }, 'number release failed at the provider');
              throw telephonyFailure(err, 'release');
            }
          }
        } else if (row.provider === 'twilio') {
          // A real number while this server runs on the simulator: forgetting it would leave it billed.
          throw ERRORS.upstream('This number was bought from Twilio, which this server is not configured for; nothing was released.');
        }
        // (A simulator number while running on Twilio is fictional: there is nothing to release.)
        return deleteNumberInOrg(trx, orgId, id);
      });
      if (!released) throw ERRORS.notFound('Phone number', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async assignPhoneNumberToCampaign(ctx) {
      const { orgId } = ctx.principal();
      const id = numberId(ctx.params.id);
      const campaignId = ctx.body.campaignId === null ? null : await ownCampaignId(db, orgId, ctx.body.campaignId);
      let row;
      try {
        row = await withNumberLocked(db, orgId, id, (trx) => setNumberCampaignInOrg(trx, orgId, id, campaignId));
      } catch (err) {
        if (isForeignKeyViolation(err) && campaignId !== null) throw ERRORS.notFound('Campaign', campaignId);
        if (isCheckViolation(err)) throw await campaignCheckConflict(orgId, id);
        throw err;
      }
      if (!row) {
        const existing = await findNumberInOrg(db, orgId, id);
        if (!existing) throw ERRORS.notFound('Phone number', ctx.params.id);
        if (existing.pool_id !== null) throw pooledConflict(existing.pool_id);
        const naming = campaignId === null ? undefined : await campaignNamingNumber(db, orgId, existing.phone_number, campaignId);
        if (naming !== undefined) throw namedByCampaignConflict('campaignId', naming);
        throw ERRORS.notFound('Phone number', ctx.params.id);
      }
      return { status: 200, body: presentNumber(row) };
    },

    async updatePhoneNumber(ctx) {
      const { orgId } = ctx.principal();
      const id = numberId(ctx.params.id);
      const { aiAgentId, isActive } = ctx.body;
      let agentId: string | null | undefined = aiAgentId;
      if (typeof aiAgentId === 'string') {
        agentId = aiAgentId.toLowerCase();
        if (!(await isOwnAiAgent(db, orgId, agentId))) throw ERRORS.notFound('AI agent', aiAgentId);
      }
      const patch = { ...(agentId !== undefined ? { ai_agent_id: agentId } : {}), ...(isActive !== undefined ? { is_active: isActive } : {}) };
      let row;
      try {
        row = await withNumberLocked(db, orgId, id, (trx) => updateNumberInOrg(trx, orgId, id, patch));
      } catch (err) {
        // The agent was deleted, or the number given a campaign, since the checks.
        if (isForeignKeyViolation(err) && agentId) throw ERRORS.notFound('AI agent', agentId);
        if (isCheckViolation(err)) throw ERRORS.conflict({ aiAgentId: 'cannot be set: the number points at a campaign; unassign it from the campaign first' });
        throw err;
      }
      if (!row) {
        const existing = await findNumberInOrg(db, orgId, id);
        if (!existing) throw ERRORS.notFound('Phone number', ctx.params.id);
        if (existing.campaign_id !== null) {
          throw ERRORS.conflict({ aiAgentId: `cannot be set: the number points at campaign ${existing.campaign_id}; unassign it from the campaign first` });
        }
        if (existing.pool_id !== null) throw ERRORS.conflict({ aiAgentId: `cannot be set: the number is in number pool ${existing.pool_id}; take it out of the pool first` });
        const naming = await campaignNamingNumber(db, orgId, existing.phone_number);
        if (naming !== undefined) throw namedByCampaignConflict('aiAgentId', naming);
        throw ERRORS.notFound('Phone number', ctx.params.id);
      }
      return { status: 200, body: presentNumber(row) };
    },
  };
}
