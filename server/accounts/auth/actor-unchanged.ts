// What grants lasting access (a user, an API key, a role change) is written only while its author
// still holds the role the request was let in with.
import type { Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import { lockUserInOrg } from '../users/queries.js';
import type { Principal } from './principal.js';
import { hasRole } from './roles.js';

/**
 * The actor must still hold the role the request was let in with. Their own row is locked and read
 * (a demotion or removal committed before is seen, one after waits for this transaction), and role
 * changes and removals also queue on the owner lock: an admin demoted (or removed) while their
 * request waited must not go on to act as an admin. 403 otherwise.
 */
export async function requireActorUnchanged(trx: Db, actor: Principal): Promise<void> {
  const now = await lockUserInOrg(trx, actor.orgId, actor.userId);
  if (!now || !hasRole(now.role, actor.role)) throw ERRORS.forbidden('Your role changed while this request was being handled; it was not carried out');
}
