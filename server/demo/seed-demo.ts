// The demo organisation, seeded on an empty database (never in production): an owner login from
// DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD (or a generated password), one campaign with a number,
// one buyer assigned to it.
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/types.js';
import { createUser } from '../accounts/users/create-user.js';
import { generateRtbId } from '../inbound/campaigns/mapping.js';

export const DEMO_ORGANIZATION_NAME = 'Demo Organization';
export const DEMO_CAMPAIGN_NAME = 'Demo Campaign';
export const DEMO_CAMPAIGN_NUMBER = '+15005550006';

export interface DemoLogin {
  /** True only when this call created the demo organisation and its login. */
  created: boolean;
  email: string;
  /** Only when this call created the login (a generated password is shown once). */
  password: string | null;
}

export async function seedDemo(db: Kysely<DB>, email: string, password: string | undefined): Promise<DemoLogin> {
  const existing = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: false, email, password: null };
  const chosen = password ?? randomBytes(12).toString('base64url');
  const created = await db.transaction().execute(async (trx) => {
    // Instances started together on one empty database seed one at a time: the first creates the
    // demo, the others find an organisation (checked again under the lock) and leave it.
    await sql`SELECT pg_advisory_xact_lock(hashtext('callcenter-pro:seed-demo'))`.execute(trx);
    if (await trx.selectFrom('organizations').select('id').limit(1).executeTakeFirst()) return false;
    const org = await trx.insertInto('organizations').values({ name: DEMO_ORGANIZATION_NAME }).returning('id').executeTakeFirstOrThrow();
    await createUser(trx, { orgId: org.id, email, password: chosen, role: 'owner', username: 'admin', firstName: 'Demo', lastName: 'Admin' });
    const campaign = await trx
      .insertInto('campaigns')
      .values({ org_id: org.id, name: DEMO_CAMPAIGN_NAME, description: 'Seeded on first start', phone_number: DEMO_CAMPAIGN_NUMBER, rtb_id: generateRtbId(), payout: '25.00', min_call_duration_sec: 30 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const buyer = await trx
      .insertInto('buyers')
      .values({ org_id: org.id, name: 'Demo Buyer', company_name: 'Demo Buyer Inc.', phone_number: '+15005550001', max_concurrent_calls: 5, time_zone: 'America/New_York', operating_hours: null, email: null, hourly_cap: null, daily_cap: null, monthly_cap: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: campaign.id, buyer_id: buyer.id }).execute();
    return true;
  });
  return created ? { created: true, email, password: chosen } : { created: false, email, password: null };
}

/** The demo campaign's number while the seeded demo campaign exists (and has one), else null. */
export async function demoCampaignNumber(db: Kysely<DB>): Promise<string | null> {
  const row = await db
    .selectFrom('campaigns')
    .innerJoin('organizations', 'organizations.id', 'campaigns.org_id')
    .select('campaigns.phone_number')
    .where('organizations.name', '=', DEMO_ORGANIZATION_NAME)
    .where('campaigns.name', '=', DEMO_CAMPAIGN_NAME)
    .where('campaigns.phone_number', 'is not', null)
    .orderBy('campaigns.created_at')
    .limit(1)
    .executeTakeFirst();
  return row?.phone_number ?? null;
}
