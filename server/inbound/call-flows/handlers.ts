import { parseIntId } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ownCampaignId } from '../campaigns/own-campaign.js';
import type { Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { missingAudioIds } from '../../crm/audio/queries.js';
import { isOwnTrackingNumber } from '../numbers/queries.js';
import type { FlowDefinition } from '../flows/types.js';
import { checkFlow, presentCallFlow, type FlowTarget } from './mapping.js';
import { deleteFlowInOrg, findFlowInOrg, insertFlow, listFlowsInOrg, updateFlowInOrg, type CallFlowPatch } from './queries.js';

type CallFlowOps = 'listCallFlows' | 'createCallFlow' | 'getCallFlow' | 'updateCallFlow' | 'deleteCallFlow';

const ACTIVE_PER_CAMPAIGN = 'call_flows_active_campaign_key';

/**
 * The definition to store, or 400 naming each problem under `flowDefinition.`. An active flow's
 * Play nodes may only name audio of the organisation (a draft is checked when it is activated).
 */
async function checkedDefinition(db: Db, orgId: string, target: FlowTarget): Promise<string> {
  const result = checkFlow(target);
  if (!result.ok) throw ERRORS.validation(result.details);
  if (result.mode === 'active') {
    const plays = (result.store as FlowDefinition).nodes.flatMap((node, index) =>
      node.type === 'Play' && node.config.audioId !== undefined ? [{ index, audioId: node.config.audioId }] : [],
    );
    const missing = new Set(await missingAudioIds(db, orgId, [...new Set(plays.map((p) => p.audioId))]));
    const details: Record<string, string> = {};
    for (const { index, audioId } of plays) {
      if (missing.has(audioId)) details[`flowDefinition.nodes[${index}].config.audioId`] = 'is not an audio file of this organisation (/api/audio)';
    }
    // A Route to one of our own tracking numbers would bring the call back in, routed there again, without end.
    const nodes = (result.store as FlowDefinition).nodes;
    for (const [index, node] of nodes.entries()) {
      if (node.type === 'Route' && node.config.number !== undefined && (await isOwnTrackingNumber(db, orgId, node.config.number))) {
        details[`flowDefinition.nodes[${index}].config.number`] = "is one of this organisation's tracking numbers: the call would come back in, without end";
      }
    }
    if (Object.keys(details).length > 0) throw ERRORS.validation(details);
  }
  return JSON.stringify(result.store);
}

/** A campaign may only be one of the caller's organisation (unknown or foreign: 404, as addCampaignBuyer). */
async function checkCampaign(db: Db, orgId: string, campaignId: string | null): Promise<void> {
  if (campaignId !== null) await ownCampaignId(db, orgId, campaignId);
}

/**
 * The database's answers to a write: a second active flow for a campaign (the partial unique
 * index, also under races) is 409; a campaign deleted since it was checked is 404.
 */
function writeError(err: unknown, campaignId: string | null): unknown {
  if (isUniqueViolation(err, ACTIVE_PER_CAMPAIGN)) {
    return ERRORS.conflict({ campaignId: `campaign ${String(campaignId)} already has an active call flow; deactivate it first` });
  }
  if (isForeignKeyViolation(err) && campaignId !== null) return ERRORS.notFound('Campaign', campaignId);
  return err;
}

export function createCallFlowHandlers({ db }: Deps): HandlerGroup<CallFlowOps> {
  function flowId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('Call flow', raw);
    return id;
  }

  return {
    async listCallFlows(ctx) {
      const rows = await listFlowsInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map(presentCallFlow) };
    },

    async createCallFlow(ctx) {
      const { orgId } = ctx.principal();
      const { body } = ctx;
      const campaignId = body.campaignId === undefined || body.campaignId === null ? null : body.campaignId.toLowerCase();
      const target: FlowTarget = { status: body.status ?? 'draft', campaignId, definition: body.flowDefinition };
      try {
        // One transaction: the audio the definition plays stays locked as checked until the insert commits.
        const row = await db.transaction().execute(async (trx) => {
          // The campaign first: a foreign or unknown one is 404 whatever the definition.
          await checkCampaign(trx, orgId, campaignId);
          const definition = await checkedDefinition(trx, orgId, target);
          return insertFlow(trx, {
            org_id: orgId,
            name: body.name,
            description: body.description ?? null,
            campaign_id: campaignId,
            status: target.status,
            flow_definition: definition,
          });
        });
        return { status: 201, body: presentCallFlow(row) };
      } catch (err) {
        throw writeError(err, campaignId);
      }
    },

    async getCallFlow(ctx) {
      const row = await findFlowInOrg(db, ctx.principal().orgId, flowId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Call flow', ctx.params.id);
      return { status: 200, body: presentCallFlow(row) };
    },

    async updateCallFlow(ctx) {
      const { orgId } = ctx.principal();
      const id = flowId(ctx.params.id);
      const { body } = ctx;
      let campaignId: string | null = null;
      try {
        // One transaction, and only `trx` inside it (PGlite has one connection). The row is locked
        // so that the merge below is computed against what is overwritten.
        const row = await db.transaction().execute(async (trx) => {
          const current = await findFlowInOrg(trx, orgId, id, { forUpdate: true });
          if (!current) throw ERRORS.notFound('Call flow', ctx.params.id);
          campaignId = body.campaignId === undefined ? current.campaign_id : body.campaignId === null ? null : body.campaignId.toLowerCase();
          const target: FlowTarget = {
            status: body.status ?? current.status,
            campaignId,
            definition: body.flowDefinition ?? current.flow_definition,
          };
          if (body.campaignId !== undefined) await checkCampaign(trx, orgId, campaignId);
          const definition = await checkedDefinition(trx, orgId, target);
          const patch: CallFlowPatch = { flow_definition: definition };
          if (body.name !== undefined) patch.name = body.name;
          if (body.description !== undefined) patch.description = body.description;
          if (body.campaignId !== undefined) patch.campaign_id = campaignId;
          if (body.status !== undefined) patch.status = body.status;
          return updateFlowInOrg(trx, orgId, id, patch);
        });
        if (!row) throw ERRORS.notFound('Call flow', ctx.params.id);
        return { status: 200, body: presentCallFlow(row) };
      } catch (err) {
        throw writeError(err, campaignId);
      }
    },

    async deleteCallFlow(ctx) {
      const deleted = await deleteFlowInOrg(db, ctx.principal().orgId, flowId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Call flow', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
