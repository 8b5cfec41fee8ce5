// Recurrence presets <-> RFC 5545 RRULEs (the server validates and expands them).

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

const FREQ_WORDS: Record<string, [string, string]> = {
  DAILY: ['Daily', 'days'],
  WEEKLY: ['Weekly', 'weeks'],
  MONTHLY: ['Monthly', 'months'],
  YEARLY: ['Yearly', 'years'],
  HOURLY: ['Hourly', 'hours'],
};

// "Daily", "Every weekday", "Every 2 weeks", or "Repeats" for rules we do not spell out.
export function describeRule(rule: string): string {
  const choice = choiceOf(rule);
  if (choice === 'weekdays') return 'Every weekday';
  const parts = Object.fromEntries(
    normalize(rule)
      .split(';')
      .map((kv) => kv.split('=') as [string, string]),
  );
  const words = FREQ_WORDS[parts.FREQ ?? ''];
  if (!words) return 'Repeats';
  const interval = Number(parts.INTERVAL ?? '1');
  return interval > 1 ? `Every ${interval} ${words[1]}` : words[0];
}
