// The demo organisation, seeded on an empty database: an owner login from DEMO_ADMIN_EMAIL /
// DEMO_ADMIN_PASSWORD (or a generated password), one campaign, one buyer assigned to it.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { createUser } from '../users/create-user.js';
import { generateRtbId } from '../campaigns/mapping.js';

export interface DemoLogin {
  created: boolean;
  email: string;
  /** Only when this run created the login (a generated password is shown once). */
  password: string | null;
}

export async function seedDemo(db: Kysely<DB>, email: string, password: string | undefined): Promise<DemoLogin> {
  const existing = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: false, email, password: null };
  const chosen = password ?? randomBytes(12).toString('base64url');
  await db.transaction().execute(async (trx) => {
    const org = await trx.insertInto('organizations').values({ name: 'Demo Organization' }).returning('id').executeTakeFirstOrThrow();
    await createUser(trx, { orgId: org.id, email, password: chosen, role: 'owner', username: 'admin', firstName: 'Demo', lastName: 'Admin' });
    const campaign = await trx
      .insertInto('campaigns')
      .values({ org_id: org.id, name: 'Demo Campaign', description: 'Seeded on first start', phone_number: '+15005550006', rtb_id: generateRtbId() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const buyer = await trx
      .insertInto('buyers')
      .values({ org_id: org.id, name: 'Demo Buyer', company_name: 'Demo Buyer Inc.', phone_number: '+15005550001', max_concurrent_calls: 5, time_zone: 'America/New_York', operating_hours: null, email: null, hourly_cap: null, daily_cap: null, monthly_cap: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: campaign.id, buyer_id: buyer.id }).execute();
  });
  return { created: true, email, password: chosen };
}
