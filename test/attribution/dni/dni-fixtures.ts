// Pools, numbers, tags and sessions written straight into the test database (DNI tests).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, PoolExhaustedBehaviour } from '../../../db/types.js';
import type { PoolRule } from '../../../server/attribution/dni/assign.js';
import { upsertVisitorSession } from '../../../server/attribution/dni/sessions.js';

let line = 0;

/** A pool number no other DNI test in this process uses. */
export function poolLine(): string {
  line += 1;
  return `+1212${String(process.pid % 1000).padStart(3, '0')}${String(line).padStart(4, '0')}`;
}

export async function makePool(
  db: Kysely<DB>,
  orgId: string,
  options: { numbers: number; idleTimeoutSec?: number; whenExhausted?: PoolExhaustedBehaviour; campaignId?: string | null },
): Promise<{ rule: PoolRule; numbers: Array<{ id: number; phoneNumber: string }> }> {
  const pool = await db
    .insertInto('number_pools')
    .values({
      org_id: orgId,
      name: `Pool ${randomBytes(3).toString('hex')}`,
      description: null,
      campaign_id: options.campaignId ?? null,
      idle_timeout_sec: options.idleTimeoutSec ?? 1800,
      when_exhausted: options.whenExhausted ?? 'recycle_oldest',
    })
    .returning(['id', 'idle_timeout_sec', 'when_exhausted'])
    .executeTakeFirstOrThrow();
  const numbers = [];
  for (let i = 0; i < options.numbers; i++) {
    const phoneNumber = poolLine();
    const row = await db
      .insertInto('phone_numbers')
      .values({ org_id: orgId, phone_number: phoneNumber, friendly_name: null, provider_sid: `PN${randomBytes(16).toString('hex')}`, provider: 'simulator', campaign_id: null, pool_id: pool.id, monthly_fee: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    numbers.push({ id: row.id, phoneNumber });
  }
  return { rule: { orgId, poolId: pool.id, idleTimeoutSec: pool.idle_timeout_sec, whenExhausted: pool.when_exhausted }, numbers };
}

export async function makeSession(db: Kysely<DB>, orgId: string, now = new Date(), sessionId = `sess_${randomBytes(6).toString('hex')}`): Promise<string> {
  return upsertVisitorSession(db, { orgId, sessionId, tagId: null, ip: '10.1.2.3', visitor: {}, now });
}

/** Live holdings (released_at null) of a pool: number id → session row id. */
export async function liveHoldings(db: Kysely<DB>, poolId: number) {
  return db.selectFrom('pool_assignments').select(['phone_number_id', 'visitor_session_id', 'last_seen_at']).where('pool_id', '=', poolId).where('released_at', 'is', null).execute();
}

export interface TagValues {
  campaignId?: string | null;
  poolId?: number | null;
  defaultNumber?: string | null;
  isActive?: boolean;
}

/** A tracking tag with a fresh code. */
export async function insertTag(db: Kysely<DB>, orgId: string, values: TagValues = {}): Promise<{ id: number; tagCode: string }> {
  const tagCode = `tag_${randomBytes(5).toString('hex')}`;
  const row = await db
    .insertInto('tracking_tags')
    .values({ org_id: orgId, name: 'Landing', tag_code: tagCode, campaign_id: values.campaignId ?? null, pool_id: values.poolId ?? null, default_number: values.defaultNumber ?? null, is_active: values.isActive ?? true })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, tagCode };
}
