// The periodic passes' helpers (server/platform/common/periodic.ts): one pass at a time, stopped
// cleanly; a pass draining its work batch by batch.
import { describe, expect, it } from 'vitest';
import { drainBatches, startPeriodic } from '../../../server/platform/common/periodic.js';

describe('drainBatches', () => {
  it('runs again while a batch is full, and adds up what was handled', async () => {
    const sizes = [10, 10, 3, 10];
    let calls = 0;
    const total = await drainBatches(async () => sizes[calls++]!, 10, () => false);
    expect([total, calls]).toEqual([23, 3]);
  });

  it('stops after the batch in hand when told to', async () => {
    let calls = 0;
    const total = await drainBatches(async () => (calls++, 10), 10, () => calls >= 2);
    expect([total, calls]).toEqual([20, 2]);
  });
});

describe('startPeriodic', () => {
  it('never runs two passes at once, and stop() waits for the pass in flight', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    const stop = startPeriodic(
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        passes += 1;
      },
      5,
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await stop();
    expect(most).toBe(1);
    expect(running).toBe(0);
    expect(passes).toBeGreaterThanOrEqual(2);
  });
});
