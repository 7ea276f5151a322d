// The calls module's one query surface: every statement on calls, legs and their callbacks.
// Code outside server/inbound/calls imports from here, never from the files behind it, which
// each hold one kind of statement:
//   calls.ts      a call's row: insert, find, state changes, routing lease hand-off
//   legs.ts       legs and the buyer caps they count against (reservation, usage)
//   callbacks.ts  Twilio status callbacks applied to a call and its legs (idempotent)
//   control.ts    live call control (hangup, transfer) lookups
//   reads.ts      the API's list and detail reads
//   writes.ts     the API's create / update of a call record
export * from './calls.js';
export * from './legs.js';
export * from './callbacks.js';
export * from './control.js';
export * from './reads.js';
export * from './writes.js';
