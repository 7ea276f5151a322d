import { ownCampaignId } from '../../inbound/campaigns/own-campaign.js';
import { parseIntId, parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { checkOutboundUrl } from '../../platform/http/outbound/url-policy.js';
import {
  NEW_TARGET_SETTINGS,
  forgetMovedCredentials,
  headerNameDefault,
  mergeSettings,
  presentCampaignTarget,
  presentTarget,
  settingsProblems,
  storedSettings,
  targetPatch,
  templateProblems,
} from './mapping.js';
import {
  deleteTargetInOrg,
  existingTargetIds,
  findTargetInOrg,
  insertTarget,
  listCampaignTargets,
  listTargetsInOrg,
  lockCampaignInOrg,
  replaceCampaignTargets,
  updateTargetInOrg,
} from './queries.js';
import { DEFAULT_UPTIME_HOURS, getRtbTargetUptime } from './uptime.js';

type RtbTargetOps =
  | 'listRtbTargets'
  | 'createRtbTarget'
  | 'getRtbTarget'
  | 'updateRtbTarget'
  | 'deleteRtbTarget'
  | 'listCampaignRtbTargets'
  | 'replaceCampaignRtbTargets'
  | 'getRtbTargetUptime';

function rejectProblems(problems: Record<string, string>): void {
  if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
}

export function createRtbTargetHandlers({ db, outboundPolicy }: Deps): HandlerGroup<RtbTargetOps> {
  function targetId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('RTB target', raw);
    return id;
  }

  function campaignId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Campaign', raw);
    return id;
  }

  /** The outbound guard's save-time verdict on an endpoint URL (nothing when not sent). */
  async function endpointProblems(url: string | undefined): Promise<Record<string, string>> {
    if (url === undefined) return {};
    const verdict = await checkOutboundUrl(url, outboundPolicy);
    return verdict.ok ? {} : { endpointUrl: verdict.reason };
  }

  return {
    async listRtbTargets(ctx) {
      const rows = await listTargetsInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map(presentTarget) };
    },

    async createRtbTarget(ctx) {
      const { orgId } = ctx.principal();
      const settings = mergeSettings(NEW_TARGET_SETTINGS, ctx.body);
      rejectProblems({ ...(await endpointProblems(ctx.body.endpointUrl)), ...settingsProblems(settings) });
      const row = await insertTarget(db, {
        ...targetPatch(ctx.body),
        org_id: orgId,
        name: ctx.body.name,
        endpoint_url: ctx.body.endpointUrl.trim(),
        auth_header_name: headerNameDefault(settings),
      });
      return { status: 201, body: presentTarget(row) };
    },

    async getRtbTarget(ctx) {
      const row = await findTargetInOrg(db, ctx.principal().orgId, targetId(ctx.params.id));
      if (!row) throw ERRORS.notFound('RTB target', ctx.params.id);
      return { status: 200, body: presentTarget(row) };
    },

    async updateRtbTarget(ctx) {
      const { orgId } = ctx.principal();
      const id = targetId(ctx.params.id);
      // DNS before the transaction; reported only once the target is known to exist.
      const urlProblems = await endpointProblems(ctx.body.endpointUrl);
      const row = await db.transaction().execute(async (trx) => {
        const current = await findTargetInOrg(trx, orgId, id, { forUpdate: true });
        if (!current) throw ERRORS.notFound('RTB target', ctx.params.id);
        const body = forgetMovedCredentials(current, ctx.body);
        const settings = mergeSettings(storedSettings(current), body);
        rejectProblems({ ...urlProblems, ...settingsProblems(settings), ...templateProblems(current, body, settings) });
        const patch = targetPatch(body);
        const headerName = headerNameDefault(settings);
        if (headerName !== current.auth_header_name) patch.auth_header_name = headerName;
        return updateTargetInOrg(trx, orgId, id, patch);
      });
      if (!row) throw ERRORS.notFound('RTB target', ctx.params.id);
      return { status: 200, body: presentTarget(row) };
    },

    async deleteRtbTarget(ctx) {
      const deleted = await deleteTargetInOrg(db, ctx.principal().orgId, targetId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('RTB target', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async listCampaignRtbTargets(ctx) {
      const { orgId } = ctx.principal();
      const id = await ownCampaignId(db, orgId, ctx.params.id);
      const rows = await listCampaignTargets(db, orgId, id);
      return { status: 200, body: rows.map(presentCampaignTarget) };
    },

    async replaceCampaignRtbTargets(ctx) {
      const { orgId } = ctx.principal();
      const id = campaignId(ctx.params.id);
      const { assignments } = ctx.body;
      // One transaction, and only `trx` inside it (PGlite has one connection).
      const rows = await db.transaction().execute(async (trx) => {
        if (!(await lockCampaignInOrg(trx, orgId, id))) throw ERRORS.notFound('Campaign', ctx.params.id);
        const problems: Record<string, string> = {};
        const seen = new Set<number>();
        assignments.forEach((a, i) => {
          if (seen.has(a.targetId)) problems[`assignments[${i}].targetId`] = 'is listed more than once';
          seen.add(a.targetId);
        });
        const known = await existingTargetIds(trx, orgId, [...seen]);
        assignments.forEach((a, i) => {
          const key = `assignments[${i}].targetId`;
          if (!known.has(a.targetId) && !(key in problems)) problems[key] = 'is not an RTB target of this organisation';
        });
        rejectProblems(problems);
        await replaceCampaignTargets(trx, orgId, id, assignments);
        return listCampaignTargets(trx, orgId, id);
      });
      return { status: 200, body: rows.map(presentCampaignTarget) };
    },

    async getRtbTargetUptime(ctx) {
      const id = targetId(ctx.params.id);
      const body = await getRtbTargetUptime(db, ctx.principal().orgId, id, ctx.query.hours ?? DEFAULT_UPTIME_HOURS);
      if (!body) throw ERRORS.notFound('RTB target', ctx.params.id);
      return { status: 200, body };
    },
  };
}
