// CPU accounting for the benchmarks (Linux /proc, clock ticks of 10 ms): who burnt the CPU
// during a measured run — the server process, its PostgreSQL backends, the load generator, the
// stub bidders and everything else on the machine. NaN where /proc is not available.
import { readFileSync } from 'node:fs';

/** CPU time of the measured run, ms (Linux /proc; NaN elsewhere). */
export interface CpuUse {
  server: number;
  postgres: number;
  loadGenerator: number;
  bidders: number;
  /** Every process on the machine (busy time of all CPUs). */
  machine: number;
  wallMs: number;
}

export const TICK_MS = 10;

export function procTicks(pid: number | string): { comm: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

/** CPU of the server's own backends, per pid (a pid that is not a local postgres process is skipped). */
export function postgresTicks(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const p = procTicks(pid);
    if (p?.comm === 'postgres') ticks.set(pid, p.ticks);
  }
  return ticks;
}

/**
 * The backends' CPU between two marks: per backend alive at both. One that exited meanwhile (the
 * pool closed an idle connection) took its last ticks with it; counting it as 0 (not as minus
 * what it had) keeps the figure a lower bound instead of going negative.
 */
function postgresDelta(start: ReadonlyMap<number, number>, end: ReadonlyMap<number, number>): number {
  let ticks = 0;
  for (const [pid, before] of start) {
    const after = end.get(pid);
    if (after !== undefined && after >= before) ticks += after - before;
  }
  return ticks;
}

export function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all − idle − iowait
  return fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!;
}

export interface CpuMark {
  postgres: Map<number, number>;
  bidders: number;
  machine: number;
  loadGenerator: NodeJS.CpuUsage;
  t: number;
}

export function cpuMark(biddersPid: number | undefined, backendPids: readonly number[]): CpuMark | undefined {
  if (process.platform !== 'linux') return undefined;
  return {
    postgres: postgresTicks(backendPids),
    bidders: biddersPid ? (procTicks(biddersPid)?.ticks ?? 0) : 0,
    machine: machineBusyTicks(),
    loadGenerator: process.cpuUsage(),
    t: performance.now(),
  };
}

export function cpuSince(mark: CpuMark | undefined, biddersPid: number | undefined, backendPids: readonly number[], serverMs: number): CpuUse {
  const end = cpuMark(biddersPid, backendPids);
  if (!mark || !end) return { server: serverMs, postgres: NaN, loadGenerator: NaN, bidders: NaN, machine: NaN, wallMs: NaN };
  const gen = process.cpuUsage(mark.loadGenerator);
  return {
    server: serverMs,
    postgres: postgresDelta(mark.postgres, end.postgres) * TICK_MS,
    loadGenerator: (gen.user + gen.system) / 1000,
    bidders: (end.bidders - mark.bidders) * TICK_MS,
    machine: (end.machine - mark.machine) * TICK_MS,
    wallMs: end.t - mark.t,
  };
}

/** Several runs' CPU use added up (each field summed). */
export function sumCpu(all: readonly CpuUse[]): CpuUse {
  const total = (k: keyof CpuUse) => all.reduce((acc, c) => acc + c[k], 0);
  return { server: total('server'), postgres: total('postgres'), loadGenerator: total('loadGenerator'), bidders: total('bidders'), machine: total('machine'), wallMs: total('wallMs') };
}
