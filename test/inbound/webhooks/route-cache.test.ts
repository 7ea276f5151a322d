// The route cache's lifetime rules (no database: the loader is counted and answers what it is told).
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../db/types.js';
import { createRouteCache, type RouteConfig } from '../../../server/inbound/webhooks/route-cache.js';

const db = {} as Db;

function config(label: number): RouteConfig {
  // Only identity matters here: `startPixels` carries which load produced the value.
  return { found: undefined, buyers: undefined, startPixels: label % 2 === 1, startEvents: false, aiAgent: undefined, auction: { assigned: [], router: null } as never };
}

function harness() {
  let time = 0;
  const loads: Array<{ to: string; resolve: (c: RouteConfig) => void; reject: (e: Error) => void }> = [];
  const cache = createRouteCache(1000, {
    clock: () => time,
    load: (_db, to) =>
      new Promise<RouteConfig>((resolve, reject) => {
        loads.push({ to, resolve, reject });
      }),
  });
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    cache,
    loads,
    at: (ms: number) => {
      time = ms;
    },
    tick,
    get: (to = '+15550001111') => cache.load(db, to, undefined, new Date(time)),
  };
}

/** A harness whose first load (at time 0) has finished with config(1). */
async function loadedOnce() {
  const h = harness();
  const first = h.get();
  h.loads[0]!.resolve(config(1));
  await expect(first).resolves.toMatchObject({ startPixels: true });
  return h;
}

describe('route cache', () => {
  it('serves one load to every call within the first half of its life', async () => {
    const h = await loadedOnce();
    h.at(499);
    await h.get();
    expect(h.loads).toHaveLength(1);
  });

  it('reloads in the background past half its life and switches to the new value once loaded', async () => {
    const h = await loadedOnce();
    h.at(600);
    // The caller past half-life gets the old value at once; a reload starts.
    await expect(h.get()).resolves.toMatchObject({ startPixels: true });
    expect(h.loads).toHaveLength(2);
    // A second caller while the reload runs starts no other.
    await expect(h.get()).resolves.toMatchObject({ startPixels: true });
    expect(h.loads).toHaveLength(2);
    h.loads[1]!.resolve(config(2));
    await h.tick();
    h.at(1050); // the first value has expired; the reload (started at 600) is served
    await expect(h.get()).resolves.toMatchObject({ startPixels: false });
    expect(h.loads).toHaveLength(2);
  });

  it('never serves a value later than the TTL after its load started', async () => {
    const h = await loadedOnce();
    h.at(600);
    await h.get(); // starts a reload that does not finish in time
    h.at(1000);
    const late = h.get();
    expect(h.loads).toHaveLength(3); // expired: this call loads for itself
    h.loads[2]!.resolve(config(4));
    await expect(late).resolves.toMatchObject({ startPixels: false });
    // The slow reload finishing later does not replace the newer entry.
    h.loads[1]!.resolve(config(3));
    await h.tick();
    h.at(1100);
    await expect(h.get()).resolves.toMatchObject({ startPixels: false });
    expect(h.loads).toHaveLength(3);
  });

  it('a failed background reload keeps the old value until it expires, then loads again', async () => {
    const h = await loadedOnce();
    h.at(700);
    await h.get();
    h.loads[1]!.reject(new Error('connection lost'));
    await h.tick();
    h.at(800); // past half-life still: the failed reload may be retried
    await expect(h.get()).resolves.toMatchObject({ startPixels: true });
    expect(h.loads).toHaveLength(3);
  });

  it('clear() drops every entry, and a reload started before it is not installed', async () => {
    const h = await loadedOnce();
    h.at(600);
    await h.get(); // reload 2 starts
    h.cache.clear();
    const after = h.get(); // load 3
    expect(h.loads).toHaveLength(3);
    h.loads[1]!.resolve(config(1)); // the old generation's reload finishes
    h.loads[2]!.resolve(config(2));
    await expect(after).resolves.toMatchObject({ startPixels: false });
    await h.tick();
    await expect(h.get()).resolves.toMatchObject({ startPixels: false });
    expect(h.loads).toHaveLength(3);
  });

  it('keeps numbers apart', async () => {
    const h = harness();
    const a = h.get('+15550001111');
    const b = h.get('+15550002222');
    expect(h.loads.map((l) => l.to)).toEqual(['+15550001111', '+15550002222']);
    h.loads[0]!.resolve(config(1));
    h.loads[1]!.resolve(config(2));
    await expect(a).resolves.toMatchObject({ startPixels: true });
    await expect(b).resolves.toMatchObject({ startPixels: false });
  });
});
