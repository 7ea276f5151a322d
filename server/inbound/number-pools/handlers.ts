// Number pools. The seed 001 paths (/api/pools, operations `…Legacy`) run the very same handler
// functions as /api/number-pools: one implementation, two names.
import { parseIntId } from '../../platform/common/ids.js';
import { AppError, ERRORS } from '../../platform/errors.js';
import type { Deps, Handler, HandlerGroup } from '../../handler-types.js';
import { ownCampaignId } from '../campaigns/own-campaign.js';
import { isCheckViolation, isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { namedByCampaignConflict } from '../numbers/campaign-number.js';
import { campaignNamingNumber, findNumberInOrg, withNumberLocked } from '../numbers/queries.js';
import { poolPatch, presentPool } from './mapping.js';
import {
  deletePoolInOrg,
  findPoolInOrg,
  insertPool,
  listPoolsInOrg,
  poolExistsInOrg,
  putNumberInPool,
  takeNumberOutOfPool,
  updatePoolInOrg,
} from './queries.js';

type PoolOp = 'listNumberPools' | 'createNumberPool' | 'getNumberPool' | 'updateNumberPool' | 'deleteNumberPool' | 'addNumberToPool' | 'removeNumberFromPool';
type PoolOps = PoolOp | `${PoolOp}Legacy`;
/** One handler for an operation and its seed 001 alias (same parameters, bodies and answers). */
type Both<K extends PoolOp> = Handler<K | `${K}Legacy`>;

function parseId(raw: string, resource: string): number {
  const id = parseIntId(raw);
  if (id === null) throw ERRORS.notFound(resource, raw);
  return id;
}

const POOL = 'Number pool';
const NUMBER = 'Phone number';

export function createNumberPoolHandlers({ db }: Deps): HandlerGroup<PoolOps> {
  /** The pool with its numbers, or 404. */
  async function loadPool(orgId: string, id: number, raw: string) {
    const pool = await findPoolInOrg(db, orgId, id);
    if (!pool) throw ERRORS.notFound(POOL, raw);
    return pool;
  }

  /** Why a number could not be put into the pool (it was not changed). */
  async function refusal(orgId: string, poolId: number, numberId: number): Promise<AppError> {
    const number = await findNumberInOrg(db, orgId, numberId);
    if (!number) return ERRORS.notFound(NUMBER, numberId);
    if (number.pool_id === poolId) return ERRORS.conflict({ phoneNumberId: 'is already in this pool' });
    if (number.pool_id !== null) return ERRORS.conflict({ phoneNumberId: `is in number pool ${number.pool_id}; take it out of that pool first` });
    if (number.campaign_id !== null) {
      return ERRORS.conflict({ phoneNumberId: 'points at a campaign; unassign it (campaignId null) before pooling it' });
    }
    if (number.ai_agent_id !== null) {
      return ERRORS.conflict({ phoneNumberId: `is answered by AI agent ${number.ai_agent_id}; unassign it (aiAgentId null) before pooling it` });
    }
    const naming = await campaignNamingNumber(db, orgId, number.phone_number);
    if (naming !== undefined) return namedByCampaignConflict('phoneNumberId', naming);
    // Changed meanwhile by someone else: report it as taken.
    return ERRORS.conflict({ phoneNumberId: 'was changed meanwhile; try again' });
  }

  const listNumberPools: Both<'listNumberPools'> = async (ctx) => {
    const rows = await listPoolsInOrg(db, ctx.principal().orgId);
    return { status: 200, body: rows.map(presentPool) };
  };

  const createNumberPool: Both<'createNumberPool'> = async (ctx) => {
    const { orgId } = ctx.principal();
    const campaignId = ctx.body.campaignId == null ? null : await ownCampaignId(db, orgId, ctx.body.campaignId);
    try {
      const row = await insertPool(db, {
        ...poolPatch(ctx.body),
        org_id: orgId,
        name: ctx.body.name,
        description: ctx.body.description ?? null,
        campaign_id: campaignId,
        // Only when the pool is made: a session answered from memory relies on it (attribution/dni/assign-cache.ts).
        ...(ctx.body.idleTimeoutSec === undefined ? {} : { idle_timeout_sec: ctx.body.idleTimeoutSec }),
      });
      return { status: 201, body: presentPool({ ...row, numbers: [] }) };
    } catch (err) {
      if (isForeignKeyViolation(err) && campaignId !== null) throw ERRORS.notFound('Campaign', campaignId);
      throw err;
    }
  };

  const getNumberPool: Both<'getNumberPool'> = async (ctx) => {
    const pool = await loadPool(ctx.principal().orgId, parseId(ctx.params.id, POOL), ctx.params.id);
    return { status: 200, body: presentPool(pool) };
  };

  const updateNumberPool: Both<'updateNumberPool'> = async (ctx) => {
    const { orgId } = ctx.principal();
    const id = parseId(ctx.params.id, POOL);
    if (!(await poolExistsInOrg(db, orgId, id))) throw ERRORS.notFound(POOL, ctx.params.id);
    const patch = poolPatch(ctx.body);
    if (ctx.body.campaignId !== undefined) {
      patch.campaign_id = ctx.body.campaignId === null ? null : await ownCampaignId(db, orgId, ctx.body.campaignId);
    }
    try {
      if (!(await updatePoolInOrg(db, orgId, id, patch))) throw ERRORS.notFound(POOL, ctx.params.id);
    } catch (err) {
      if (isForeignKeyViolation(err) && typeof patch.campaign_id === 'string') throw ERRORS.notFound('Campaign', patch.campaign_id);
      throw err;
    }
    return { status: 200, body: presentPool(await loadPool(orgId, id, ctx.params.id)) };
  };

  const deleteNumberPool: Both<'deleteNumberPool'> = async (ctx) => {
    const deleted = await deletePoolInOrg(db, ctx.principal().orgId, parseId(ctx.params.id, POOL));
    if (!deleted) throw ERRORS.notFound(POOL, ctx.params.id);
    return { status: 204, body: undefined };
  };

  const addNumberToPool: Both<'addNumberToPool'> = async (ctx) => {
    const { orgId } = ctx.principal();
    const poolId = parseId(ctx.params.id, POOL);
    if (!(await poolExistsInOrg(db, orgId, poolId))) throw ERRORS.notFound(POOL, ctx.params.id);
    const numberId = ctx.body.phoneNumberId;
    let added: boolean;
    try {
      added = await withNumberLocked(db, orgId, numberId, (trx) => putNumberInPool(trx, orgId, poolId, numberId));
    } catch (err) {
      // The pool was deleted meanwhile, or the number was pointed at a campaign meanwhile.
      if (isForeignKeyViolation(err)) throw ERRORS.notFound(POOL, ctx.params.id);
      if (isCheckViolation(err)) throw ERRORS.conflict({ phoneNumberId: 'points at a campaign; unassign it (campaignId null) before pooling it' });
      throw err;
    }
    if (!added) throw await refusal(orgId, poolId, numberId);
    return { status: 201, body: presentPool(await loadPool(orgId, poolId, ctx.params.id)) };
  };

  const removeNumberFromPool: Both<'removeNumberFromPool'> = async (ctx) => {
    const { orgId } = ctx.principal();
    const poolId = parseId(ctx.params.id, POOL);
    if (!(await poolExistsInOrg(db, orgId, poolId))) throw ERRORS.notFound(POOL, ctx.params.id);
    const numberId = parseId(ctx.params.phoneNumberId, NUMBER);
    if (!(await takeNumberOutOfPool(db, orgId, poolId, numberId))) {
      throw new AppError('RESOURCE_NOT_FOUND', 'Resource not found', `${NUMBER} with ID '${ctx.params.phoneNumberId}' is not in number pool ${poolId}`);
    }
    return { status: 204, body: undefined };
  };

  return {
    listNumberPools,
    createNumberPool,
    getNumberPool,
    updateNumberPool,
    deleteNumberPool,
    addNumberToPool,
    removeNumberFromPool,
    listNumberPoolsLegacy: listNumberPools,
    createNumberPoolLegacy: createNumberPool,
    getNumberPoolLegacy: getNumberPool,
    updateNumberPoolLegacy: updateNumberPool,
    deleteNumberPoolLegacy: deleteNumberPool,
    addNumberToPoolLegacy: addNumberToPool,
    removeNumberFromPoolLegacy: removeNumberFromPool,
  };
}
