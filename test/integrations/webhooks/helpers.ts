// Shared set-up of the event webhook tests: endpoints through the API, the queue's rows, the
// worker driven directly (the background one is off in tests), a signature check as a receiver
// would write it, and each received body checked against openapi.yaml's `webhooks` section.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { components } from '../../../client/index.js';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { createDeliveryDispatcher, deliverDue } from '../../../server/platform/deliveries/worker.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import type { DeliveryOptions } from '../../../server/platform/deliveries/types.js';
import { loadSpec } from '../../../server/platform/spec.js';
import type { Member } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/test-app.js';
import type { ReceivedRequest } from '../../attribution/pixels/receiver.js';

type EndpointCreate = components['schemas']['WebhookEndpointCreate'];

export async function createEndpoint(member: Member, body: EndpointCreate) {
  const { data, response, error } = await member.client.POST('/api/webhook-endpoints', { body });
  if (response.status !== 201 || !data) throw new Error(`createWebhookEndpoint failed: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

export function deliveryRows(t: TestApp, endpointId: string) {
  return t.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id').execute();
}

export function attemptRows(t: TestApp, deliveryId: string) {
  return t.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
}

/** Run the webhook worker until nothing is due. */
export async function drain(t: TestApp, options: DeliveryOptions): Promise<void> {
  while ((await deliverDue(t.db, WEBHOOK_QUEUE, options)) > 0);
}

/** What a receiver does with X-CCP-Signature: recompute over `t.body`, compare in constant time, refuse old timestamps. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds = Date.now() / 1000): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const [, t, v1] = match;
  if (Math.abs(nowSeconds - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1!, 'hex'));
}

const spec = loadSpec();
const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
ajv.addSchema(spec, 'spec');

/** The contract's problems with a received event body (its `webhooks` entry), or [] when it conforms. */
export function contractProblems(request: ReceivedRequest): string[] {
  const body = JSON.parse(request.body) as { type: string };
  const pointer = `spec#/webhooks/${body.type.replace(/~/g, '~0').replace(/\//g, '~1')}/post/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  if (!validate) return [`no webhooks entry for ${body.type}`];
  return validate(body) ? [] : [ajv.errorsText(validate.errors)];
}

/** A local receiver of deliveries (`handler` answers each request) and the worker options that send to it. */
export interface TestReceiver {
  url: string;
  options: DeliveryOptions;
  close(): Promise<void>;
}

/** Start a receiver on 127.0.0.1; the worker gives up on a try after `timeoutMs` (the webhook queue's own time-out when not given). */
export async function startDeliveryReceiver(t: TestApp, handler: RequestListener, timeoutMs?: number): Promise<TestReceiver> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  const options: DeliveryOptions = {
    dispatcher: createDeliveryDispatcher(policy, timeoutMs === undefined ? WEBHOOK_QUEUE : { timeoutMs }),
    policy,
    retryBaseMs: 0,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    options,
    close: async () => {
      await options.dispatcher.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The data of an `agent.status_changed` event, raised by the tests that need any event at all. */
export const AGENT_STATUS_DATA = { agentId: '9c3e5a7b-1d2f-4a6b-8c0d-2e4f6a8b0c1d', status: 'busy', previousStatus: 'available', reason: 'user', statusVersion: 2, changedAt: '2025-08-04T11:55:10.000Z' };
