// Shared load generation of the benchmarks: one keep-alive undici Pool, N requests with K in
// flight, every answer checked (failures counted with a sample, never dropped), latencies
// recorded; percentile math; the helpers that fork / stop a benchmark child process; dropping a benchmark's schema.
import { type ChildProcess, fork } from 'node:child_process';
import pg from 'pg';
import type { Dispatcher, Pool } from 'undici';

export interface LoadRequest {
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string;
}

/** null when the answer is right, else the reason it is not. */
export type Check = (status: number, body: string) => string | null;

export interface LoadResult {
  /** Sorted ascending, ms. */
  latencies: number[];
  elapsed: number;
  failures: number;
  reasons: Map<string, { count: number; sample: string }>;
}

/** Sends requests[0..] over `pool`, keeping `inFlight` of them outstanding. */
export async function runLoad(pool: Pool, requests: LoadRequest[], inFlight: number, check: Check): Promise<LoadResult> {
  const latencies: number[] = [];
  const reasons = new Map<string, { count: number; sample: string }>();
  let failures = 0;
  const fail = (reason: string, sample: string) => {
    failures++;
    const r = reasons.get(reason) ?? { count: 0, sample: sample.slice(0, 300) };
    r.count++;
    reasons.set(reason, r);
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const t0 = performance.now();
        try {
          const answer = await pool.request(request);
          const text = await answer.body.text();
          latencies.push(performance.now() - t0);
          const problem = check(answer.statusCode, text);
          if (problem) fail(problem, text);
        } catch (err) {
          latencies.push(performance.now() - t0);
          fail(`error: ${(err as Error).message}`, String(err));
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { latencies, elapsed, failures, reasons };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Child processes (the server under test, stub bidders): forked with tsx, IPC for messages.

export function forkTsChild(file: string, argv: string[], execArgv: string[] = []): ChildProcess {
  return fork(file, argv, { execArgv: ['--import', 'tsx', ...execArgv], stdio: 'inherit' });
}

export function firstMessage<T>(child: ChildProcess, what: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}`));
    };
    child.once('exit', onExit);
    child.once('message', (m) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    // The server closes the app and its pool on disconnect (or SIGTERM), then exits.
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}

/** A fresh, empty schema for a benchmark (dropped first if a crashed run left it). */
export async function createBenchSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
}

/** Drops a benchmark's schema (and everything in it); a failure is reported, never thrown. */
export async function dropBenchSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (err) {
    console.error(`could not drop schema ${schema}: ${String(err)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * In a forked server: close everything (in order) and exit when the parent disconnects or on
 * SIGTERM; exit 1 if closing takes more than 10 s.
 */
export function closeOnDisconnect(closers: ReadonlyArray<() => Promise<unknown>>): void {
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    try {
      for (const close of closers) await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('disconnect', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
