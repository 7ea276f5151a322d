// What routing reads on every call and rarely changes — the dialled number's campaign and flow,
// the campaign's buyers with their assignments, an RTB campaign's targets and router, the current
// version of the number's AI agent — kept in memory for a short time, so that a plain call costs
// one SQL statement. Usage (open calls, caps) is never cached: limited buyers are
// always counted in the database, under a row lock when reserved.
//
// Staleness: any successful change made through this server's API empties the cache at once
// (routes.ts); another instance's changes reach this one's routing within `ttlMs` (1 s) — a
// call_started pixel or a call.started webhook endpoint created on another instance may miss the
// calls of that second. An entry past half its life is reloaded in the background by the call that
// finds it (refresh-ahead), so steady traffic never waits for a reload; a value is never served
// later than `ttlMs` after its load started.
import type { Db } from '../../../db/types.js';
import { buyerEntries, type BuyerEntry } from './candidate-queries.js';
import { hasActivePixels } from '../../attribution/pixels/queries.js';
import { findDialledNumber, findPoolNumber, type DialledNumber } from './lookup.js';
import { listenedTypes } from '../../platform/events/listeners.js';
import type { AgentVersion } from '../../ai/agents/settings.js';
import { currentAgentVersion } from '../../ai/agents/versions.js';
import { type AuctionConfig, loadAuctionConfig } from '../../rtb/auctions/run-campaign-auction.js';

export interface RouteConfig {
  found: DialledNumber | undefined;
  /** The campaign's buyers (usage not counted), when the campaign routes to buyers at all. */
  buyers: BuyerEntry[] | undefined;
  /** The organisation has an active pixel firing on call_started (else queueing is skipped). */
  startPixels: boolean;
  /** Somebody of the organisation listens to call.started (else raising it is skipped). */
  startEvents: boolean;
  /** The current version of the AI agent that answers the number (undefined: none, or archived). */
  aiAgent: AgentVersion | undefined;
  /** An active RTB campaign's assigned targets and router (no flow: a flow's routing reads them itself). */
  auction: AuctionConfig | undefined;
}

export interface RouteCache {
  load(db: Db, to: string, poolId: number | null | undefined, now: Date): Promise<RouteConfig>;
  /** Forget everything (configuration changed). */
  clear(): void;
}

export const ROUTE_CACHE_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

type LoadRouteConfig = (db: Db, to: string, poolId: number | null | undefined, now: Date) => Promise<RouteConfig>;

export interface RouteCacheOptions {
  /** The clock (ms), for tests. */
  clock?: () => number;
  /** Reads one number's configuration, for tests. */
  load?: LoadRouteConfig;
}

interface Entry {
  value: Promise<RouteConfig>;
  /** When the load of `value` started: it is served until startedAt + ttlMs. */
  startedAt: number;
  generation: number;
  /** A background reload is running. */
  refreshing: boolean;
  /** `value` has resolved (only a settled value is refreshed ahead). */
  settled: boolean;
}

export function createRouteCache(ttlMs = ROUTE_CACHE_TTL_MS, options: RouteCacheOptions = {}): RouteCache {
  const clock = options.clock ?? Date.now;
  const loadConfig = options.load ?? loadRouteConfig;
  const entries = new Map<string, Entry>();
  let generation = 0;
  const start = (key: string, db: Db, to: string, poolId: number | null | undefined, now: Date): Entry => {
    const entry: Entry = { value: loadConfig(db, to, poolId, now), startedAt: clock(), generation, refreshing: false, settled: false };
    entry.value.then(
      () => {
        entry.settled = true;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry;
  };
  const put = (key: string, entry: Entry): void => {
    if (!entries.has(key) && entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(key, entry);
  };
  /** Reload in the background; the fresh entry replaces this one once it has loaded. */
  const refresh = (key: string, stale: Entry, db: Db, to: string, poolId: number | null | undefined, now: Date): void => {
    stale.refreshing = true;
    const fresh = start(key, db, to, poolId, now);
    fresh.value.then(
      () => {
        if (entries.get(key) === stale && fresh.generation === generation) put(key, fresh);
      },
      () => {
        stale.refreshing = false; // the stale entry expires as usual; a later call may try again
      },
    );
  };
  return {
    async load(db, to, poolId, now) {
      const key = poolId === undefined ? to : `${poolId ?? 'none'}:${to}`;
      const at = clock();
      const hit = entries.get(key);
      if (hit && hit.generation === generation && at < hit.startedAt + ttlMs) {
        if (hit.settled && !hit.refreshing && at >= hit.startedAt + ttlMs / 2) refresh(key, hit, db, to, poolId, now);
        return hit.value;
      }
      const entry = start(key, db, to, poolId, now);
      put(key, entry);
      return entry.value;
    },
    clear() {
      generation += 1;
      entries.clear();
    },
  };
}

async function loadRouteConfig(db: Db, to: string, poolId: number | null | undefined, now: Date): Promise<RouteConfig> {
  const found = poolId === undefined ? await findDialledNumber(db, to) : poolId === null ? undefined : await findPoolNumber(db, poolId, to);
  const campaign = found?.campaign;
  const routesToBuyers = campaign !== undefined && campaign.status === 'active' && found?.flow === undefined;
  // Usage is counted per call (route-call.ts); here every buyer's usage is left at zero.
  const buyers = routesToBuyers ? await buyerEntries(db, campaign.org_id, campaign.id, now, { countUsage: false }) : undefined;
  const startPixels = found ? await hasActivePixels(db, found.orgId, 'call_started') : false;
  const startEvents = found ? (await listenedTypes(db, found.orgId, ['call.started'])).length > 0 : false;
  const aiAgent = found?.aiAgentId ? await currentAgentVersion(db, found.orgId, found.aiAgentId) : undefined;
  const auction = routesToBuyers && campaign.enable_rtb ? await loadAuctionConfig(db, campaign) : undefined;
  return { found, buyers, startPixels, startEvents, aiAgent, auction };
}
