// Who may manage whom (pure): seed 003's matrix on top of the per-operation minimum role.
import type { Role } from '../../../db/types.js';

export type PolicyVerdict = { ok: true } | { ok: false; status: 403 | 409; reason: string };

const OK: PolicyVerdict = { ok: true };

/** Creating a user: only an owner may create an owner. */
export function canCreateUser(actorRole: Role, newRole: Role): PolicyVerdict {
  if (newRole === 'owner' && actorRole !== 'owner') return { ok: false, status: 403, reason: 'Only an owner can add an owner' };
  return OK;
}

export interface RoleChange {
  actorId: number;
  actorRole: Role;
  targetId: number;
  targetRole: Role;
  newRole: Role | undefined;
  /** Owners of the organisation other than the target. */
  otherOwners: number;
}

export function canUpdateUser(change: RoleChange): PolicyVerdict {
  const { actorId, actorRole, targetId, targetRole, newRole, otherOwners } = change;
  if (actorRole !== 'owner' && targetRole === 'owner') return { ok: false, status: 403, reason: 'Only an owner can change an owner' };
  if (newRole === undefined || newRole === targetRole) return OK;
  if (actorId === targetId) return { ok: false, status: 403, reason: 'Nobody can change their own role' };
  if (newRole === 'owner' && actorRole !== 'owner') return { ok: false, status: 403, reason: 'Only an owner can grant the owner role' };
  if (targetRole === 'owner' && otherOwners === 0) return { ok: false, status: 409, reason: 'The last owner cannot be demoted' };
  return OK;
}

export function canDeleteUser(actorId: number, targetId: number, targetRole: Role, otherOwners: number): PolicyVerdict {
  if (actorId === targetId) return { ok: false, status: 409, reason: 'You cannot remove yourself' };
  if (targetRole === 'owner' && otherOwners === 0) return { ok: false, status: 409, reason: 'The last owner cannot be removed' };
  return OK;
}

/** Setting another user's password: owners' only by an owner; one's own only with the current one (POST /api/auth/password). */
export function canSetPassword(actorId: number, actorRole: Role, targetId: number, targetRole: Role): PolicyVerdict {
  if (actorId === targetId) return { ok: false, status: 403, reason: 'Change your own password with POST /api/auth/password (it asks for the current one)' };
  if (targetRole === 'owner' && actorRole !== 'owner') return { ok: false, status: 403, reason: 'Only an owner can set an owner\'s password' };
  return OK;
}
