import type { components } from '../../../client/schema.js';
import type { UserRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';

export function presentUser(user: UserRow): components['schemas']['User'] {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    firstName: user.first_name,
    lastName: user.last_name,
    role: user.role,
    createdAt: iso(user.created_at),
    updatedAt: iso(user.updated_at),
    lastLoginAt: isoOrNull(user.last_login_at),
  };
}

export function presentCurrentUser(user: UserRow, organization: { id: string; name: string }): components['schemas']['CurrentUser'] {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    profileImageUrl: user.profile_image_url,
    role: user.role,
    organization,
  };
}
