// A person changes their own password: the current one is checked as a login is (same backoff),
// the user's other sessions end, and this one is renewed as a fresh login.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import { recheckLiveCallers } from '../../platform/live/publish.js';
import { findUserInOrg, replacePasswordHash } from '../users/queries.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { startSession } from './session.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

export async function changeOwnPassword(db: Db, throttle: LoginThrottle, req: FastifyRequest, actor: Principal, change: PasswordChange): Promise<void> {
  // A key cannot prove who holds it, and changing the password must not be how a leaked key takes over the account.
  if (actor.via !== 'session') throw ERRORS.forbidden('An API key cannot change a password; log in with a password');
  const account = `user:${actor.userId}`;
  await throttle.oneAtATime(req, async () => {
    await throttle.check(req, account);
    const user = await findUserInOrg(db, actor.orgId, actor.userId);
    if (!user) throw ERRORS.unauthorized();
    if (!(await verifyPassword(change.currentPassword, user.password_hash))) {
      await throttle.failed(req, account);
      throw ERRORS.validation({ currentPassword: 'is not your current password' });
    }
    if (await verifyPassword(change.newPassword, user.password_hash)) {
      throw ERRORS.validation({ newPassword: 'is your current password: choose another' });
    }
    const sessionVersion = await replacePasswordHash(db, actor.orgId, actor.userId, await hashPassword(change.newPassword));
    if (sessionVersion === undefined) throw ERRORS.unauthorized();
    recheckLiveCallers(db);
    startSession(req, { id: user.id, org_id: user.org_id, session_version: sessionVersion });
  });
}
