// DNI: from a tag or a campaign to the number a visitor sees (DESIGN.md 4.4).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { parsePhoneNumber } from 'libphonenumber-js';
import type { components } from '../../../client/schema.js';
import type { DB } from '../../../db/types.js';
import { applyWaitingReports } from '../redtrack/service.js';
import { assignPoolNumber, type PoolRule } from './assign.js';
import { upsertVisitorSession, type VisitorInput } from './sessions.js';

export type DniSource = components['schemas']['DniAssignment']['source'];

/** Where a DNI request points: the organisation, the pool (if any) and the fall-back numbers. */
export interface DniTarget {
  orgId: string;
  tagId: number | null;
  campaignId: string | null;
  campaignName: string | null;
  campaignNumber: string | null;
  defaultNumber: string | null;
  pool: PoolRule | null;
}

/** The answer of both DNI endpoints: the contract's DniAssignment. */
export type DniAnswer = components['schemas']['DniAssignment'];

export function formatNational(phone: string | null): string | null {
  if (phone === null) return null;
  try {
    return parsePhoneNumber(phone).formatNational();
  } catch {
    return phone;
  }
}

// A tracking id only has to be unique, not secret: a random start per process and a counter
// (drawing fresh random bytes for every answer cost ultra-fast a twentieth of its CPU time).
let trackingCounter = randomBytes(4).readUInt32BE(0);

export function trackingId(sessionRowId: string, now: Date): string {
  trackingCounter = (trackingCounter + 1) >>> 0;
  return `dni_${sessionRowId}_${Math.floor(now.getTime() / 1000)}_${trackingCounter.toString(16).padStart(8, '0')}`;
}

/** The campaign's active pool (lowest id when several). */
async function campaignPool(db: Kysely<DB>, orgId: string, campaignId: string): Promise<PoolRule | null> {
  const pool = await db
    .selectFrom('number_pools')
    .select(['id', 'idle_timeout_sec', 'when_exhausted'])
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .where('is_active', '=', true)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return pool ? { orgId, poolId: pool.id, idleTimeoutSec: pool.idle_timeout_sec, whenExhausted: pool.when_exhausted } : null;
}

/** An active tag by its code, or null (unknown or inactive). */
export async function targetOfTag(db: Kysely<DB>, tagCode: string): Promise<DniTarget | null> {
  const tag = await db
    .selectFrom('tracking_tags as t')
    .leftJoin('campaigns as c', (j) => j.onRef('c.id', '=', 't.campaign_id').onRef('c.org_id', '=', 't.org_id'))
    .leftJoin('number_pools as p', (j) => j.onRef('p.id', '=', 't.pool_id').onRef('p.org_id', '=', 't.org_id').on('p.is_active', '=', true))
    .select([
      't.id',
      't.org_id',
      't.default_number',
      'c.id as campaign_id',
      'c.name as campaign_name',
      'c.phone_number as campaign_number',
      'p.id as pool_id',
      'p.idle_timeout_sec',
      'p.when_exhausted',
    ])
    .where('t.tag_code', '=', tagCode)
    .where('t.is_active', '=', true)
    .executeTakeFirst();
  if (!tag) return null;
  let pool: PoolRule | null =
    tag.pool_id !== null && tag.idle_timeout_sec !== null && tag.when_exhausted !== null
      ? { orgId: tag.org_id, poolId: tag.pool_id, idleTimeoutSec: tag.idle_timeout_sec, whenExhausted: tag.when_exhausted }
      : null;
  if (pool === null && tag.campaign_id !== null) pool = await campaignPool(db, tag.org_id, tag.campaign_id);
  return {
    orgId: tag.org_id,
    tagId: tag.id,
    campaignId: tag.campaign_id,
    campaignName: tag.campaign_name,
    campaignNumber: tag.campaign_number,
    defaultNumber: tag.default_number,
    pool,
  };
}

/** A campaign (of any organisation: the endpoint is public) with its active pool, or null. */
export async function targetOfCampaign(db: Kysely<DB>, campaignId: string): Promise<DniTarget | null> {
  const campaign = await db.selectFrom('campaigns').select(['id', 'org_id', 'name', 'phone_number']).where('id', '=', campaignId).executeTakeFirst();
  if (!campaign) return null;
  return {
    orgId: campaign.org_id,
    tagId: null,
    campaignId: campaign.id,
    campaignName: campaign.name,
    campaignNumber: campaign.phone_number,
    defaultNumber: null,
    pool: await campaignPool(db, campaign.org_id, campaign.id),
  };
}

export interface Assigned {
  answer: DniAnswer;
  sessionRowId: string;
}

/** Record the visitor and give it its number (pool rules in assign.ts, then the fall-backs). */
export async function assignForTarget(
  db: Kysely<DB>,
  target: DniTarget,
  input: { sessionId: string; ip: string | null; visitor: VisitorInput; now: Date },
): Promise<Assigned> {
  const sessionRowId = await upsertVisitorSession(db, {
    orgId: target.orgId,
    sessionId: input.sessionId,
    tagId: target.tagId,
    ip: input.ip,
    visitor: input.visitor,
    now: input.now,
  });
  // RedTrack reports that arrived before the visitor's first DNI request are applied now.
  const clickid = input.visitor.clickIds?.clickid;
  if (clickid !== undefined) await applyWaitingReports(db, { id: sessionRowId, orgId: target.orgId }, clickid, input.now);
  let phoneNumber: string | null = null;
  let source: DniSource;
  if (target.pool) {
    const taken = await assignPoolNumber(db, target.pool, sessionRowId, input.now);
    if (taken) {
      phoneNumber = taken.phoneNumber;
      source = taken.source;
    } else {
      phoneNumber = target.defaultNumber;
      source = 'default';
    }
  } else if (target.defaultNumber !== null) {
    phoneNumber = target.defaultNumber;
    source = 'default';
  } else {
    phoneNumber = target.campaignNumber;
    source = 'campaign';
  }
  return {
    sessionRowId,
    answer: {
      success: true,
      phoneNumber,
      formattedNumber: formatNational(phoneNumber),
      campaignId: target.campaignId,
      campaignName: target.campaignName,
      trackingId: trackingId(sessionRowId, input.now),
      sessionId: input.sessionId,
      source,
    },
  };
}
