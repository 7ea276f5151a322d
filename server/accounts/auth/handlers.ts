import type { FastifyRequest } from 'fastify';
import type { UserRow } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import { recheckLiveCallers } from '../../platform/live/publish.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import {
  bumpSessionVersion,
  findOrganization,
  findUsersByEmail,
  findUsersByLogin,
  findUserInOrg,
  MAX_ACCOUNTS_PER_LOGIN,
  touchLastLogin,
} from '../users/queries.js';
import { presentCurrentUser } from '../users/present.js';
import { createUser } from '../users/create-user.js';
import { verifyAgainstEach } from './passwords.js';
import { changeOwnPassword } from './change-password.js';
import { requireOwnOriginForCookie } from './principal.js';
import { startSession } from './session.js';

type AuthOps = 'login' | 'loginLegacy' | 'logout' | 'logoutLegacy' | 'getCurrentUser' | 'register' | 'changePassword';

const LOGGED_OUT = { message: 'Logout successful' };

export function createAuthHandlers(deps: Deps): HandlerGroup<AuthOps> {
  const { db, loginThrottle } = deps;

  /**
   * Shared by both login paths: the (account, address) backoff, the password checked against every
   * account with that email or username (emails are unique per organisation, so there may be a
   * few; `organizationId` picks one), session start. Always as many password checks (dummy hashes
   * for the accounts missing), so the time says nothing of how many accounts there are. Several accounts open with these credentials and none named: 400 naming organizationId.
   */
  function logIn(req: FastifyRequest, login: string, password: string, organizationId: string | undefined, lookUp: (login: string, orgId?: string) => Promise<UserRow[]>) {
    // Attempts sent at once from one address would all pass the backoff check before any failure counted.
    return loginThrottle.oneAtATime(req, () => attemptLogIn(req, login, password, organizationId, lookUp));
  }

  async function attemptLogIn(req: FastifyRequest, login: string, password: string, organizationId: string | undefined, lookUp: (login: string, orgId?: string) => Promise<UserRow[]>) {
    const candidates = await lookUp(login, organizationId);
    // Each account's own budget (both login paths share it); an unknown login counts under its text.
    const accounts = candidates.length > 0 ? candidates.map((c) => `user:${c.id}`) : [`login:${login.toLowerCase()}`];
    for (const account of accounts) await loginThrottle.check(req, account);
    // As many checks whether the login names no account, one, or the most a login looks at.
    const opens = await verifyAgainstEach(password, candidates.map((c) => c.password_hash), MAX_ACCOUNTS_PER_LOGIN);
    const opened = candidates.filter((_, i) => opens[i]);
    const user = opened[0];
    if (!user) {
      for (const account of accounts) await loginThrottle.failed(req, account);
      throw ERRORS.invalidCredentials();
    }
    if (opened.length > 1) {
      // Counted as a failure too: guesses that open several accounts are not free of the backoff.
      for (const account of accounts) await loginThrottle.failed(req, account);
      throw ERRORS.validation({ organizationId: 'these credentials open accounts in several organisations: name the one to log in to' });
    }
    startSession(req, user);
    await touchLastLogin(db, user.id);
    return user;
  }

  /** Clear the cookie and end the user's sessions everywhere (a copied cookie stops working); 403 from a page of another origin. */
  async function logOut(req: FastifyRequest) {
    const uid = req.session.get('uid');
    const org = req.session.get('org');
    const version = req.session.get('sv');
    if (typeof uid === 'number' && typeof org === 'string' && typeof version === 'number') {
      // A page of another origin must not end the user's sessions (a bodyless POST needs no preflight).
      requireOwnOriginForCookie(req, deps.config.publicBaseUrl);
      const user = await findUserInOrg(db, org, uid);
      if (user && user.session_version === version) {
        await bumpSessionVersion(db, org, uid);
        recheckLiveCallers(db);
      }
    }
    req.session.delete();
    return { status: 200 as const, body: LOGGED_OUT };
  }

  return {
    async login({ req, body }) {
      const user = await logIn(req, body.email, body.password, body.organizationId, (login, orgId) => findUsersByEmail(db, login, orgId));
      return {
        status: 200,
        body: { message: 'Login successful', user: { id: user.id, email: user.email, firstName: user.first_name, lastName: user.last_name } },
      };
    },

    async loginLegacy({ req, body }) {
      const login = body.username ?? body.email;
      if (!login) throw ERRORS.validation({ username: 'is required (or send email)' });
      const user = await logIn(req, login, body.password, body.organizationId, (value, orgId) => findUsersByLogin(db, value, orgId));
      return {
        status: 200,
        body: { id: user.id, username: user.username, email: user.email, firstName: user.first_name, lastName: user.last_name },
      };
    },

    async logout({ req }) {
      return logOut(req);
    },

    async logoutLegacy({ req }) {
      return logOut(req);
    },

    async getCurrentUser(ctx) {
      const principal = ctx.principal();
      const user = await findUserInOrg(db, principal.orgId, principal.userId);
      const organization = await findOrganization(db, principal.orgId);
      if (!user || !organization) throw ERRORS.unauthorized();
      // The role this request acts with: an API key's may be lower than its user's.
      return { status: 200, body: { ...presentCurrentUser(user, organization), role: principal.role } };
    },

    async changePassword(ctx) {
      await changeOwnPassword(db, loginThrottle, ctx.req, ctx.principal(), ctx.body);
      return { status: 200, body: { message: 'Password changed' } };
    },

    async register({ req, body }) {
      if (!deps.config.allowRegistration) throw ERRORS.forbidden('Registration is switched off on this server');
      const { user, organization } = await db.transaction().execute(async (trx) => {
        const organization = await trx
          .insertInto('organizations')
          .values({ name: body.organizationName })
          .returning(['id', 'name'])
          .executeTakeFirstOrThrow();
        const user = await createUser(trx, { ...body, orgId: organization.id, role: 'owner', loggedIn: true });
        return { user, organization };
      });
      startSession(req, user);
      return { status: 201, body: presentCurrentUser(user, organization) };
    },
  };
}
