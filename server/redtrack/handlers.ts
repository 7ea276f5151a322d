// POST /api/tracking/redtrack/session|conversion|quality (seed 000): unauthenticated (RedTrack's
// servers post them), rate-limited per IP in the `dni` bucket, validated by the contract.
import type { RedtrackKind } from '../../db/types.js';
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';
import { findTagOrgByCode } from '../tracking-tags/queries.js';
import type { RedtrackReport } from './report.js';
import { receiveReport } from './service.js';

type RedtrackOps = 'trackRedtrackSession' | 'trackRedtrackConversion' | 'trackRedtrackQuality';

export function createRedtrackHandlers({ db }: Deps): HandlerGroup<RedtrackOps> {
  const receive = async (kind: RedtrackKind, report: RedtrackReport) => {
    let orgId: string | null = null;
    if (report.tagCode !== undefined) {
      const tagOrg = await findTagOrgByCode(db, report.tagCode);
      if (tagOrg === undefined) throw ERRORS.notFound('Tracking tag', report.tagCode);
      orgId = tagOrg;
    }
    const receipt = await receiveReport(db, kind, report, orgId);
    return receipt.duplicate ? { status: 200 as const, body: { success: true, ...receipt } } : { status: 202 as const, body: { success: true, ...receipt } };
  };
  return {
    trackRedtrackSession: (ctx) => receive('session', ctx.body),
    trackRedtrackConversion: (ctx) => receive('conversion', ctx.body),
    trackRedtrackQuality: (ctx) => receive('quality', ctx.body),
  };
}
