// The pure parts of event webhooks: the one list of event types against the contract, which events
// a lead's change, an outbound call's progress and an inbound call's transition raise, endpoint
// patches, secrets, the disable reason, a delivery's request headers.
import { describe, expect, it } from 'vitest';
import type { LeadRow } from '../../../db/types.js';
import { raisedCallEventsOf } from '../../../server/attribution/calls/raised-events.js';
import { changedLeadFields, leadEventsOf } from '../../../server/crm/leads/events.js';
import { progressEventsOf } from '../../../server/dialer/webhooks/calls.js';
import { autoDisableReason, DISABLE_AFTER_FAILURES } from '../../../server/integrations/webhooks/disable-policy.js';
import { endpointPatch, normaliseEvents } from '../../../server/integrations/webhooks/mapping.js';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { newSigningSecret, secretHint } from '../../../server/integrations/webhooks/secret.js';
import { PIXEL_QUEUE } from '../../../server/attribution/pixels/worker.js';
import { deliveryHeaders } from '../../../server/platform/deliveries/worker.js';
import { eventEnvelope, eventHeaders } from '../../../server/platform/events/envelope.js';
import { EVENT_TYPES, isEventType } from '../../../server/platform/events/types.js';
import { loadSpec } from '../../../server/platform/spec.js';
import { verifySignature } from './helpers.js';

const spec = loadSpec();

describe('the event types', () => {
  it('are the contract’s EventType, each with its webhooks entry (plus ping)', () => {
    expect(spec.components.schemas.EventType.enum).toEqual([...EVENT_TYPES]);
    expect(Object.keys(spec.webhooks).sort()).toEqual([...EVENT_TYPES, 'ping'].sort());
    for (const type of EVENT_TYPES) {
      const schema = spec.webhooks[type].post.requestBody.content['application/json'].schema.$ref.split('/').pop();
      const declared = spec.components.schemas[schema].properties.type;
      expect(declared.enum ?? [declared.const], type).toContain(type);
    }
    expect(isEventType('lead.qualified')).toBe(true);
    expect(isEventType('ping')).toBe(false);
  });

  it('an envelope repeats its type as `event` (seed 003 reads `event`) and names itself in headers', () => {
    const envelope = eventEnvelope({ id: 'e1', orgId: 'o1', type: 'call.completed', data: { callId: 1 }, occurredAt: new Date('2025-08-04T12:00:00Z') });
    expect(envelope).toEqual({ id: 'e1', type: 'call.completed', event: 'call.completed', createdAt: '2025-08-04T12:00:00.000Z', organizationId: 'o1', data: { callId: 1 } });
    expect(eventHeaders(envelope)).toEqual({ 'X-CCP-Event-Id': 'e1', 'X-CCP-Event-Type': 'call.completed' });
  });
});

function lead(overrides: Partial<LeadRow> = {}): LeadRow {
  const at = new Date('2025-08-04T12:00:00Z');
  return {
    id: '6a0c8f1e-3b7d-4c2a-9e51-2d4b8a7f0c13',
    org_id: 'o1',
    campaign_id: null,
    name: 'Sara',
    first_name: null,
    last_name: null,
    company: null,
    phone: '+14155552671',
    phone_e164: '+14155552671',
    email: null,
    country: 'US',
    time_zone: null,
    priority: 'normal',
    custom_fields: {},
    notes: null,
    assigned_to: null,
    stage: 'new',
    dial_status: 'pending',
    call_attempts: 0,
    last_call_at: null,
    next_call_at: null,
    next_follow_up_at: null,
    do_not_call: false,
    source: 'api',
    import_id: null,
    created_at: at,
    updated_at: at,
    search_doc: '',
    search_tsv: '',
    phone_digits: '14155552671',
    dial_lease_until: null,
    last_call_id: null,
    preview_agent_id: null,
    furthest_stage: 0,
    ...overrides,
  };
}

describe('lead events', () => {
  it('names the changed fields, never updatedAt', () => {
    expect(changedLeadFields(lead(), lead({ notes: 'x', updated_at: new Date() }))).toEqual(['notes']);
    expect(changedLeadFields(lead(), lead({ updated_at: new Date() }))).toEqual([]);
    expect(changedLeadFields(lead(), lead({ custom_fields: { a: 1 } }))).toEqual(['customFields']);
  });

  it('created; created qualified; updated; moved to qualified or converted; nothing changed', () => {
    const types = (before: LeadRow | null, after: LeadRow) => leadEventsOf(before, after).map((e) => [e.type, e.data.previousStage, e.data.changedFields]);
    expect(types(null, lead())).toEqual([['lead.created', null, []]]);
    expect(types(null, lead({ stage: 'converted' }))).toEqual([
      ['lead.created', null, []],
      ['lead.converted', null, []],
    ]);
    expect(types(lead(), lead({ stage: 'qualified' }))).toEqual([
      ['lead.updated', 'new', ['stage']],
      ['lead.qualified', 'new', []],
    ]);
    expect(types(lead({ stage: 'qualified' }), lead({ stage: 'converted' }))).toEqual([
      ['lead.updated', 'qualified', ['stage']],
      ['lead.converted', 'qualified', []],
    ]);
    expect(types(lead({ stage: 'qualified' }), lead({ stage: 'qualified', notes: 'n' }))).toEqual([['lead.updated', 'qualified', ['notes']]]);
    expect(types(lead(), lead({ stage: 'lost' }))).toEqual([['lead.updated', 'new', ['stage']]]);
    expect(types(lead(), lead())).toEqual([]);
  });
});

describe('call events', () => {
  it('an outbound call leaving queued starts; reaching in-progress is answered; nothing twice', () => {
    expect(progressEventsOf(0, 'initiated')).toEqual(['call.started']);
    expect(progressEventsOf(0, 'in-progress')).toEqual(['call.started', 'call.answered']);
    expect(progressEventsOf(1, 'ringing')).toEqual([]);
    expect(progressEventsOf(2, 'in-progress')).toEqual(['call.answered']);
    expect(progressEventsOf(0, 'queued')).toEqual([]);
  });

  it('an inbound transition: a leg answered, the call complete (whatever its status, once no <Dial> outcome is awaited)', () => {
    expect(raisedCallEventsOf([{ type: 'leg_answered', attempt: 1 }, { type: 'revenue_qualified', amount: '1.0000', qualifiedBy: { kind: 'call' } }])).toEqual(['call.answered']);
    expect(raisedCallEventsOf([{ type: 'call_ended', status: 'busy' }, { type: 'leg_failed', attempt: 1, dialStatus: 'busy' }, { type: 'completion_recorded', status: 'busy' }])).toEqual(['call.completed']);
    // The call ended while a dialled leg awaits its outcome: call.completed waits for it.
    expect(raisedCallEventsOf([{ type: 'call_ended', status: 'completed' }])).toEqual([]);
    expect(raisedCallEventsOf([])).toEqual([]);
  });
});

describe('endpoints', () => {
  const now = new Date('2025-08-04T12:00:00Z');

  it('patches only what is sent; enabling and disabling move only across states', () => {
    expect(endpointPatch({ url: ' http://h/x ', description: '  ' }, { is_active: true }, now)).toEqual({ url: 'http://h/x', description: null });
    expect(endpointPatch({ isActive: true }, { is_active: true }, now)).toEqual({});
    expect(endpointPatch({ isActive: false }, { is_active: false }, now)).toEqual({});
    expect(endpointPatch({ isActive: true }, { is_active: false }, now)).toEqual({ is_active: true, disabled_at: null, disabled_reason: null, consecutive_failures: 0 });
    expect(endpointPatch({ isActive: false }, { is_active: true }, now)).toEqual({ is_active: false, disabled_at: now, disabled_reason: 'disabled through the API' });
    expect(endpointPatch({ events: ['lead.created', 'lead.created'] }, null, now)).toEqual({ events: '["lead.created"]' });
  });

  it("stores '*' alone", () => {
    expect(normaliseEvents(['call.started', '*'])).toEqual(['*']);
    expect(normaliseEvents(['call.started'])).toEqual(['call.started']);
  });

  it('makes whsec_ secrets of 32 random bytes, hinted by their last four characters', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[0-9A-Za-z_-]{43}$/);
    expect(newSigningSecret()).not.toBe(a);
    expect(secretHint(a)).toBe(`whsec_…${a.slice(-4)}`);
  });

  it('says why it disabled an endpoint', () => {
    expect(DISABLE_AFTER_FAILURES).toBe(10);
    expect(autoDisableReason('HTTP 503')).toBe('10 consecutive deliveries failed (the last: HTTP 503)');
  });
});

describe('a delivery’s request', () => {
  const claimed = { id: '1', owner_id: 'e', url: 'http://h/', attempts: 0, lease: '2026-01-01 00:00:00+00' };

  it('a webhook: its headers, JSON, signed over the body', () => {
    const body = '{"id":"e1"}';
    const headers = deliveryHeaders(WEBHOOK_QUEUE, { ...claimed, method: 'POST', headers: { 'X-CCP-Event-Id': 'e1' }, body, signing_secret: 'whsec_k' }, Math.floor(Date.now() / 1000));
    expect(headers).toMatchObject({ 'user-agent': 'CallCenterPro-Webhooks/1', 'x-ccp-event-id': 'e1', 'content-type': 'application/json' });
    expect(verifySignature('whsec_k', headers['x-ccp-signature'], body)).toBe(true);
  });

  it('an unsigned GET pixel: no body type, no signature', () => {
    expect(deliveryHeaders(PIXEL_QUEUE, { ...claimed, method: 'GET', headers: null, body: null, signing_secret: null }, 0)).toEqual({ 'user-agent': 'CallCenterPro-Pixels/1' });
  });
});
