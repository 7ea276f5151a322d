// POST /api/tracking/redtrack/session|conversion|quality (seed 000): unauthenticated (RedTrack's
// servers post them), rate-limited per IP in the `dni` bucket, validated by the contract. A report
// belongs to the organisation of the tracking tag it names (body or query); one that names none
// is stored and applied to nobody's sessions.
import type { RedtrackKind } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { findTagOrgByCode } from '../tracking-tags/queries.js';
import type { RedtrackReport } from './report.js';
import { isPostbackSecret, rotatePostbackSecret } from './postback-secret.js';
import { receiveReport } from './service.js';

export const NO_TAG_WARNING = 'no tagCode: the report is stored but applied to no visitor sessions; add ?tagCode=<your tracking tag> to the postback URL';

export const UNVERIFIED_WARNING =
  'unverified: without the organisation\'s postback secret (&secret=…, see POST /api/tracking/redtrack/postback-secret) the report is stored but applied to no visitor sessions';

type RedtrackOps = 'trackRedtrackSession' | 'trackRedtrackConversion' | 'trackRedtrackQuality' | 'rotateRedtrackPostbackSecret';

/** Conversions and quality reports carry money: applied only with the organisation's secret. */
const NEEDS_SECRET: ReadonlySet<RedtrackKind> = new Set(['conversion', 'quality']);

export function createRedtrackHandlers({ db }: Deps): HandlerGroup<RedtrackOps> {
  const receive = async (kind: RedtrackKind, body: RedtrackReport, query: { tagCode?: string | undefined; secret?: string | undefined }) => {
    if (query.tagCode !== undefined && body.tagCode !== undefined && query.tagCode !== body.tagCode) {
      throw ERRORS.validation({ tagCode: 'names another tag in the query than in the body' });
    }
    const tagCode = query.tagCode ?? body.tagCode;
    // The tag is part of what was reported (and of its fingerprint), wherever it was given.
    const report = tagCode === undefined ? body : { ...body, tagCode };
    let orgId: string | null = null;
    if (tagCode !== undefined) {
      const tagOrg = await findTagOrgByCode(db, tagCode);
      if (tagOrg === undefined) throw ERRORS.notFound('Tracking tag', tagCode);
      orgId = tagOrg;
    }
    // A forged conversion (no or a wrong secret) is kept, as evidence, but applied to nothing.
    const unverified = orgId !== null && NEEDS_SECRET.has(kind) && !(await isPostbackSecret(db, orgId, query.secret));
    const receipt = await receiveReport(db, kind, report, unverified ? null : orgId, new Date(), { unverified });
    const warnings = unverified ? [UNVERIFIED_WARNING] : orgId === null ? [NO_TAG_WARNING] : [];
    const answer = { success: true, ...receipt, warnings };
    return receipt.duplicate ? { status: 200 as const, body: answer } : { status: 202 as const, body: answer };
  };
  return {
    trackRedtrackSession: (ctx) => receive('session', ctx.body, ctx.query),
    trackRedtrackConversion: (ctx) => receive('conversion', ctx.body, ctx.query),
    trackRedtrackQuality: (ctx) => receive('quality', ctx.body, ctx.query),
    async rotateRedtrackPostbackSecret(ctx) {
      const { secret, rotatedAt } = await rotatePostbackSecret(db, ctx.principal().orgId);
      return { status: 201, body: { secret, postbackQuery: `secret=${encodeURIComponent(secret)}`, rotatedAt: rotatedAt.toISOString() } };
    },
  };
}
