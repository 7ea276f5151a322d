// What the session cookie holds: the user, their organisation, the session version it was issued
// under (bumped to end every session), and when the password was last given.
import type { FastifyRequest } from 'fastify';
import type { UserRow } from '../../../db/types.js';

export function startSession(req: FastifyRequest, user: Pick<UserRow, 'id' | 'org_id' | 'session_version'>): void {
  req.session.set('uid', user.id);
  req.session.set('org', user.org_id);
  req.session.set('sv', user.session_version);
  req.session.set('at', Date.now());
}
