// Target health: a probe sends the bid request a target's settings build (flagged as a health
// check in its requestId) and counts a 2xx within the target's timeout as healthy. Results are
// stored for uptime and feed the circuit breaker (as a failure only what a live answer's would
// be: timeout, connection error, 5xx). Runs on demand and on an interval.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { components } from '../../../client/schema.js';
import type { DB, RtbTargetRow } from '../../../db/types.js';
import { buildBidRequest, errorReason } from '../engine/adapter.js';
import { isBreakerFailure } from '../engine/circuit-breaker.js';
import { toTargetConfig } from '../targets/engine-config.js';
import { insertHealthChecks, latestHealthChecks, listActiveTargets } from './queries.js';
import type { RtbRuntime } from './runtime.js';

type HealthResult = components['schemas']['RtbHealthResult'];

async function probe(rtb: RtbRuntime, row: RtbTargetRow): Promise<HealthResult> {
  const target = toTargetConfig(row, { priority: 1, isActive: true });
  const context = {
    requestId: `health_${randomBytes(8).toString('hex')}`,
    campaignId: 'health-check',
    callerId: null,
    callerState: null,
    callerZip: null,
    callStartTime: new Date(),
  };
  const request = buildBidRequest(target, context, new Date());
  const controller = new AbortController();
  const started = Date.now();
  const answer = await rtb.probeLimit(() => rtb.send(request, { timeoutMs: target.timeoutMs, signal: controller.signal }));
  const healthy = answer.ok && answer.status !== null && answer.status >= 200 && answer.status < 300;
  // A failure after the status line (too large, cut by the timeout) is that failure, not `HTTP 200`.
  const error = healthy ? null : (answer.errorKind ?? (answer.status !== null ? `HTTP ${answer.status}` : 'error'));
  // The breaker judges a probe as it judges a live answer (timeout, connection error, 5xx): a
  // target that refuses a probe (4xx: it carries no caller) is up, and its auctions go on.
  const reason = answer.errorKind !== null ? errorReason(answer.errorKind) : healthy ? null : `http_${answer.status ?? 'unknown'}`;
  rtb.breaker.record(target.id, !isBreakerFailure({ rejectionReason: reason, httpStatus: answer.status }), Date.now());
  return {
    targetId: row.id,
    targetName: row.name,
    endpointUrl: row.endpoint_url,
    healthy,
    responseTime: Math.round(answer.responseTimeMs ?? Date.now() - started),
    error,
    lastChecked: new Date().toISOString(),
  };
}

/** Probe the active targets of one organisation (or of all, for the background probe) and store the results. */
export async function probeTargets(db: Kysely<DB>, rtb: RtbRuntime, orgId: string | null): Promise<HealthResult[]> {
  const rows = await listActiveTargets(db, orgId);
  const results = await Promise.all(rows.map((row) => probe(rtb, row)));
  const stored = await insertHealthChecks(
    db,
    results.map((r, i) => ({
      org_id: rows[i]!.org_id,
      target_id: r.targetId,
      healthy: r.healthy,
      response_time_ms: r.responseTime,
      error: r.error,
      checked_at: r.lastChecked,
    })),
  );
  // A target deleted while it was probed is no longer reported.
  return results.filter((r) => stored.has(r.targetId));
}

/** What the last probes stored for the organisation's active targets (nothing is sent). */
export async function storedHealthResults(db: Kysely<DB>, orgId: string): Promise<HealthResult[]> {
  const rows = await latestHealthChecks(db, orgId);
  return rows.map((r) => ({
    targetId: r.target_id,
    targetName: r.name,
    endpointUrl: r.endpoint_url,
    healthy: r.healthy,
    responseTime: r.response_time_ms,
    error: r.error,
    lastChecked: r.checked_at.toISOString(),
  }));
}

export function healthReport(results: HealthResult[]): components['schemas']['RtbHealthReport'] {
  const healthy = results.filter((r) => r.healthy).length;
  return {
    success: true,
    timestamp: new Date().toISOString(),
    totalTargets: results.length,
    healthyTargets: healthy,
    unhealthyTargets: results.length - healthy,
    results,
  };
}

/** The background probe; returns a stop function. One round at a time, errors logged. */
export function startHealthProbe(db: Kysely<DB>, rtb: RtbRuntime, intervalSeconds: number, log: FastifyBaseLogger): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = probeTargets(db, rtb, null)
      .catch((err: unknown) => log.warn({ err }, 'RTB health probe failed'))
      .finally(() => {
        running = null;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
