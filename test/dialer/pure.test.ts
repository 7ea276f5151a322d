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

  it('gives whole seconds that add up to the window (each rounded alone they missed it)', () => {
    const start = at('2025-03-10T00:00:00.000Z');
    const changes = [
      { at: at('2025-03-10T00:00:01.500Z'), from: 'available', to: 'busy' },
      { at: at('2025-03-10T00:00:03.000Z'), from: 'busy', to: 'break' },
    ] as const;
    // 1.5 s, 1.5 s and 1.4 s: 4.4 s → 4; rounded alone 2 + 2 + 1 = 5.
    const seconds = timeInStatus('available', changes, 'break', start, at('2025-03-10T00:00:04.400Z'));
    expect(seconds.available + seconds.busy + seconds.offline + seconds.break).toBe(4);
    expect(seconds).toEqual({ available: 2, busy: 1, offline: 0, break: 1 });
  });
});
