// Compile-time proof (checked by `npm run typecheck`, not by vitest): handler types come from
// the generated contract, so every line marked @ts-expect-error below must fail to compile.
// If one of them compiled, tsc would report the unused directive and CI would fail.
import type { Handler, HandlerGroup, Handlers } from '../../server/handler-types.js';

const liveness = { status: 'ok' as const, version: '0.1.0', uptimeSeconds: 1 };

export const correct: Handler<'getLiveness'> = async () => ({ status: 200, body: liveness });

// @ts-expect-error a field of the wrong type (version must be a string)
export const wrongFieldType: Handler<'getLiveness'> = async () => ({ status: 200, body: { ...liveness, version: 1 } });

// @ts-expect-error a required field is missing
export const missingField: Handler<'getLiveness'> = async () => ({ status: 200, body: { status: 'ok', version: '0.1.0' } });

// @ts-expect-error a value outside the enum
export const badEnum: Handler<'getLiveness'> = async () => ({ status: 200, body: { ...liveness, status: 'fine' } });

// @ts-expect-error a status the operation does not declare
export const undeclaredStatus: Handler<'getLiveness'> = async () => ({ status: 201, body: liveness });

// @ts-expect-error the body of another status (503 of getReadiness is Readiness, not Liveness)
export const wrongBodyForStatus: Handler<'getReadiness'> = async () => ({ status: 503, body: liveness });

// @ts-expect-error a body on an operation answering 204 No Content
export const bodyOn204: Handler<'deleteCampaign'> = async () => ({ status: 204, body: { deleted: true } });

// @ts-expect-error a campaign without its rtbId
export const campaignWithoutRtbId: Handler<'getCampaign'> = async () => ({
  status: 200,
  body: {
    id: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    name: 'x',
    description: null,
    phoneNumber: null,
    routingType: 'priority',
    status: 'active',
    direction: 'inbound',
    enableRtb: false,
    minBiddersRequired: 1,
    biddingTimeoutMs: 3000,
    callerIdRequired: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  },
});

// The request body type is the contract's too: reading a field the contract lacks does not compile.
export const readsUnknownField: Handler<'createCampaign'> = async (ctx) => {
  // @ts-expect-error CampaignCreate has no orgId
  void ctx.body.orgId;
  throw new Error('never called');
};

// A handler table missing an operation does not compile.
// @ts-expect-error getReadiness is missing
export const incomplete: HandlerGroup<'getLiveness' | 'getReadiness'> = { getLiveness: correct };

// And the full table must name every operation of openapi.yaml.
// @ts-expect-error an empty object is not a complete Handlers table
export const noHandlers: Handlers = {};

// An operation answering JSON, CSV or a PDF: bytes or text are fine, a JSON body is still checked.
export const reportAsPdf: Handler<'generateReport'> = async () => ({ status: 200, body: new Uint8Array([0x25, 0x50, 0x44, 0x46]) });
export const reportAsCsv: Handler<'generateReport'> = async () => ({ status: 200, body: 'Agent,Calls\r\n' });
// @ts-expect-error a JSON report without its rows and totals
export const reportWithoutRows: Handler<'generateReport'> = async () => ({ status: 200, body: { reportType: 'call_outcomes', title: 'x' } });
