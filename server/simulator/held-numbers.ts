// Which fictional numbers are held already, in the database (servers are stateless, DESIGN.md): a
// number any organisation bought stays off the simulator's search after a restart and on every
// instance, as Twilio never offers a number someone holds.
import type { Db } from '../../db/types.js';
import type { HeldNumbers } from '../telephony/simulator/simulator.js';

export function databaseHeldNumbers(db: Db): HeldNumbers {
  return async (phoneNumbers) => {
    if (phoneNumbers.length === 0) return new Set();
    const rows = await db.selectFrom('phone_numbers').select('phone_number').where('phone_number', 'in', [...phoneNumbers]).execute();
    return new Set(rows.map((row) => row.phone_number));
  };
}
