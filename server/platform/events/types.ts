// The events the system raises (issue 19, DESIGN.md 9.3): the one list of their types. openapi.yaml
// describes the same list (`EventType`, and one `webhooks` entry per type; a test holds them equal).
export const EVENT_TYPES = [
  'call.started',
  'call.answered',
  'call.completed',
  'lead.created',
  'lead.updated',
  'lead.qualified',
  'lead.converted',
  'agent.status_changed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an endpoint subscribes to for every type, present and future. */
export const ALL_EVENTS = '*';

/** The test event an endpoint is sent on request; nobody subscribes to it. */
export const PING_EVENT = 'ping';

/** What a delivery carries. */
export type DeliveredType = EventType | typeof PING_EVENT;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
