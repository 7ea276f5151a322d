import { parseIntId } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { presentRouter, routerPatch } from './mapping.js';
import { deleteRouterInOrg, insertRouter, listRoutersInOrg, updateRouterInOrg } from './queries.js';

type RtbRouterOps = 'listRtbRouters' | 'createRtbRouter' | 'updateRtbRouter' | 'deleteRtbRouter';

export function createRtbRouterHandlers({ db }: Deps): HandlerGroup<RtbRouterOps> {
  function routerId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('RTB router', raw);
    return id;
  }

  return {
    async listRtbRouters(ctx) {
      const rows = await listRoutersInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map(presentRouter) };
    },

    async createRtbRouter(ctx) {
      const row = await insertRouter(db, {
        ...routerPatch(ctx.body),
        org_id: ctx.principal().orgId,
        name: ctx.body.name,
        description: ctx.body.description ?? null,
      });
      return { status: 201, body: presentRouter(row) };
    },

    async updateRtbRouter(ctx) {
      const row = await updateRouterInOrg(db, ctx.principal().orgId, routerId(ctx.params.id), routerPatch(ctx.body));
      if (!row) throw ERRORS.notFound('RTB router', ctx.params.id);
      return { status: 200, body: presentRouter(row) };
    },

    async deleteRtbRouter(ctx) {
      const deleted = await deleteRouterInOrg(db, ctx.principal().orgId, routerId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('RTB router', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
