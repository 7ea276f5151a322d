// DNI (DESIGN.md 4.4): POST /api/dni/track (by tag, seed 001), POST /api/dni/ultra-fast (by
// campaign, seed 000, answered from memory where it can be: assign-cache.ts), and the lists of
// visitor sessions and conversion events.
import { iso } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { AssignmentCache, visitorKey } from './assign-cache.js';
import { listConversionEventsOfSession, listVisitorSessionsInOrg } from './queries.js';
import { assignForTarget, targetOfCampaign, targetOfTag, trackingId } from './service.js';
import { maskIp, newSessionId, type VisitorInput } from './sessions.js';

type DniOps = 'dniTrack' | 'dniUltraFast' | 'dniTrackPreflight' | 'dniUltraFastPreflight' | 'listVisitorSessions' | 'listConversionEvents';

function visitorFields(body: VisitorInput): VisitorInput {
  const { sessionId: _s, ...rest } = body;
  return rest;
}

export function createDniHandlers({ db }: Deps): HandlerGroup<DniOps> {
  const cache = new AssignmentCache();

  return {
    // CORS preflights: the headers are set by platform/http/dni-cors.ts for every answer of these paths.
    dniTrackPreflight: async () => ({ status: 204, body: undefined }),
    dniUltraFastPreflight: async () => ({ status: 204, body: undefined }),

    dniTrack: async (ctx) => {
      const target = await targetOfTag(db, ctx.body.tagCode);
      if (!target) throw ERRORS.notFound('Tracking tag', ctx.body.tagCode);
      const { tagCode: _t, ...visitor } = ctx.body;
      const { answer } = await assignForTarget(db, target, {
        sessionId: ctx.body.sessionId ?? newSessionId(),
        ip: ctx.req.ip ?? null,
        visitor: visitorFields(visitor),
        now: new Date(),
      });
      return { status: 200, body: answer };
    },

    dniUltraFast: async (ctx) => {
      const campaignId = parseUuid(ctx.body.campaignId);
      if (campaignId === null) throw ERRORS.notFound('Campaign', ctx.body.campaignId);
      const now = new Date();
      const sessionId = ctx.body.sessionId ?? newSessionId();
      const { campaignId: _c, ...visitor } = ctx.body;
      const fields = visitorFields(visitor);
      const key = visitorKey(fields);
      const hit = ctx.body.sessionId === undefined ? undefined : cache.get(campaignId, sessionId, now.getTime());
      if (hit && hit.visitorKey === key) {
        return {
          status: 200,
          body: {
            success: true,
            phoneNumber: hit.phoneNumber,
            formattedNumber: hit.formattedNumber,
            campaignId: hit.campaignId,
            campaignName: hit.campaignName,
            trackingId: trackingId(hit.sessionRowId, now),
            sessionId,
            source: 'pool',
          },
        };
      }
      const target = await targetOfCampaign(db, campaignId);
      if (!target) throw ERRORS.notFound('Campaign', ctx.body.campaignId);
      const { answer, sessionRowId } = await assignForTarget(db, target, { sessionId, ip: ctx.req.ip ?? null, visitor: fields, now });
      if (target.pool && (answer.source === 'pool' || answer.source === 'recycled') && answer.phoneNumber !== null) {
        cache.set(campaignId, sessionId, {
          orgId: target.orgId,
          sessionRowId,
          poolId: target.pool.poolId,
          phoneNumber: answer.phoneNumber,
          formattedNumber: answer.formattedNumber,
          campaignId: answer.campaignId,
          campaignName: answer.campaignName,
          touchedAt: now.getTime(),
          windowMs: (target.pool.idleTimeoutSec * 1000) / 2,
          visitorKey: key,
        });
      } else {
        cache.forget(campaignId, sessionId);
      }
      return { status: 200, body: answer };
    },

    listVisitorSessions: async (ctx) => {
      const { orgId } = ctx.principal();
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? 50;
      const { rows, total } = await listVisitorSessionsInOrg(db, orgId, page, limit);
      return {
        status: 200,
        body: {
          sessions: rows.map((r) => ({
            id: Number(r.id),
            sessionId: r.session_id,
            ipAddress: maskIp(r.ip_address),
            userAgent: r.user_agent,
            utmSource: r.utm_source,
            utmMedium: r.utm_medium,
            utmCampaign: r.utm_campaign,
            utmTerm: r.utm_term,
            utmContent: r.utm_content,
            clickIds: r.click_ids,
            redtrackData: r.redtrack_data,
            landingUrl: r.landing_url,
            referrer: r.referrer,
            tagId: r.tag_id,
            phoneNumber: r.phone_number,
            createdAt: iso(r.created_at),
            lastSeenAt: iso(r.last_seen_at),
          })),
          pagination: { page, limit, total },
        },
      };
    },

    listConversionEvents: async (ctx) => {
      const rows = await listConversionEventsOfSession(db, ctx.principal().orgId, ctx.query.sessionId);
      return {
        status: 200,
        body: rows.map((r) => ({
          id: Number(r.id),
          sessionId: r.session_id,
          callId: r.call_id,
          eventType: r.event_type,
          eventValue: r.event_value === null ? null : Number(r.event_value),
          phoneNumber: obfuscatePhone(r.phone_number),
          metadata: r.metadata,
          source: r.source,
          createdAt: iso(r.created_at),
        })),
      };
    },
  };
}
