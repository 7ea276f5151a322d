// Run a campaign's auction end to end: load its targets and settings, pre-filter caps and the
// breaker, fan out, feed the breaker, write the audit. Used by inbound RTB now and by the voice
// webhook (the call path) later.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CampaignRow, DB, RtbTargetRow } from '../../../db/types.js';
import { runAuction } from '../engine/auction.js';
import { prefilter } from '../engine/prefilter.js';
import type { AuctionResult, AuctionSettings, CallContext, RtbTargetConfig } from '../engine/types.js';
import { toTargetConfig } from '../targets/engine-config.js';
import { type AuctionAudit, auditPayload, type AuditPayload, writeAuctionAudit } from './audit-write.js';
import { capBlocks } from './caps.js';
import { loadAssignedTargets } from '../targets/queries.js';
import { findRouterInOrg } from '../routers/queries.js';
import type { RtbRuntime } from './runtime.js';
import { effectiveSettings, mergeBlocks } from './settings.js';

export interface CampaignAuctionInput {
  campaign: CampaignRow;
  caller: { callerId: string | null; callerState: string | null; callerZip: string | null };
  source: 'call' | 'inbound_rtb';
  callStartTime?: Date;
  /** The number the caller dialled (one of ours): no bid may send the call back to it. */
  dialledNumber?: string | null;
  callId?: number | null;
  callSid?: string | null;
  /**
   * The caller commits a write synchronously before it acts on the auction (the voice webhook's
   * answer, a flow step's routing log): the audit may commit without waiting for the WAL flush
   * (audit-write.ts). Never for an answer that is sent without such a write (inbound RTB).
   */
  asyncAudit?: boolean;
  /** The campaign's targets and router, when the caller started loading them (loadAuctionConfig). */
  config?: Promise<AuctionConfig>;
  /** Closes the auction early (runAuction's `signal`). */
  signal?: AbortSignal;
}

export interface AuctionConfig {
  assigned: Awaited<ReturnType<typeof loadAssignedTargets>>;
  router: Awaited<ReturnType<typeof findRouterInOrg>>;
}

/** The campaign's assigned targets and its router (one round trip each, in parallel). */
export async function loadAuctionConfig(db: Kysely<DB>, campaign: CampaignRow): Promise<AuctionConfig> {
  const [assigned, router] = await Promise.all([
    loadAssignedTargets(db, campaign.org_id, campaign.id),
    campaign.rtb_router_id === null ? undefined : findRouterInOrg(db, campaign.org_id, campaign.rtb_router_id),
  ]);
  return { assigned, router };
}

export interface CampaignAuction {
  bidRequestId: string;
  result: AuctionResult;
  settings: AuctionSettings;
  targets: RtbTargetConfig[];
  /** The targets' rows as loaded for this auction (their limits, for the reservation). */
  targetRows: RtbTargetRow[];
}

/** The organisation's numbers this call knows without a query: a bid to one of them would loop. */
function ownNumbers(...numbers: Array<string | null | undefined>): string[] {
  const own: string[] = [];
  for (const n of numbers) {
    const value = n?.trim();
    if (value && !own.includes(value)) own.push(value);
  }
  return own;
}

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

export async function runCampaignAuction(db: Kysely<DB>, rtb: RtbRuntime, input: CampaignAuctionInput): Promise<CampaignAuction> {
  const { audit, ...auction } = await startCampaignAuction(db, rtb, input);
  return { ...auction, bidRequestId: await audit.write() };
}

/**
 * An auction's audit, not written yet. Either `write()` writes it on its own (once; every call
 * answers the same bid_requests id), or the caller writes `payload()` inside a statement of its own
 * (the voice webhook's one-statement RTB answer, inbound/webhooks/rtb-answer.ts) and reports the id
 * with `written(id)`.
 */
export interface PendingAudit {
  write(): Promise<string>;
  payload(): AuditPayload;
  written(id: string): void;
  /** The same audit, recorded against the call (an auction started before the call record existed). */
  forCall(callId: number): PendingAudit;
}

export type StartedCampaignAuction = Omit<CampaignAuction, 'bidRequestId'> & { audit: PendingAudit };

function pendingAudit(db: Kysely<DB>, record: AuctionAudit, options: { asyncCommit: boolean }): PendingAudit {
  let id: Promise<string> | undefined;
  return {
    write() {
      if (id === undefined) {
        id = writeAuctionAudit(db, record, options);
        id.catch(() => {}); // whoever awaits write() sees a failure
      }
      return id;
    },
    payload: () => auditPayload(record),
    written(writtenId) {
      id = Promise.resolve(writtenId);
    },
    forCall: (callId) => pendingAudit(db, { ...record, callId }, options),
  };
}

/**
 * The auction, its audit not written yet (PendingAudit): the voice webhook either writes it while
 * it reserves the winner, or writes it together with the winner's leg and the call's answer.
 */
export async function startCampaignAuction(db: Kysely<DB>, rtb: RtbRuntime, input: CampaignAuctionInput): Promise<StartedCampaignAuction> {
  const { campaign } = input;
  const { assigned, router } = await (input.config ?? loadAuctionConfig(db, campaign));
  const { settings, predictiveRouting } = effectiveSettings(campaign, router);
  const targets = assigned.map((a) => toTargetConfig(a.row, { priority: a.priority, isActive: a.isActive }));
  const caps = await capBlocks(
    db,
    campaign.org_id,
    assigned.map((a) => ({ id: a.row.id, maxConcurrentCalls: a.row.max_concurrent_calls, hourlyCap: a.row.hourly_cap, dailyCap: a.row.daily_cap, monthlyCap: a.row.monthly_cap })),
  );
  const now = Date.now();
  const context: CallContext = {
    requestId: newRequestId(),
    campaignId: campaign.id,
    callerId: input.caller.callerId,
    callerState: input.caller.callerState,
    callerZip: input.caller.callerZip,
    callStartTime: input.callStartTime ?? new Date(now),
    ownNumbers: ownNumbers(campaign.phone_number, input.dialledNumber),
  };
  // The breaker is asked only about targets this auction could send to: asking spends a half-open
  // target's one probe, which a target filtered here (its states, zip codes, caps) would never use.
  const reachable = prefilter(targets, context, settings, caps).flatMap((p) => (p.reason === null ? [p.target.id] : []));
  const blocked = mergeBlocks(caps, rtb.breaker.blockReasons(reachable, now), predictiveRouting);
  const result = await runAuction({ context, targets, settings, blocked, send: rtb.send, limit: rtb.limit, ...(input.signal ? { signal: input.signal } : {}) });
  // An auction closed by its caller's signal says nothing about the targets' health.
  if (input.signal?.aborted !== true) rtb.breaker.observe(result.outcomes, Date.now(), new Map(targets.map((t) => [t.id, t.timeoutMs])));
  const audit = pendingAudit(
    db,
    { orgId: campaign.org_id, source: input.source, context, settings, targets, result, callId: input.callId ?? null, callSid: input.callSid ?? null },
    { asyncCommit: input.asyncAudit === true },
  );
  return { audit, result, settings, targets, targetRows: assigned.map((a) => a.row) };
}
