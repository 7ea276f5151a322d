// Manual call records (seed 001) and corrections: POST /api/calls, PUT /api/calls/{id},
// GET /api/calls/{id}/corrections. What a correction may change is decided in correction.ts;
// who reaches which call in access.ts (corrections need a manager, who reaches them all).
import type { Db } from '../../../db/types.js';
import { findBuyerInOrg } from '../buyers/queries.js';
import { ownCampaignId } from '../campaigns/own-campaign.js';
import { parseIntId } from '../../platform/common/ids.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup, RequestBody } from '../../handler-types.js';
import { type CallScope, callScope } from './access.js';
import { correctionRequestProblems, planCorrection } from './correction.js';
import { moneyFromNumber } from './money.js';
import { presentCallCorrection, presentCallDetail } from './present.js';
import { applyCorrection, callInScope, findCallWithLegs, insertManualCall, listCallCorrections, lockCallInOrg, type ManualCallInput } from './queries/index.js';

type CallCreate = RequestBody<'createCall'>;

/** The body's campaign and buyer, checked to be the caller's (404 otherwise), and the leg they make. */
async function ownReferences(db: Db, orgId: string, body: CallCreate): Promise<Pick<ManualCallInput, 'campaignId' | 'leg'>> {
  const campaignId = body.campaignId === undefined ? null : await ownCampaignId(db, orgId, body.campaignId);
  const buyer = body.buyerId === undefined ? undefined : await findBuyerInOrg(db, orgId, body.buyerId);
  if (body.buyerId !== undefined && !buyer) throw ERRORS.notFound('Buyer', body.buyerId);
  const destination = body.destinationNumber ?? buyer?.phone_number;
  return { campaignId, leg: destination === undefined ? null : { buyerId: buyer?.id ?? null, destination } };
}

async function callDetail(db: Db, scope: CallScope, id: number) {
  const found = await findCallWithLegs(db, scope, id);
  if (!found) throw ERRORS.notFound('Call', id);
  return presentCallDetail(found.call, found.legs);
}

function callId(raw: string): number {
  const id = parseIntId(raw);
  if (id === null) throw ERRORS.notFound('Call', raw);
  return id;
}

export function createCallWriteHandlers({ db }: Deps): HandlerGroup<'createCall' | 'updateCall' | 'listCallCorrections'> {
  return {
    async createCall(ctx) {
      const scope = callScope(ctx.principal());
      const { orgId } = scope;
      const { body } = ctx;
      try {
        const detail = await db.transaction().execute(async (trx) => {
          const id = await insertManualCall(trx, {
            orgId,
            ...(await ownReferences(trx, orgId, body)),
            callerNumber: body.callerNumber,
            status: body.status ?? 'initiated',
            durationSec: body.duration ?? null,
            revenue: body.revenue === undefined ? null : moneyFromNumber(body.revenue),
          });
          return callDetail(trx, scope, id);
        });
        return { status: 201, body: detail };
      } catch (err) {
        // The campaign or buyer was deleted meanwhile: checking again names it (404).
        if (isForeignKeyViolation(err)) await ownReferences(db, orgId, body);
        throw err;
      }
    },

    async updateCall(ctx) {
      const { body } = ctx;
      const problems = correctionRequestProblems(body);
      if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
      const scope = callScope(ctx.principal());
      const { orgId } = scope;
      const id = callId(ctx.params.id);
      const request = { status: body.status, duration: body.duration, revenue: body.revenue === undefined ? undefined : moneyFromNumber(body.revenue) };
      const detail = await db.transaction().execute(async (trx) => {
        const call = await lockCallInOrg(trx, orgId, id);
        if (!call) throw ERRORS.notFound('Call', ctx.params.id);
        const plan = planCorrection({ status: call.status, durationSec: call.duration_sec, revenue: call.revenue_override ?? call.revenue }, request);
        if (!plan.ok) throw ERRORS.conflict(plan.conflicts);
        await applyCorrection(trx, { orgId, callId: id, userId: ctx.principal().userId, reason: body.reason ?? null }, plan.patch, plan.changes);
        return callDetail(trx, scope, id);
      });
      return { status: 200, body: detail };
    },

    async listCallCorrections(ctx) {
      const scope = callScope(ctx.principal());
      const id = callId(ctx.params.id);
      if (!(await callInScope(db, scope, id))) throw ERRORS.notFound('Call', ctx.params.id);
      const rows = await listCallCorrections(db, scope.orgId, id);
      return { status: 200, body: rows.map(presentCallCorrection) };
    },
  };
}
