// Proves the contract guard itself: a response that breaks openapi.yaml is recorded in
// contractViolations (which the afterEach guard turns into a failing test).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../server/platform/spec.js';
import { contractViolations, installContractCheck } from '../helpers/contract.js';
import { INBOUND_OUTBOUND_FIELDS } from '../../server/dialer/campaigns/settings.js';

let app: FastifyInstance;

const VALID_CAMPAIGN = {
  id: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  name: 'Campaign',
  description: null,
  phoneNumber: null,
  routingType: 'priority',
  status: 'active',
  direction: 'inbound',
  enableRtb: false,
  rtbId: 'f'.repeat(32),
  minBiddersRequired: 1,
  biddingTimeoutMs: 3000,
  callerIdRequired: false,
  auctionType: 'first_price',
  rtbRouterId: null,
  payout: null,
  minCallDurationSec: 0,
  dialTimeoutSec: 30,
  maxDialAttempts: 3,
  fallbackAction: 'message',
  fallbackMessage: null,
  fallbackAudioId: null,
  defaultCountry: null,
  ...INBOUND_OUTBOUND_FIELDS,
  createdAt: '2025-08-04T12:00:00.000Z',
  updatedAt: '2025-08-04T12:00:00.000Z',
};

const ERROR_BODY = {
  error: 'Resource not found',
  code: 'RESOURCE_NOT_FOUND',
  details: null,
  timestamp: '2025-08-04T12:00:00.000Z',
  requestId: 'req-1',
};

beforeAll(async () => {
  app = Fastify({ logger: false });
  installContractCheck(app, loadSpec());
  const config = { operationId: 'getCampaign' };
  app.get('/teapot', { config }, async (_req, reply) => reply.code(418).send({ message: "I'm a teapot" }));
  app.get('/incomplete', { config }, async () => ({ id: VALID_CAMPAIGN.id, name: 'Half a campaign' }));
  app.get('/valid', { config }, async () => VALID_CAMPAIGN);
  app.get('/not-found', { config }, async (_req, reply) => reply.code(404).send(ERROR_BODY));
  app.get('/wrong-type', { config }, async (_req, reply) => reply.code(200).type('text/plain').send('hello'));
  // With the response schema registered, the serialiser would turn these into a valid body.
  const coercing = {
    config,
    schema: { response: { 200: { type: 'object', additionalProperties: true, properties: { minBiddersRequired: { type: 'integer' }, createdAt: { type: 'string' } } } } },
  };
  app.get('/coerced', coercing, async () => ({ ...VALID_CAMPAIGN, minBiddersRequired: '1', createdAt: new Date('2025-08-04T12:00:00Z') }));
  app.get('/outside', async (_req, reply) => reply.code(500).send({ oops: true }));
  await app.ready();
});
afterAll(async () => app.close());

describe('contract check', () => {
  it('records an undeclared status and a 200 body missing required fields', async () => {
    const teapot = await app.inject({ method: 'GET', url: '/teapot' });
    expect(teapot.statusCode).toBe(418);
    const incomplete = await app.inject({ method: 'GET', url: '/incomplete' });
    expect(incomplete.statusCode).toBe(200);

    const seen = contractViolations.splice(0);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^getCampaign: answered 418, which openapi.yaml does not declare/);
    expect(seen[1]).toMatch(/^getCampaign 200: the handler's answer \(before serialisation\) does not match the contract/);
    expect(seen[2]).toMatch(/^getCampaign 200: body does not match the contract/);
    for (const field of ['description', 'phoneNumber', 'rtbId', 'createdAt']) expect(seen[2]).toContain(field);
    expect(contractViolations).toEqual([]);
  });

  it('records nothing for responses that keep the contract', async () => {
    expect((await app.inject({ method: 'GET', url: '/valid' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/not-found' })).statusCode).toBe(404);
    expect(contractViolations).toEqual([]);
  });

  it('records what the handler returned when only the serialiser made it valid', async () => {
    const coerced = await app.inject({ method: 'GET', url: '/coerced' });
    expect(coerced.statusCode).toBe(200);
    expect(coerced.json().minBiddersRequired).toBe(1);
    const seen = contractViolations.splice(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^getCampaign 200: the handler's answer \(before serialisation\) does not match the contract/);
    expect(seen[0]).toContain('minBiddersRequired');
    expect(seen[0]).toContain('createdAt');
  });

  it('records an undeclared content type', async () => {
    await app.inject({ method: 'GET', url: '/wrong-type' });
    const seen = contractViolations.splice(0);
    expect(seen).toEqual([expect.stringMatching(/^getCampaign 200: content type text\/plain not declared/)]);
  });

  it('records an error outside the error format on a route outside the contract', async () => {
    await app.inject({ method: 'GET', url: '/outside' });
    const seen = contractViolations.splice(0);
    expect(seen).toEqual([expect.stringMatching(/^GET \/outside: error outside the error format/)]);
  });
});
