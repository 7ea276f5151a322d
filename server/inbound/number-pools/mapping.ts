// Number pool rows <-> API shapes (pure).
import type { components } from '../../../client/schema.js';
import { iso } from '../../platform/common/dates.js';
import type { NumberPoolPatch, NumberPoolWithNumbers } from './queries.js';

type NumberPool = components['schemas']['NumberPool'];
type NumberPoolUpdate = components['schemas']['NumberPoolUpdate'];

export function presentPool(row: NumberPoolWithNumbers): NumberPool {
  const assignedNumbers = row.numbers.map((n) => ({ id: n.id, phoneNumber: n.phone_number, isActive: n.is_active }));
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    campaignId: row.campaign_id,
    isActive: row.is_active,
    idleTimeoutSec: row.idle_timeout_sec,
    whenExhausted: row.when_exhausted,
    numbersCount: assignedNumbers.length,
    assignedNumbers,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Only the fields sent become column changes (create bodies are a subset of update bodies);
 * campaign_id is set by the handler once the campaign is known to be the caller's.
 */
export function poolPatch(body: NumberPoolUpdate): NumberPoolPatch {
  const patch: NumberPoolPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  if (body.whenExhausted !== undefined) patch.when_exhausted = body.whenExhausted;
  return patch;
}
