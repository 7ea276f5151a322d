// The voice-webhook benchmark's rounds (scripts/bench/webhook-rounds.ts): each round starts one
// scenario further along; a scenario's rounds join into one row (latencies pooled, CPU summed,
// calls per second the median), and its share of (a) is taken round against round.
import { describe, expect, it } from 'vitest';
import type { CpuUse } from '../../scripts/bench/cpu-accounting.js';
import { median } from '../../scripts/bench/load.js';
import { joinRounds, type Measurement, roundOrder, shareOf } from '../../scripts/bench/webhook-rounds.js';

const cpu = (server: number): CpuUse => ({ server, postgres: 2 * server, loadGenerator: 1, bidders: 0, machine: 10, wallMs: 100 });
const stats = (campaignsKb: number) => ({ rows: [{ sql: 'select 1', count: 10, ms: 2 }], meanWaitingForConnection: 0, cpuMs: 5, backendPids: [1], campaignsKb });

function measurement(scenario: Measurement['scenario'], calls: number, elapsedMs: number, latencies: number[], extra: Partial<Measurement> = {}): Measurement {
  return { scenario, inFlight: 50, calls, failures: 0, reasons: new Map(), latencies, elapsedMs, stats: stats(8), cpu: cpu(1), ...extra };
}

describe('benchmark rounds', () => {
  it('turns the order by one each round, so every scenario runs first once', () => {
    const runs = ['ceiling', 'priority', 'locked', 'hot'];
    expect([0, 1, 2, 3, 4].map((round) => roundOrder(runs, round)[0])).toEqual(['ceiling', 'priority', 'locked', 'hot', 'ceiling']);
    expect(roundOrder(runs, 2)).toEqual(['locked', 'hot', 'ceiling', 'priority']);
    expect(roundOrder([], 3)).toEqual([]);
  });

  it('takes the median (the middle value, or the mean of the middle two)', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('joins a scenario rounds into one row and keeps scenarios apart, in first-seen order', () => {
    const reasons = new Map([['HTTP 500', { count: 2, sample: 'first' }]]);
    const rows = joinRounds([
      measurement('priority', 100, 1000, [1, 2, 3], { failures: 2, reasons }),
      measurement('locked', 100, 2000, [5, 6]),
      measurement('priority', 100, 500, [4, 10], { failures: 1, reasons: new Map([['HTTP 500', { count: 1, sample: 'second' }]]) }),
      measurement('priority', 100, 250, [0.5]),
    ]);
    expect(rows.map((r) => r.scenario)).toEqual(['priority', 'locked']);
    const [priority] = rows;
    expect(priority!.calls).toBe(300);
    expect(priority!.failures).toBe(3);
    expect(priority!.reasons.get('HTTP 500')).toEqual({ count: 3, sample: 'first' });
    expect(priority!.roundsPerSecond).toEqual([100, 200, 400]);
    expect(priority!.perSecond).toBe(200);
    expect(priority!.max).toBe(10);
    expect(priority!.p50).toBe(2); // pooled: 0.5 1 2 3 4 10, the third of six
    expect(priority!.cpu.server).toBe(3);
    expect(priority!.cpu.postgres).toBe(6);
    expect(priority!.stats.rows).toEqual([{ sql: 'select 1', count: 30, ms: 6 }]);
  });

  it('joins the bidders lateness: answers summed, median p50, worst p99 and max', () => {
    const [row] = joinRounds([
      measurement('rtb', 10, 100, [60], { bidderLateness: { answers: 20, p50: 1, p99: 3, max: 4 } }),
      measurement('rtb', 10, 100, [61], { bidderLateness: { answers: 20, p50: 2, p99: 5, max: 9 } }),
      measurement('rtb', 10, 100, [62], { bidderLateness: { answers: 20, p50: 3, p99: 4, max: 5 } }),
    ]);
    expect(row!.bidderLateness).toEqual({ answers: 60, p50: 2, p99: 5, max: 9 });
  });

  it('takes a share round against round, not as a ratio of medians', () => {
    const unlimited = { perSecond: 1000, roundsPerSecond: [500, 1000, 1500] };
    const limited = { perSecond: 900, roundsPerSecond: [450, 900, 1500] };
    expect(shareOf(limited, unlimited)).toBeCloseTo(0.9); // 0.9, 0.9, 1.0
    expect(shareOf({ perSecond: 450 }, { perSecond: 900 })).toBe(0.5); // one round each
  });
});
