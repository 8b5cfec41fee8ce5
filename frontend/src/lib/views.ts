// The Today, Upcoming and Overdue views beside the full list: the list API's exclusive
// due_after/due_before bounds of each, whole days in the browser's time zone (Intl, via
// lib/time.ts, so the same in every browser whatever the machine's own zone), and the
// grouping of Upcoming by day. The server does the filtering: pending tasks only, soonest
// first.
import type { ListScope, Task } from './tasks';
import { addDays, dayIn, formatDay, toRfc3339, zonedToUtc } from './time';

export type View = 'all' | 'today' | 'upcoming' | 'overdue';

export const VIEW_LABELS: Record<View, string> = {
  all: 'All tasks',
  today: 'Today',
  upcoming: 'Upcoming',
  overdue: 'Overdue',
};

// What an empty view says.
export const VIEW_EMPTY: Record<Exclude<View, 'all'>, string> = {
  today: 'Nothing due today.',
  upcoming: 'Nothing due in the next 7 days.',
  overdue: 'Nothing overdue.',
};

export const UPCOMING_DAYS = 7;

// The first instant of a calendar day in a zone.
const dayStart = (date: string, timeZone: string) => zonedToUtc(date, '00:00', timeZone);
// due_after is exclusive: one millisecond before the day starts lets its first instant in.
const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

// The window of a view at `now` in `timeZone`; null for the full list (its own filters).
//  - today: the whole of today, earlier hours included;
//  - upcoming: today and the six days after it;
//  - overdue: everything due before now.
export function viewScope(view: View, now: number, timeZone: string): ListScope | null {
  const today = dayIn(now, timeZone);
  switch (view) {
    case 'today':
      return { dueAfter: justBefore(dayStart(today, timeZone)), dueBefore: dayStart(addDays(today, 1), timeZone) };
    case 'upcoming':
      return { dueAfter: justBefore(dayStart(today, timeZone)), dueBefore: dayStart(addDays(today, UPCOMING_DAYS), timeZone) };
    case 'overdue':
      return { dueBefore: toRfc3339(now) };
    default:
      return null;
  }
}

export interface DayGroup {
  date: string; // YYYY-MM-DD in the zone
  label: string; // "Today", "Tomorrow", "Wednesday 15 July"
  tasks: Task[];
}

export function dayLabel(date: string, today: string): string {
  if (date === today) return 'Today';
  if (date === addDays(today, 1)) return 'Tomorrow';
  return formatDay(date);
}

// Tasks (soonest first, as the view lists them) in groups by the day they are due on in
// `timeZone`; a task without a due date (none in Upcoming) goes to a last "No due date".
export function groupByDay(tasks: Task[], now: number, timeZone: string): DayGroup[] {
  const today = dayIn(now, timeZone);
  const groups = new Map<string, DayGroup>();
  for (const t of tasks) {
    const date = t.due_at ? dayIn(Date.parse(t.due_at), timeZone) : '';
    let g = groups.get(date);
    if (!g) {
      g = { date, label: date ? dayLabel(date, today) : 'No due date', tasks: [] };
      groups.set(date, g);
    }
    g.tasks.push(t);
  }
  return [...groups.values()].sort((a, b) => (a.date && b.date ? a.date.localeCompare(b.date) : a.date ? -1 : 1));
}
