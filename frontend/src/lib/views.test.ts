import { describe, expect, it } from 'vitest';

import { task } from '@/test/fakeApi';

import { groupByDay, viewScope } from './views';

// Instants chosen where the UTC day and the zone's day differ, so that a bound computed
// in the wrong zone (or the machine's) shows.
describe('views', () => {
  it('Today is the whole calendar day in the given zone, whatever the machine’s zone', () => {
    const now = Date.parse('2030-07-10T22:30:00Z'); // 00:30 on 11 July in Berlin, 18:30 on 10 July in New York
    expect(viewScope('today', now, 'Europe/Berlin')).toEqual({
      dueAfter: '2030-07-10T21:59:59.999Z', // just before 00:00 CEST on 11 July
      dueBefore: '2030-07-11T22:00:00Z', // 00:00 CEST on 12 July
    });
    expect(viewScope('today', now, 'America/New_York')).toEqual({
      dueAfter: '2030-07-10T03:59:59.999Z',
      dueBefore: '2030-07-11T04:00:00Z',
    });
  });

  it('a day with a DST change is 23 hours long; Upcoming spans 7 calendar days', () => {
    const now = Date.parse('2026-03-29T10:00:00Z'); // Sunday, the clocks went forward at 02:00
    expect(viewScope('today', now, 'Europe/Berlin')).toEqual({
      dueAfter: '2026-03-28T22:59:59.999Z', // 00:00 CET
      dueBefore: '2026-03-29T22:00:00Z', // 00:00 CEST the next day
    });
    expect(viewScope('upcoming', now, 'Europe/Berlin')).toEqual({
      dueAfter: '2026-03-28T22:59:59.999Z',
      dueBefore: '2026-04-04T22:00:00Z', // 00:00 on Sunday 5 April: seven days, today included
    });
  });

  it('Overdue is everything due before now; the full list has no window', () => {
    const now = Date.parse('2030-07-10T22:30:00Z');
    expect(viewScope('overdue', now, 'Europe/Berlin')).toEqual({ dueBefore: '2030-07-10T22:30:00Z' });
    expect(viewScope('all', now, 'Europe/Berlin')).toBeNull();
  });

  it('groups by the day in the zone, labelled Today, Tomorrow, then the weekday', () => {
    const now = Date.parse('2030-07-10T22:30:00Z'); // Thursday 11 July in Berlin
    const tasks = [
      task({ id: 1, due_at: '2030-07-10T23:00:00Z' }), // 01:00 Thursday in Berlin (Wednesday in UTC)
      task({ id: 2, due_at: '2030-07-11T21:30:00Z' }), // 23:30 Thursday
      task({ id: 3, due_at: '2030-07-11T22:30:00Z' }), // 00:30 Friday
      task({ id: 4, due_at: '2030-07-14T08:00:00Z' }), // Sunday
    ];
    const groups = groupByDay(tasks, now, 'Europe/Berlin');
    expect(groups.map((g) => [g.date, g.label, g.tasks.map((t) => t.id)])).toEqual([
      ['2030-07-11', 'Today', [1, 2]],
      ['2030-07-12', 'Tomorrow', [3]],
      ['2030-07-14', 'Sunday, July 14', [4]],
    ]);
  });
});
