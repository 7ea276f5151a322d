// The simulator's calls, in the database (servers are stateless, DESIGN.md): a call is known to
// the simulated carrier when it reached our voice webhook — its `calls` row (not a manual record)
// says whether it is still live and which buyer its open <Dial> leg rings — and what call control
// changed on it since (hold, mute, transfer, recordings, hang-up) is kept in simulator_calls. Every
// instance sees the same calls, and a restart forgets nothing.
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { isFinalCallStatus } from '../inbound/calls/status.js';
import { ended, newCallState, type SimulatorCallState, type SimulatorCallStore } from '../telephony/simulator/calls.js';

export function createDatabaseCallStore(db: Db): SimulatorCallStore {
  return {
    async find(callSid) {
      const row = await db
        .selectFrom('calls as c')
        .leftJoin('simulator_calls as s', 's.call_sid', 'c.call_sid')
        .select([
          'c.status',
          's.call_sid as known',
          's.ended',
          's.in_conference',
          's.on_hold',
          's.muted',
          's.bridged_to',
          's.redirected_to',
          's.update_seq',
          's.update_twiml',
          's.recordings',
          (eb) =>
            eb
              .selectFrom('call_legs as l')
              .select('l.destination')
              .whereRef('l.call_id', '=', 'c.id')
              .where('l.destination', 'is not', null)
              .where('l.ended_at', 'is', null)
              .orderBy('l.attempt', 'desc')
              .limit(1)
              .as('open_leg'),
        ])
        .where('c.call_sid', '=', callSid)
        .where('c.source', '<>', 'manual')
        .executeTakeFirst();
      if (!row) return undefined;
      const state: SimulatorCallState =
        row.known === null
          ? newCallState(callSid, row.open_leg ? { bridgedTo: row.open_leg } : {})
          : {
              callSid,
              status: row.ended ? 'completed' : 'in-progress',
              inConference: row.in_conference ?? false,
              onHold: row.on_hold ?? false,
              muted: row.muted ?? false,
              bridgedTo: row.bridged_to,
              redirectedTo: row.redirected_to,
              updateSeq: row.update_seq ?? 0,
              updateTwiml: row.update_twiml,
              recordings: row.recordings ?? [],
            };
      return row.ended || isFinalCallStatus(row.status) ? ended(state) : state;
    },

    async save(state) {
      const values = {
        ended: state.status === 'completed',
        in_conference: state.inConference,
        on_hold: state.onHold,
        muted: state.muted,
        bridged_to: state.bridgedTo,
        redirected_to: state.redirectedTo,
        update_seq: state.updateSeq,
        update_twiml: state.updateTwiml,
        recordings: JSON.stringify(state.recordings),
      };
      await db
        .insertInto('simulator_calls')
        .values({ call_sid: state.callSid, ...values })
        .onConflict((oc) => oc.column('call_sid').doUpdateSet({ ...values, updated_at: sql`now()` }))
        .execute();
    },
  };
}
