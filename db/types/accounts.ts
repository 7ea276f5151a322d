// Organisations, users and API keys (server/accounts).
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { CreatedAt, UpdatedAt } from './columns.js';

export type Role = 'owner' | 'admin' | 'manager' | 'agent';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
  /** SHA-256 (hex) of the RedTrack postback secret; null until one is made. */
  redtrack_secret_hash: ColumnType<string | null, string | null | undefined, string | null>;
  redtrack_secret_rotated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** ISO country national lead numbers are read in (migration 0016). */
  default_country: ColumnType<string, string | undefined, string>;
  /** SHA-256 (hex) of the Exotel incoming-webhook secret (migration 0029); null until one is made. */
  exotel_secret_hash: ColumnType<string | null, string | null | undefined, string | null>;
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

export type OrganizationRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
