import { parseIntId } from '../../platform/common/ids.js';
import { revokeKeysOfUser } from '../api-keys/queries.js';
import { requireActorUnchanged } from '../auth/actor-unchanged.js';
import { requireRecentLogin } from '../auth/principal.js';
import { ERRORS } from '../../platform/errors.js';
import { recheckLiveCallers } from '../../platform/live/publish.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { canCreateUser, canDeleteUser, canSetPassword, canUpdateUser, type PolicyVerdict } from './policy.js';
import { presentUser } from './present.js';
import { createUser, userConflict } from './create-user.js';
import { hashPassword } from '../auth/passwords.js';
import { deleteUserInOrg, findUserInOrg, listUsersInOrg, lockOwners, lockUserInOrg, replacePasswordHash, updateUserInOrg } from './queries.js';

type UserOps = 'listUsers' | 'createUser' | 'getUser' | 'updateUser' | 'deleteUser' | 'setUserPassword';

function enforce(verdict: PolicyVerdict): void {
  if (verdict.ok) return;
  throw verdict.status === 403 ? ERRORS.forbidden(verdict.reason) : ERRORS.conflict(verdict.reason);
}

export function createUserHandlers({ db }: Deps): HandlerGroup<UserOps> {
  function userId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('User', raw);
    return id;
  }

  return {
    async listUsers(ctx) {
      const users = await listUsersInOrg(db, ctx.principal().orgId);
      return { status: 200, body: users.map(presentUser) };
    },

    async createUser(ctx) {
      const actor = ctx.principal();
      const { body } = ctx;
      requireRecentLogin(actor, 'create users');
      enforce(canCreateUser(actor.role, body.role));
      // The check above used the role read when the request came in; a demotion since (say, of an
      // admin about to create an admin) must win: the caller's row is locked and read again first.
      const user = await db.transaction().execute(async (trx) => {
        await requireActorUnchanged(trx, actor);
        return createUser(trx, { ...body, orgId: actor.orgId });
      });
      return { status: 201, body: presentUser(user) };
    },

    async getUser(ctx) {
      const id = userId(ctx.params.id);
      const user = await findUserInOrg(db, ctx.principal().orgId, id);
      if (!user) throw ERRORS.notFound('User', ctx.params.id);
      return { status: 200, body: presentUser(user) };
    },

    async updateUser(ctx) {
      const actor = ctx.principal();
      const id = userId(ctx.params.id);
      try {
        const updated = await db.transaction().execute(async (trx) => {
          const owners = await lockOwners(trx, actor.orgId);
          const target = await findUserInOrg(trx, actor.orgId, id);
          if (!target) throw ERRORS.notFound('User', ctx.params.id);
          if (ctx.body.role !== undefined) requireRecentLogin(actor, 'change roles');
          enforce(
            canUpdateUser({
              actorId: actor.userId,
              actorRole: actor.role,
              targetId: target.id,
              targetRole: target.role,
              newRole: ctx.body.role,
              otherOwners: owners.filter((o) => o !== target.id).length,
            }),
          );
          await requireActorUnchanged(trx, actor);
          return updateUserInOrg(trx, actor.orgId, id, ctx.body);
        });
        if (!updated) throw ERRORS.notFound('User', ctx.params.id);
        if (ctx.body.role !== undefined) recheckLiveCallers(db);
        return { status: 200, body: presentUser(updated) };
      } catch (err) {
        throw userConflict(err) ?? err;
      }
    },

    async setUserPassword(ctx) {
      const actor = ctx.principal();
      const id = userId(ctx.params.id);
      // Hashed before the transaction: scrypt takes a while, and no lock need wait for it.
      const passwordHash = await hashPassword(ctx.body.password);
      await db.transaction().execute(async (trx) => {
        // Queued on the owner rows first, as role changes and removals are: the rows of the actor
        // and the target are then locked by one request at a time (two admins setting each
        // other's password at once took them in opposite orders: a deadlock, one of them a 500).
        await lockOwners(trx, actor.orgId);
        // The target's row stays locked: a promotion to owner meanwhile waits, and is then seen by nobody here.
        const target = await lockUserInOrg(trx, actor.orgId, id);
        if (!target) throw ERRORS.notFound('User', ctx.params.id);
        // Whoever sets a password can log in as that user: a person who logged in recently.
        requireRecentLogin(actor, 'set passwords');
        enforce(canSetPassword(actor.userId, actor.role, target.id, target.role));
        await requireActorUnchanged(trx, actor);
        await replacePasswordHash(trx, actor.orgId, id, passwordHash);
      });
      recheckLiveCallers(db);
      return { status: 204, body: undefined };
    },

    async deleteUser(ctx) {
      const actor = ctx.principal();
      const id = userId(ctx.params.id);
      await db.transaction().execute(async (trx) => {
        const owners = await lockOwners(trx, actor.orgId);
        const target = await findUserInOrg(trx, actor.orgId, id);
        if (!target) throw ERRORS.notFound('User', ctx.params.id);
        // Removing a user ends their access and their keys': a person who logged in recently, as for
        // a role change (after the look-up: another organisation's user stays a 404).
        requireRecentLogin(actor, 'remove users');
        enforce(canDeleteUser(actor.userId, target.id, target.role, owners.filter((o) => o !== target.id).length));
        await requireActorUnchanged(trx, actor);
        await revokeKeysOfUser(trx, actor.orgId, id);
        await deleteUserInOrg(trx, actor.orgId, id);
      });
      recheckLiveCallers(db);
      return { status: 204, body: undefined };
    },
  };
}
