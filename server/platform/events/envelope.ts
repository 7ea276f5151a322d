// What an event looks like on the wire (pure): the JSON envelope every delivery POSTs, and the
// headers that name it. `event` repeats `type` because seed 003's receiver reads `event`
// (`const { event, data } = req.body`). The signature header is added when it is sent
// (platform/deliveries/signature.ts), over this exact body.
import type { DeliveredType } from './types.js';

export const EVENT_ID_HEADER = 'X-CCP-Event-Id';
export const EVENT_TYPE_HEADER = 'X-CCP-Event-Type';

export interface EventEnvelope {
  id: string;
  type: DeliveredType;
  event: DeliveredType;
  createdAt: string;
  organizationId: string;
  data: object;
}

export function eventEnvelope(input: { id: string; orgId: string; type: DeliveredType; data: object; occurredAt: Date }): EventEnvelope {
  return { id: input.id, type: input.type, event: input.type, createdAt: input.occurredAt.toISOString(), organizationId: input.orgId, data: input.data };
}

/** The envelope's headers (besides the signature). */
export function eventHeaders(envelope: Pick<EventEnvelope, 'id' | 'type'>): Record<string, string> {
  return { [EVENT_ID_HEADER]: envelope.id, [EVENT_TYPE_HEADER]: envelope.type };
}
