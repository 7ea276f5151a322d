// Work that outlives the request that started it (e.g. a simulated call playing its ringing and
// talk time after the answer). `close()` (the app's onClose) aborts what is still running and
// waits for it to stop; a failure is logged, never thrown at anyone.
import type { FastifyBaseLogger } from 'fastify';

export interface Background {
  /** Start `work`; it should stop soon after `signal` aborts. */
  run(what: string, log: FastifyBaseLogger, work: (signal: AbortSignal) => Promise<void>): void;
  /** How many are running. */
  size(): number;
  close(): Promise<void>;
}

export function createBackground(): Background {
  const running = new Map<Promise<void>, AbortController>();
  let closed = false;
  return {
    run(what, log, work) {
      const controller = new AbortController();
      if (closed) controller.abort();
      const task: Promise<void> = work(controller.signal)
        .catch((err: unknown) => {
          if (controller.signal.aborted) log.info({ what }, 'background work stopped: the server is closing');
          else log.warn({ err, what }, 'background work failed');
        })
        .finally(() => running.delete(task));
      running.set(task, controller);
    },
    size: () => running.size,
    async close() {
      closed = true;
      for (const controller of running.values()) controller.abort();
      await Promise.allSettled([...running.keys()]);
    },
  };
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
