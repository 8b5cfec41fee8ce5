// Dates and times: wall-clock time in a task's IANA time zone <-> UTC instants (the API
// stores UTC), and the short and relative forms the lists show. Intl only, no library.

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function allTimeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    zones = [];
  }
  const set = new Set(zones);
  set.add('UTC');
  if (current) set.add(current);
  return [...set].sort();
}

// The wall-clock fields of an instant in a zone.
function zonedParts(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute'), s: get('second') };
}

// Offset of a zone from UTC at an instant, in milliseconds.
function zoneOffset(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

// "2026-12-01" + "09:00" in Europe/Berlin -> "2026-12-01T08:00:00Z". A wall time skipped
// by a DST jump resolves forward, as most calendars do.
export function zonedToUtc(date: string, time: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = (time || '00:00').split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  return toRfc3339(guess);
}

// The date and time inputs' values of an instant in a zone.
export function utcToZoned(iso: string, timeZone: string): { date: string; time: string } {
  const p = zonedParts(Date.parse(iso), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return { date: `${p.y}-${two(p.mo)}-${two(p.d)}`, time: `${two(p.h)}:${two(p.mi)}` };
}

export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export function isOverdue(dueAt: string | null, completed: boolean, now: number = Date.now()): boolean {
  return !completed && dueAt !== null && Date.parse(dueAt) < now;
}

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

// "Today 09:00", "Tomorrow 18:30", "Tue 3 Dec 09:00", "3 Dec 2027 09:00" (browser's zone).
export function formatDue(iso: string, now: number = Date.now()): string {
  const due = new Date(iso);
  const today = new Date(now);
  const tomorrow = new Date(now);
  tomorrow.setDate(today.getDate() + 1);
  const yesterday = new Date(now);
  yesterday.setDate(today.getDate() - 1);
  const time = due.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (sameDay(due, today)) return `Today ${time}`;
  if (sameDay(due, tomorrow)) return `Tomorrow ${time}`;
  if (sameDay(due, yesterday)) return `Yesterday ${time}`;
  const opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };
  if (due.getFullYear() !== today.getFullYear()) {
    delete opts.weekday;
    opts.year = 'numeric';
  }
  return `${due.toLocaleDateString(undefined, opts)} ${time}`;
}

// "30 Jan 2026, 10:00:03" in the browser's zone and locale.
export function formatAbsolute(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

// "just now", "5 minutes ago", "yesterday", "in 2 hours".
export function formatRelative(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), 'minute');
}

// Calendar arithmetic on a YYYY-MM-DD day, the same in every zone: "2026-03-31" + 1 is
// "2026-04-01" (the wall clock of a zone is applied later, by zonedToUtc).
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// The calendar day (YYYY-MM-DD) an instant falls on in a zone.
export function dayIn(ms: number, timeZone: string): string {
  return utcToZoned(new Date(ms).toISOString(), timeZone).date;
}

// "Wednesday 15 July" for a YYYY-MM-DD day (formatted as a date, in no zone at all).
export function formatDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12)).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
}
