// The caller's organisation: its name and the default country of national phone numbers.
import type { components } from '../../../client/schema.js';
import type { OrganizationRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from './country.js';
import { findOrganization, updateOrganization } from './queries.js';

type OrganizationOps = 'getOrganization' | 'updateOrganization';

function presentOrganization(row: OrganizationRow): components['schemas']['OrganizationSettings'] {
  return { id: row.id, name: row.name, defaultCountry: row.default_country, createdAt: iso(row.created_at) };
}

export function createOrganizationHandlers({ db }: Deps): HandlerGroup<OrganizationOps> {
  return {
    async getOrganization(ctx) {
      const org = await findOrganization(db, ctx.principal().orgId);
      // The principal's organisation exists while its session or key does (deleting it removes both).
      if (!org) throw ERRORS.unauthorized();
      return { status: 200, body: presentOrganization(org) };
    },

    async updateOrganization(ctx) {
      const { name, defaultCountry } = ctx.body;
      if (defaultCountry !== undefined && !isPhoneCountry(defaultCountry)) throw ERRORS.validation({ defaultCountry: UNKNOWN_PHONE_COUNTRY });
      const org = await updateOrganization(db, ctx.principal().orgId, {
        ...(name === undefined ? {} : { name }),
        ...(defaultCountry === undefined ? {} : { default_country: defaultCountry }),
      });
      if (!org) throw ERRORS.unauthorized();
      return { status: 200, body: presentOrganization(org) };
    },
  };
}
