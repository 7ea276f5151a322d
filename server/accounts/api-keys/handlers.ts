import type { components } from '../../../client/schema.js';
import type { ApiKeyRow } from '../../../db/types.js';
import { requireActorUnchanged } from '../auth/actor-unchanged.js';
import { requireRecentLogin } from '../auth/principal.js';
import { hasRole } from '../auth/roles.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import { recheckLiveCallers } from '../../platform/live/publish.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { generateApiKey } from './key-format.js';
import { findKeyInOrg, insertKey, listKeysInOrg, revokeKey } from './queries.js';

type ApiKeyOps = 'listApiKeys' | 'createApiKey' | 'revokeApiKey';

function presentKey(key: ApiKeyRow): components['schemas']['ApiKey'] {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    createdByUserId: key.created_by_user_id,
    createdAt: iso(key.created_at),
    lastUsedAt: isoOrNull(key.last_used_at),
    revokedAt: isoOrNull(key.revoked_at),
  };
}

export function createApiKeyHandlers({ db }: Deps): HandlerGroup<ApiKeyOps> {
  return {
    async listApiKeys(ctx) {
      const keys = await listKeysInOrg(db, ctx.principal().orgId);
      return { status: 200, body: keys.map(presentKey) };
    },

    async createApiKey(ctx) {
      const actor = ctx.principal();
      requireRecentLogin(actor, 'create API keys');
      const role = ctx.body.role ?? actor.role;
      if (!hasRole(actor.role, role)) throw ERRORS.forbidden(`A key cannot have more rights than its creator (${actor.role})`);
      const generated = generateApiKey();
      // The check above used the role read when the request came in: a demotion or removal since
      // must win (the caller's row is locked and read again), not mint a key or fail on its creator.
      const row = await db.transaction().execute(async (trx) => {
        await requireActorUnchanged(trx, actor);
        return insertKey(trx, {
          orgId: actor.orgId,
          userId: actor.userId,
          name: ctx.body.name,
          prefix: generated.prefix,
          keyHash: generated.hash,
          role,
        });
      });
      return { status: 201, body: { ...presentKey(row), key: generated.key } };
    },

    async revokeApiKey(ctx) {
      const actor = ctx.principal();
      const id = parseUuid(ctx.params.id);
      const key = id ? await findKeyInOrg(db, actor.orgId, id) : undefined;
      if (!id || !key) throw ERRORS.notFound('API key', ctx.params.id);
      if (!hasRole(actor.role, key.role)) throw ERRORS.forbidden(`Only a ${key.role} or higher can revoke this key`);
      await revokeKey(db, actor.orgId, id);
      recheckLiveCallers(db);
      return { status: 204, body: undefined };
    },
  };
}
