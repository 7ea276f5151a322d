// A call's state as plain data, and how one Twilio callback changes it (DESIGN.md 4.1). Pure: no
// I/O, no clock, no SQL. The webhook handlers load the state, apply the event, store the result
// and carry out the effects; the database enforces the same merge rules (see the report of
// issue 4 and the comments below) so that two handlers racing on one call agree.
//
// Status and dial callbacks may arrive late, twice or out of order. Every field merges so that
// the arrival order does not matter for a consistent history (one final CallStatus per call, one
// outcome class per <Dial> attempt):
// - status: the higher rank wins (queued < initiated < ringing < in-progress < final); a final
//   status is terminal. A second, *different* final status (e.g. `completed` after `no-answer`)
//   contradicts the first: Twilio's parent-call status is authoritative once final, so the first
//   one is kept and the whole contradicting event (its duration too) is ignored, recorded once
//   in `ignored` and reported once as an `outcome_ignored` effect.
// - durationSec / dialDurationSec: the maximum seen (durations only grow).
// - answeredAt: the earliest timestamp of an `in-progress` callback.
// - a leg's dialStatus: recorded once per attempt; `answered` may become `completed` (both mean
//   connected); busy / no-answer / failed / canceled are terminal. A contradicting outcome for the
//   same attempt is ignored like a contradicting final status.
// - a connected leg dialled again (call control's hold, then resume, dials the same attempt: a new
//   DialCallSid) gets one segment per DialCallSid, each keeping its largest duration; the leg's
//   dialDurationSec is then their sum (the seconds the buyer was connected in all).
// - revenue: set once, never changed or removed, when a connected leg's DialCallDuration (or,
//   for a call without any <Dial> leg, the completed call's CallDuration) reaches
//   policy.minDurationSec; amount = policy.payout.
// Applying an event that changes nothing (a duplicate, a late `ringing`) yields changed = false
// and no effects.
import { formatMoney, parseMoney } from './money.js';
import {
  callStatusRank,
  isAnsweredDialStatus,
  isFailedDialStatus,
  isFinalCallStatus,
  type CallStatus,
  type DialCallStatus,
  type FailedDialStatus,
  type FinalCallStatus,
} from './status.js';

/** One <Dial> attempt. Routing fields come from `addLeg`; the dial fields from callbacks. */
export interface DialLeg {
  /** 1 for the first candidate dialled, 2 for the next, ... */
  attempt: number;
  /** The buyer dialled (buyer routing), or null. */
  buyerId: number | null;
  /** The RTB target dialled (auction winner or runner-up), or null. */
  targetId: number | null;
  destination: string | null;
  dialCallSid: string | null;
  dialStatus: DialCallStatus | null;
  dialDurationSec: number | null;
  /**
   * Present once the connected attempt was dialled again with another DialCallSid (hold, then
   * resume): each segment's seconds by DialCallSid, sorted by sid; dialDurationSec is their sum.
   */
  dialSegments?: DialSegment[];
}

export interface DialSegment {
  sid: string;
  sec: number;
}

/** The most segments one leg keeps (a hold and resume each add one). */
export const MAX_DIAL_SEGMENTS = 100;

/** What made the call billable: a connected <Dial> leg, or the call itself (no leg at all). */
export type QualifiedBy = { kind: 'leg'; attempt: number } | { kind: 'call' };

export interface Revenue {
  /** Exactly four decimals, e.g. "25.5000". */
  amount: string;
  qualifiedBy: QualifiedBy;
}

/** A contradicting outcome that was not applied (attempt null: the parent call's status). */
export interface IgnoredOutcome {
  attempt: number | null;
  status: CallStatus | DialCallStatus;
}

export interface CallState {
  status: CallStatus;
  /** The parent call's CallDuration (seconds); null until a callback carries one. */
  durationSec: number | null;
  /** ISO 8601: the earliest `in-progress` callback's timestamp; null when unknown. */
  answeredAt: string | null;
  /** Sorted by attempt. */
  legs: DialLeg[];
  /** Seconds connected to a buyer / target: see `applyEvent`. Never decreases. */
  connectedDurationSec: number;
  /** Set once; never changed or removed afterwards. */
  revenue: Revenue | null;
  /** Sorted by attempt (call first), then status. */
  ignored: IgnoredOutcome[];
}

/** A status callback (/api/webhooks/call-status): CallStatus, CallDuration, SequenceNumber, Timestamp. */
export interface StatusEvent {
  kind: 'status';
  callStatus: CallStatus;
  /** Seconds, a non-negative integer; anything else is treated as absent. */
  callDuration?: number | null | undefined;
  /** Twilio's SequenceNumber. Kept for the audit only: the merge does not depend on order. */
  sequence?: number | null | undefined;
  /** ISO 8601 or RFC 2822 (Twilio's Timestamp); used for answeredAt on `in-progress`. */
  timestamp?: string | null | undefined;
}

/** A <Dial action> callback (/api/webhooks/dial-status) for one attempt. */
export interface DialEvent {
  kind: 'dial';
  /** Which attempt this is (the handler puts it in the action URL). A positive integer. */
  attempt: number;
  dialCallSid?: string | null | undefined;
  dialCallStatus: DialCallStatus;
  /** Seconds, a non-negative integer; anything else is treated as absent. */
  dialCallDuration?: number | null | undefined;
}

export type CallEvent = StatusEvent | DialEvent;

export interface RevenuePolicy {
  /** Connected seconds needed to qualify (the target's or the campaign's minimum). >= 0. */
  minDurationSec: number;
  /**
   * What a qualified call pays: the winning bid, or the buyer's / campaign's payout, as a
   * non-negative decimal string with at most four decimals ("0" qualifies with "0.0000").
   * null: nobody to pay (e.g. the call only reached the fallback): the call never qualifies.
   */
  payout: string | null;
}

export type Effect =
  /** The parent call reached its final status: release reservations, close the record. */
  | { type: 'call_ended'; status: FinalCallStatus }
  /** This attempt connected: stop trying further candidates. */
  | { type: 'leg_answered'; attempt: number }
  /** This attempt failed: try the next candidate (if the call is still live). */
  | { type: 'leg_failed'; attempt: number; dialStatus: FailedDialStatus }
  /** Count `amount` once for this call. */
  | { type: 'revenue_qualified'; amount: string; qualifiedBy: QualifiedBy }
  /**
   * The call's completion events are due (call_completed, call.completed): added by applyCallEvent
   * (completion.ts), never by applyEvent — once the call is final and no dialled leg awaits its outcome.
   */
  | { type: 'completion_recorded'; status: FinalCallStatus }
  /** A contradicting outcome was ignored (log / audit). */
  | { type: 'outcome_ignored'; attempt: number | null; kept: CallStatus | DialCallStatus; ignored: CallStatus | DialCallStatus };

export interface Transition {
  /** The same object as the input when nothing changed. */
  state: CallState;
  changed: boolean;
  /** Each one happens once per call (per attempt for legs): duplicates produce none. */
  effects: Effect[];
}

/** The routing side of a leg, registered before its <Dial> is answered to Twilio. */
export interface LegInit {
  attempt: number;
  buyerId?: number | null | undefined;
  targetId?: number | null | undefined;
  destination?: string | null | undefined;
}

export function createCallState(init: { status?: CallStatus; legs?: readonly LegInit[] } = {}): CallState {
  let state: CallState = {
    status: init.status ?? 'queued',
    durationSec: null,
    answeredAt: null,
    legs: [],
    connectedDurationSec: 0,
    revenue: null,
    ignored: [],
  };
  for (const leg of init.legs ?? []) state = addLeg(state, leg).state;
  return state;
}

/**
 * Registers a <Dial> attempt's routing fields. Fills fields that are still null (a callback may
 * have created the leg first); a non-null field is never overwritten.
 */
export function addLeg(state: CallState, init: LegInit): { state: CallState; changed: boolean } {
  const attempt = checkAttempt(init.attempt);
  const current = state.legs.find((l) => l.attempt === attempt) ?? emptyLeg(attempt);
  const leg: DialLeg = {
    ...current,
    buyerId: current.buyerId ?? init.buyerId ?? null,
    targetId: current.targetId ?? init.targetId ?? null,
    destination: current.destination ?? init.destination ?? null,
  };
  const next = { ...state, legs: putLeg(state.legs, leg) };
  const changed = !deepEqual(state, next);
  return { state: changed ? next : state, changed };
}

/**
 * Applies one callback. Connected duration: with at least one leg, the longest DialCallDuration
 * of a connected (answered / completed) leg; with no leg at all, the call's CallDuration once it
 * is `completed`. Revenue qualifies once a connected leg's duration (resp. the completed call's
 * duration) is >= policy.minDurationSec, crediting the lowest such attempt.
 *
 * Throws RangeError on a bad policy or attempt (programming errors, not bad input from Twilio:
 * the handler validates the form body first).
 */
export function applyEvent(state: CallState, event: CallEvent, policy: RevenuePolicy): Transition {
  const payout = checkPolicy(policy);
  const effects: Effect[] = [];
  const merged = event.kind === 'status' ? applyStatus(state, event, effects) : applyDial(state, event, effects);
  const next = settle(merged, policy.minDurationSec, payout, effects);
  const changed = !deepEqual(state, next);
  return { state: changed ? next : state, changed, effects };
}

function applyStatus(state: CallState, event: StatusEvent, effects: Effect[]): CallState {
  const incoming = event.callStatus;
  if (isFinalCallStatus(state.status) && isFinalCallStatus(incoming) && incoming !== state.status) {
    return ignore(state, null, state.status, incoming, effects);
  }
  let status = state.status;
  if (callStatusRank(incoming) > callStatusRank(status)) {
    status = incoming;
    if (isFinalCallStatus(incoming)) effects.push({ type: 'call_ended', status: incoming });
  }
  const answeredAt = incoming === 'in-progress' ? earliest(state.answeredAt, isoTime(event.timestamp)) : state.answeredAt;
  return { ...state, status, durationSec: maxOrNull(state.durationSec, seconds(event.callDuration)), answeredAt };
}

function applyDial(state: CallState, event: DialEvent, effects: Effect[]): CallState {
  const attempt = checkAttempt(event.attempt);
  const leg = state.legs.find((l) => l.attempt === attempt) ?? emptyLeg(attempt);
  const incoming = event.dialCallStatus;
  const current = leg.dialStatus;
  const sid = event.dialCallSid || null;
  if (current !== null && isAnsweredDialStatus(current) && sid !== null && leg.dialCallSid !== null && (sid !== leg.dialCallSid || leg.dialSegments !== undefined)) {
    return { ...state, legs: putLeg(state.legs, addSegment(leg, sid, event)) };
  }
  if (current !== null && current !== incoming && !(isAnsweredDialStatus(current) && isAnsweredDialStatus(incoming))) {
    return ignore(state, attempt, current, incoming, effects);
  }
  let dialStatus = current;
  if (current === null) {
    dialStatus = incoming;
    if (isFailedDialStatus(incoming)) effects.push({ type: 'leg_failed', attempt, dialStatus: incoming });
    else effects.push({ type: 'leg_answered', attempt });
  } else if (current === 'answered' && incoming === 'completed') {
    dialStatus = incoming;
  }
  const next: DialLeg = {
    ...leg,
    dialCallSid: leg.dialCallSid ?? (event.dialCallSid || null),
    dialStatus,
    dialDurationSec: maxOrNull(leg.dialDurationSec, seconds(event.dialCallDuration)),
  };
  return { ...state, legs: putLeg(state.legs, next) };
}

/**
 * A connected leg's callback for another (or an already split) DialCallSid: that segment keeps its
 * largest duration (a failed re-dial connects no second), the leg's duration is the sum. Its
 * status stays connected and nothing is reported (it was answered already).
 */
function addSegment(leg: DialLeg, sid: string, event: DialEvent): DialLeg {
  const segments = new Map((leg.dialSegments ?? [{ sid: leg.dialCallSid!, sec: leg.dialDurationSec ?? 0 }]).map((s) => [s.sid, s.sec]));
  if (!segments.has(sid) && segments.size >= MAX_DIAL_SEGMENTS) return leg;
  const connected = isAnsweredDialStatus(event.dialCallStatus) ? (seconds(event.dialCallDuration) ?? 0) : 0;
  segments.set(sid, Math.max(segments.get(sid) ?? 0, connected));
  const list = [...segments].map(([id, sec]) => ({ sid: id, sec })).sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  const total = list.reduce((sum, s) => sum + s.sec, 0);
  const dialStatus = leg.dialStatus === 'answered' && event.dialCallStatus === 'completed' ? 'completed' : leg.dialStatus;
  return { ...leg, dialStatus, dialSegments: list, dialDurationSec: Math.max(leg.dialDurationSec ?? 0, total) };
}

/** Recomputes the connected duration and qualifies revenue (once). */
function settle(state: CallState, minDurationSec: number, payout: string | null, effects: Effect[]): CallState {
  let connected = 0;
  let qualifiedBy: QualifiedBy | null = null;
  if (state.legs.length > 0) {
    for (const leg of state.legs) {
      if (leg.dialStatus === null || !isAnsweredDialStatus(leg.dialStatus)) continue;
      const d = leg.dialDurationSec ?? 0;
      connected = Math.max(connected, d);
      if (qualifiedBy === null && d >= minDurationSec) qualifiedBy = { kind: 'leg', attempt: leg.attempt };
    }
  } else if (state.status === 'completed') {
    connected = state.durationSec ?? 0;
    if (connected >= minDurationSec) qualifiedBy = { kind: 'call' };
  }
  let revenue = state.revenue;
  if (revenue === null && qualifiedBy !== null && payout !== null) {
    revenue = { amount: payout, qualifiedBy };
    effects.push({ type: 'revenue_qualified', amount: payout, qualifiedBy });
  }
  return { ...state, connectedDurationSec: Math.max(state.connectedDurationSec, connected), revenue };
}

function ignore(
  state: CallState,
  attempt: number | null,
  kept: CallStatus | DialCallStatus,
  ignored: CallStatus | DialCallStatus,
  effects: Effect[],
): CallState {
  if (state.ignored.some((i) => i.attempt === attempt && i.status === ignored)) return state;
  effects.push({ type: 'outcome_ignored', attempt, kept, ignored });
  const list = [...state.ignored, { attempt, status: ignored }];
  list.sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0) || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
  return { ...state, ignored: list };
}

function emptyLeg(attempt: number): DialLeg {
  return { attempt, buyerId: null, targetId: null, destination: null, dialCallSid: null, dialStatus: null, dialDurationSec: null };
}

/** A copy of `legs` with `leg` replacing (or inserted in order next to) its attempt. */
function putLeg(legs: readonly DialLeg[], leg: DialLeg): DialLeg[] {
  const out = legs.filter((l) => l.attempt !== leg.attempt);
  out.push(leg);
  out.sort((a, b) => a.attempt - b.attempt);
  return out;
}

function seconds(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function isoTime(text: string | null | undefined): string | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function checkAttempt(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return attempt;
}

/** The payout normalised to four decimals, or null. */
function checkPolicy(policy: RevenuePolicy): string | null {
  if (!Number.isFinite(policy.minDurationSec) || policy.minDurationSec < 0) {
    throw new RangeError(`minDurationSec must be a finite number >= 0, got ${policy.minDurationSec}`);
  }
  if (policy.payout === null) return null;
  const units = parseMoney(policy.payout);
  if (units === null || units < 0n) throw new RangeError(`payout must be a decimal >= 0 with at most 4 decimals, got ${policy.payout}`);
  return formatMoney(units);
}

/** Structural equality of plain data (objects, arrays, primitives). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}
