// The calls module's one query surface: every statement on calls, legs and their callbacks.
// Code outside server/inbound/calls imports from here, never from the files behind it, which
// each hold one kind of statement:
//   calls.ts       a call's row: insert, find, state changes, routing lease hand-off
//   legs.ts        legs and the buyer caps they count against (reservation, usage)
//   callbacks.ts   Twilio status callbacks applied to a call and its legs (idempotent)
//   control.ts     live call control (hangup, transfer) lookups
//   conditions.ts  the scope and filters of the API's reads, as one WHERE
//   reads.ts       the API's list and detail reads
//   stats.ts       the API's call statistics (summary, by disposition)
//   writes.ts      the API's create / update of a call record
//   usage-counters.ts  limited owners' usage for the pre-checks (their counters, else a count)
export * from './calls.js';
export * from './legs.js';
export * from './callbacks.js';
export * from './control.js';
export * from './reads.js';
export * from './stats.js';
export * from './writes.js';
export * from './usage-counters.js';
