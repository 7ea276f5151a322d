// Seed 003's `analytics_update`: after calls end, today's figures of the organisation (UTC day) —
// calls and calls a person answered — sent to its room, at most once a second per organisation and
// instance (a burst of ended calls makes one update, read after the burst).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { LiveEvent } from '../platform/live/publish.js';
import { orgRoom } from '../platform/live/rooms.js';

export const ANALYTICS_DEBOUNCE_MS = 1000;

export interface TodayFigures {
  callsToday: number;
  answeredCallsToday: number;
}

export async function todayFigures(db: Kysely<DB>, orgId: string, now: Date): Promise<TodayFigures> {
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const row = await db
    .selectFrom('calls')
    .select([
      (eb) => eb.fn.countAll<string>().as('calls'),
      sql<string>`count(*) FILTER (WHERE disposition = 'answered' OR (direction = 'inbound' AND status = 'completed'))`.as('answered'),
    ])
    .where('org_id', '=', orgId)
    .where('created_at', '>=', dayStart)
    .executeTakeFirstOrThrow();
  return { callsToday: Number(row.calls), answeredCallsToday: Number(row.answered) };
}

export class LiveAnalytics {
  readonly #pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly publish: (event: LiveEvent) => void,
    private readonly log: { warn: (obj: object, msg: string) => void },
  ) {}

  /** A call of the organisation ended: its figures are sent within a second. */
  noteCallEnded(orgId: string): void {
    if (this.#pending.has(orgId)) return;
    const timer = setTimeout(() => {
      this.#pending.delete(orgId);
      todayFigures(this.db, orgId, new Date()).then(
        (figures) => {
          for (const metric of ['callsToday', 'answeredCallsToday'] as const) {
            this.publish({ name: 'analytics_update', orgId, rooms: [orgRoom(orgId)], payload: { metric, value: figures[metric], period: 'today' } });
          }
        },
        (err: unknown) => this.log.warn({ err, orgId }, 'analytics_update not computed'),
      );
    }, ANALYTICS_DEBOUNCE_MS);
    timer.unref();
    this.#pending.set(orgId, timer);
  }

  close(): void {
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}
