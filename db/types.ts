// Hand-written table types (kysely-codegen loses CHECK unions and has no PGlite dialect).
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

export type Role = 'owner' | 'admin' | 'manager' | 'agent';
export type RoutingType = 'priority' | 'round_robin' | 'weighted';
export type CampaignStatus = 'active' | 'paused' | 'inactive';
export type Direction = 'inbound' | 'outbound';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface DayHours {
  start: string;
  end: string;
}
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type OperatingHours = Partial<Record<Weekday, DayHours>>;

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  org_id: string;
  email: string;
  username: string | null;
  password_hash: string;
  first_name: string | null;
  last_name: string | null;
  profile_image_url: string | null;
  role: Role;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  last_login_at: Date | null;
  session_version: Generated<number>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  org_id: string;
  created_by_user_id: number | null;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface CampaignsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  description: string | null;
  phone_number: string | null;
  routing_type: Generated<RoutingType>;
  status: Generated<CampaignStatus>;
  direction: Generated<Direction>;
  enable_rtb: Generated<boolean>;
  rtb_id: string;
  min_bidders_required: Generated<number>;
  bidding_timeout_ms: Generated<number>;
  caller_id_required: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface BuyersTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  company_name: string | null;
  email: string | null;
  phone_number: string;
  priority: Generated<number>;
  max_concurrent_calls: number | null;
  is_active: Generated<boolean>;
  time_zone: Generated<string>;
  operating_hours: Json<OperatingHours | null> | null;
  hourly_cap: number | null;
  daily_cap: number | null;
  monthly_cap: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CampaignBuyersTable {
  org_id: string;
  campaign_id: string;
  buyer_id: number;
  priority: Generated<number>;
  weight: Generated<number>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  buyers: BuyersTable;
  campaign_buyers: CampaignBuyersTable;
}

/** What query functions take first: the database or a transaction. */
export type Db = Kysely<DB> | Transaction<DB>;

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaign = Insertable<CampaignsTable>;
export type CampaignPatch = Updateable<CampaignsTable>;
export type BuyerRow = Selectable<BuyersTable>;
export type NewBuyer = Insertable<BuyersTable>;
export type BuyerPatch = Updateable<BuyersTable>;
export type CampaignBuyerRow = Selectable<CampaignBuyersTable>;
