// A background job run every `intervalMs`, one pass at a time (a tick that finds a pass still
// running is skipped). The returned stop function stops the ticks and waits for the pass in flight;
// `pass` is given a function telling it to stop early.
export function startPeriodic(pass: (stopping: () => boolean) => Promise<void>, intervalMs: number, onError: (err: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running) return;
    running = pass(() => stopped)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

/** Runs `batch` again while it handles a full `size` and `stopping()` says nothing; returns how many it handled in all. */
export async function drainBatches(batch: () => Promise<number>, size: number, stopping: () => boolean): Promise<number> {
  let total = 0;
  let handled: number;
  do {
    handled = await batch();
    total += handled;
  } while (handled === size && !stopping());
  return total;
}
