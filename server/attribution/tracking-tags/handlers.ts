// Tracking tags (CRUD, org-scoped) and the public DNI snippet of a tag (GET /dni/{tagCode}.js).
import type { FastifyReply } from 'fastify';
import { ownCampaignId } from '../../inbound/campaigns/own-campaign.js';
import { parseIntId } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import type { Db } from '../../../db/types.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { poolExistsInOrg } from '../../inbound/number-pools/queries.js';
import { generateTagCode, presentTag, tagPatch } from './mapping.js';
import { deleteTagInOrg, findTagForSnippet, findTagInOrg, insertTag, listTagsInOrg, updateTagInOrg } from './queries.js';
import { dniSnippet, NOOP_SNIPPET } from './snippet.js';

type TagOps = 'listTrackingTags' | 'createTrackingTag' | 'getTrackingTag' | 'updateTrackingTag' | 'deleteTrackingTag' | 'getDniSnippet';

const TAG = 'Tracking tag';
const POOL = 'Number pool';
const TAG_CODE = /^[A-Za-z0-9_-]{3,64}$/;
/** Generated codes collide with negligible probability; retry a few times anyway. */
const GENERATE_ATTEMPTS = 3;

function parseId(raw: string): number {
  const id = parseIntId(raw);
  if (id === null) throw ERRORS.notFound(TAG, raw);
  return id;
}

/** The pool id a body names, after checking the pool is the caller's (404 otherwise). */
async function ownPoolId(db: Db, orgId: string, poolId: number): Promise<number> {
  if (!(await poolExistsInOrg(db, orgId, poolId))) throw ERRORS.notFound(POOL, poolId);
  return poolId;
}

/** The foreign keys of a tag's campaign and pool (PostgreSQL's default naming). */
const CAMPAIGN_FK = 'tracking_tags_org_id_campaign_id_fkey';
const POOL_FK = 'tracking_tags_org_id_pool_id_fkey';

/**
 * A write refused because the tag's campaign or pool was deleted since it was checked: the 404 of
 * the one that is gone (the constraint says which), else the error as it is.
 */
function goneMeanwhile(err: unknown, campaignId: string | null, poolId: number | null): unknown {
  if (isForeignKeyViolation(err, POOL_FK) && poolId !== null) return ERRORS.notFound(POOL, poolId);
  if (isForeignKeyViolation(err, CAMPAIGN_FK) && campaignId !== null) return ERRORS.notFound('Campaign', campaignId);
  return err;
}

function javascript(reply: FastifyReply, source: string): { status: 200; body: string } {
  void reply.type('application/javascript; charset=utf-8');
  void reply.header('Cache-Control', 'public, max-age=300');
  return { status: 200, body: source };
}

export function createTrackingTagHandlers({ db, config }: Deps): HandlerGroup<TagOps> {
  const base = config.publicBaseUrl;
  const duplicate = (tagCode: string) => ERRORS.conflict({ tagCode: `'${tagCode}' is already taken` });

  return {
    async listTrackingTags(ctx) {
      const rows = await listTagsInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map((row) => presentTag(row, base)) };
    },

    async createTrackingTag(ctx) {
      const { orgId } = ctx.principal();
      const body = ctx.body;
      const campaignId = body.campaignId == null ? null : await ownCampaignId(db, orgId, body.campaignId);
      const poolId = body.poolId == null ? null : await ownPoolId(db, orgId, body.poolId);
      const given = body.tagCode;
      for (let attempt = 1; ; attempt++) {
        const tagCode = given ?? generateTagCode();
        try {
          const row = await insertTag(db, {
            ...tagPatch(body),
            org_id: orgId,
            name: body.name,
            tag_code: tagCode,
            campaign_id: campaignId,
            pool_id: poolId,
          });
          return { status: 201, body: presentTag(row, base) };
        } catch (err) {
          if (isUniqueViolation(err)) {
            if (given !== undefined) throw duplicate(given);
            if (attempt < GENERATE_ATTEMPTS) continue;
          }
          // The campaign or pool was deleted meanwhile.
          throw goneMeanwhile(err, campaignId, poolId);
        }
      }
    },

    async getTrackingTag(ctx) {
      const row = await findTagInOrg(db, ctx.principal().orgId, parseId(ctx.params.id));
      if (!row) throw ERRORS.notFound(TAG, ctx.params.id);
      return { status: 200, body: presentTag(row, base) };
    },

    async updateTrackingTag(ctx) {
      const { orgId } = ctx.principal();
      const id = parseId(ctx.params.id);
      if (!(await findTagInOrg(db, orgId, id))) throw ERRORS.notFound(TAG, ctx.params.id);
      const patch = tagPatch(ctx.body);
      if (ctx.body.campaignId !== undefined) {
        patch.campaign_id = ctx.body.campaignId === null ? null : await ownCampaignId(db, orgId, ctx.body.campaignId);
      }
      if (ctx.body.poolId !== undefined) {
        patch.pool_id = ctx.body.poolId === null ? null : await ownPoolId(db, orgId, ctx.body.poolId);
      }
      let row;
      try {
        row = await updateTagInOrg(db, orgId, id, patch);
      } catch (err) {
        throw goneMeanwhile(err, patch.campaign_id ?? null, patch.pool_id ?? null);
      }
      if (!row) throw ERRORS.notFound(TAG, ctx.params.id);
      return { status: 200, body: presentTag(row, base) };
    },

    async deleteTrackingTag(ctx) {
      if (!(await deleteTagInOrg(db, ctx.principal().orgId, parseId(ctx.params.id)))) throw ERRORS.notFound(TAG, ctx.params.id);
      return { status: 204, body: undefined };
    },

    async getDniSnippet(ctx) {
      // Never a 404: a landing page must not break. Unknown, inactive or malformed → a no-op.
      const code = ctx.params.tagCode;
      if (!TAG_CODE.test(code)) return javascript(ctx.reply, NOOP_SNIPPET);
      const tag = await findTagForSnippet(db, code);
      if (!tag || !tag.is_active) return javascript(ctx.reply, NOOP_SNIPPET);
      return javascript(ctx.reply, dniSnippet({ tagCode: tag.tag_code, numberSelector: tag.number_selector, trackUrl: `${base}/api/dni/track` }));
    },
  };
}
