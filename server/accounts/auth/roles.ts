import type { Role } from '../../../db/types.js';

const RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3, owner: 4 };

/** owner > admin > manager > agent (seed 003's matrix, applied per operation via x-min-role). */
export function hasRole(actual: Role, needed: Role): boolean {
  return RANK[actual] >= RANK[needed];
}

export function weakerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

export function isRole(value: string): value is Role {
  return Object.hasOwn(RANK, value);
}
