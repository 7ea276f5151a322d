// One table-driven test over the JSON adapter cases (prebid-server style).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBidRequest, parseBidResponse } from '../../../server/rtb/engine/adapter.js';
import type { CallContext, RawAnswer, RtbTargetConfig } from '../../../server/rtb/engine/types.js';

interface RequestExpect {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  headersExact?: Record<string, string>;
  headersAbsent?: string[];
  body?: string | null;
  bodyJson?: unknown;
  formBody?: Record<string, string>;
  bodyContains?: string[];
  bodyNotContains?: string[];
  auditBody?: string;
  auditContains?: string[];
  auditNotContains?: string[];
  auditMaxBytes?: number;
}
interface Case {
  name: string;
  kind: 'request' | 'response';
  target?: Partial<RtbTargetConfig>;
  context?: Partial<Omit<CallContext, 'callStartTime'>> & { callStartTime?: string };
  answer?: Partial<RawAnswer>;
  expect: RequestExpect & Record<string, unknown>;
}
interface Fixture {
  defaults: { now: string; target: RtbTargetConfig; context: Omit<CallContext, 'callStartTime'> & { callStartTime: string } };
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/rtb/adapter-cases.json', import.meta.url), 'utf8')) as Fixture;

describe('bid adapter (fixtures/rtb/adapter-cases.json)', () => {
  it('has cases for both directions', () => {
    expect(fixture.cases.filter((c) => c.kind === 'request').length).toBeGreaterThanOrEqual(15);
    expect(fixture.cases.filter((c) => c.kind === 'response').length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixture.cases.map((c) => [`${c.kind}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const target: RtbTargetConfig = { ...fixture.defaults.target, ...c.target };
    if (c.kind === 'response') {
      const answer: RawAnswer = {
        targetId: target.id,
        ok: true,
        status: 200,
        body: null,
        errorKind: null,
        responseTimeMs: 10,
        late: false,
        ...c.answer,
      };
      const parsed = parseBidResponse(target, answer);
      expect(parsed).toMatchObject(c.expect);
      // Invariant: valid exactly when there is no rejection reason.
      expect(parsed.valid).toBe(parsed.rejectionReason === null);
      return;
    }

    const ctx = { ...fixture.defaults.context, ...c.context };
    const context: CallContext = { ...ctx, callStartTime: new Date(ctx.callStartTime) };
    const req = buildBidRequest(target, context, new Date(fixture.defaults.now));
    const e = c.expect;
    if (e.url !== undefined) expect(req.url).toBe(e.url);
    if (e.method !== undefined) expect(req.method).toBe(e.method);
    if (e.headers !== undefined) expect(req.headers).toMatchObject(e.headers);
    if (e.headersExact !== undefined) expect(req.headers).toEqual(e.headersExact);
    for (const h of e.headersAbsent ?? []) expect(Object.keys(req.headers)).not.toContain(h);
    if (e.body !== undefined) expect(req.body ?? null).toBe(e.body);
    if (e.bodyJson !== undefined) expect(JSON.parse(req.body ?? 'null')).toEqual(e.bodyJson);
    if (e.formBody !== undefined) expect(Object.fromEntries(new URLSearchParams(req.body ?? ''))).toEqual(e.formBody);
    for (const s of e.bodyContains ?? []) expect(req.body).toContain(s);
    for (const s of e.bodyNotContains ?? []) expect(req.body).not.toContain(s);
    if (e.auditBody !== undefined) expect(req.auditBody).toBe(e.auditBody);
    for (const s of e.auditContains ?? []) expect(req.auditBody).toContain(s);
    for (const s of e.auditNotContains ?? []) expect(req.auditBody).not.toContain(s);
    if (e.auditMaxBytes !== undefined) expect(Buffer.byteLength(req.auditBody ?? '')).toBeLessThanOrEqual(e.auditMaxBytes);
    // Invariant for every request case: the secret never reaches the audit body, and header
    // values never carry line breaks.
    if (target.authToken && target.authMethod !== 'none') expect(req.auditBody ?? '').not.toContain(target.authToken);
    for (const v of Object.values(req.headers)) expect(v).not.toMatch(/[\r\n]/);
  });
});
