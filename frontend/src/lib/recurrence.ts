// Recurrence presets <-> RFC 5545 RRULEs, rules in words, and the preview of a rule's next
// dates (the server validates and expands them).
import { api } from './api';

export type RepeatChoice = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'yearly' | 'custom';

export const PRESETS: Record<Exclude<RepeatChoice, 'none' | 'custom'>, string> = {
  daily: 'FREQ=DAILY',
  weekdays: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  weekly: 'FREQ=WEEKLY',
  monthly: 'FREQ=MONTHLY',
  yearly: 'FREQ=YEARLY',
};

export const REPEAT_LABELS: Record<RepeatChoice, string> = {
  none: 'Does not repeat',
  daily: 'Daily',
  weekdays: 'Every weekday (Mon–Fri)',
  weekly: 'Weekly',
  monthly: 'Monthly',
  yearly: 'Yearly',
  custom: 'Custom rule (RRULE)…',
};

const normalize = (rule: string) => rule.trim().replace(/^RRULE:/i, '').toUpperCase();

export function choiceOf(rule: string | null): RepeatChoice {
  if (!rule) return 'none';
  const r = normalize(rule);
  for (const [k, v] of Object.entries(PRESETS)) if (v === r) return k as RepeatChoice;
  return 'custom';
}

// The RRULE to send: null for none, the preset's rule, or the custom text as typed.
export function ruleOf(choice: RepeatChoice, custom: string): string | null {
  if (choice === 'none') return null;
  if (choice === 'custom') return custom.trim() ? custom.trim().replace(/^RRULE:/i, '') : null;
  return PRESETS[choice];
}

const FREQ_WORDS: Record<string, [string, string, string]> = {
  DAILY: ['Daily', 'day', 'days'],
  WEEKLY: ['Weekly', 'week', 'weeks'],
  MONTHLY: ['Monthly', 'month', 'months'],
  YEARLY: ['Yearly', 'year', 'years'],
  HOURLY: ['Hourly', 'hour', 'hours'],
};

const DAY_WORDS: Record<string, string> = { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' };
const ORDINALS: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '-1': 'last' };

// "MO" -> "Mon", "-1FR" -> "the last Fri", "2TU" -> "the second Tue"; null if unknown.
function dayWords(byday: string): string | null {
  const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(byday);
  if (!m) return null;
  if (!m[1]) return DAY_WORDS[m[2]];
  const n = ORDINALS[String(Number(m[1]))];
  return n ? `the ${n} ${DAY_WORDS[m[2]]}` : null;
}

// UNTIL (20270101 or 20270101T000000Z) as "1 Jan 2027".
function untilWords(until: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(until);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12)).toLocaleDateString(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

const SPELLED = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);

// A rule in words: "Daily", "Every weekday", "Every 2 weeks on Mon, Thu", "Monthly on day
// 31, 3 times", "Monthly on the last Fri, until 1 Jan 2027". Parts we do not spell out
// (BYSETPOS, BYMONTH, ...) add "(custom rule)": the tooltip shows the rule itself.
export function describeRule(rule: string): string {
  const choice = choiceOf(rule);
  if (choice === 'weekdays') return 'Every weekday';
  const parts = Object.fromEntries(
    normalize(rule)
      .split(';')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  ) as Record<string, string | undefined>;
  const words = FREQ_WORDS[parts.FREQ ?? ''];
  if (!words) return 'Repeats';
  const interval = Number(parts.INTERVAL ?? '1');
  let text = interval > 1 ? `Every ${interval} ${words[2]}` : words[0];
  const days = parts.BYDAY?.split(',').map(dayWords);
  const monthDays = parts.BYMONTHDAY?.split(',');
  let custom = Object.keys(parts).some((k) => !SPELLED.has(k));
  if (days && days.every((d) => d !== null)) text += ` on ${days.join(', ')}`;
  else if (days) custom = true;
  if (monthDays) text += monthDays.length === 1 ? ` on day ${monthDays[0]}` : ` on days ${monthDays.join(', ')}`;
  if (parts.COUNT) text += parts.COUNT === '1' ? ', once' : `, ${parts.COUNT} times`;
  const until = parts.UNTIL ? untilWords(parts.UNTIL) : null;
  if (until) text += `, until ${until}`;
  return custom ? `${text} (custom rule)` : text;
}

export interface RecurrencePreview {
  rule: string;
  timezone: string;
  dtstart: string;
  occurrences: string[]; // RFC 3339, UTC
}

export const PREVIEW_COUNT = 3;

// The next dates of a rule, computed by the server exactly as it will create the next
// occurrences (libical, in `timezone`, from `dtstart`; from now without one). A 422 names
// `rule` or `timezone` when the server would refuse them in a task too.
export function previewRule(userId: string, rule: string, timezone: string, dtstart: string | null, signal?: AbortSignal) {
  const p = new URLSearchParams({ rule: rule.trim().replace(/^RRULE:/i, ''), timezone, count: String(PREVIEW_COUNT) });
  if (dtstart) p.set('dtstart', dtstart);
  return api.get<RecurrencePreview>(`/api/${encodeURIComponent(userId)}/recurrence/preview?${p}`, { signal });
}
