// The dialer's pure parts: an agent's day in its time zone and the time spent in each status.
import { describe, expect, it } from 'vitest';
import { dayOf, timeInStatus } from '../../server/dialer/agents/stats.js';

const at = (iso: string) => new Date(iso);

describe('dayOf', () => {
  it("starts the day at local midnight in the agent's zone", () => {
    expect(dayOf('UTC', at('2025-03-10T15:00:00Z'))).toEqual({ date: '2025-03-10', start: at('2025-03-10T00:00:00Z') });
    expect(dayOf('America/New_York', at('2025-03-10T03:00:00Z'))).toEqual({ date: '2025-03-09', start: at('2025-03-09T05:00:00Z') });
    expect(dayOf('Asia/Tokyo', at('2025-03-10T16:00:00Z'))).toEqual({ date: '2025-03-11', start: at('2025-03-10T15:00:00Z') });
  });
});

describe('timeInStatus', () => {
  const from = at('2025-03-10T00:00:00Z');
  const to = at('2025-03-10T02:00:00Z');

  it('splits the window at each change, starting from the status the last earlier change left', () => {
    const changes = [
      { at: at('2025-03-10T00:30:00Z'), from: 'available', to: 'busy' },
      { at: at('2025-03-10T01:00:00Z'), from: 'busy', to: 'break' },
    ] as const;
    expect(timeInStatus('available', changes, 'break', from, to)).toEqual({ available: 1800, busy: 1800, offline: 0, break: 3600 });
  });

  it("without an earlier change starts from the first change's from, else the current status", () => {
    expect(timeInStatus(null, [{ at: at('2025-03-10T01:00:00Z'), from: 'offline', to: 'available' }], 'available', from, to)).toEqual({
      available: 3600,
      busy: 0,
      offline: 3600,
      break: 0,
    });
    expect(timeInStatus(null, [], 'offline', from, to)).toEqual({ available: 0, busy: 0, offline: 7200, break: 0 });
  });
});
