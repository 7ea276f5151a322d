// One way to add a user (registration, the users API, the demo seed): hash the password, insert,
// and turn an email or username taken in the same organisation into a 409 naming the field
// (emails are unique per organisation: another organisation's addresses are never revealed).
import type { Db, Role, UserRow } from '../../../db/types.js';
import { hashPassword } from '../auth/passwords.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';
import { type AppError, ERRORS } from '../../platform/errors.js';
import { insertUser } from './queries.js';

export interface NewUserInput {
  orgId: string;
  email: string;
  password: string;
  role: Role;
  username?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  /** Registration logs the new user in at once. */
  loggedIn?: boolean;
}

export async function createUser(db: Db, input: NewUserInput): Promise<UserRow> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(db, {
      org_id: input.orgId,
      email: input.email,
      username: input.username ?? null,
      password_hash: passwordHash,
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      profile_image_url: null,
      role: input.role,
      last_login_at: input.loggedIn ? new Date() : null,
    });
  } catch (err) {
    throw userConflict(err) ?? err;
  }
}

/** An email or username taken in the organisation as a 409 naming the field; null for any other error. */
export function userConflict(err: unknown): AppError | null {
  if (isUniqueViolation(err, 'users_org_email_key')) return ERRORS.conflict({ email: 'is already a user of this organisation' });
  if (isUniqueViolation(err, 'users_org_username_key')) return ERRORS.conflict({ username: 'is already taken in this organisation' });
  return null;
}
