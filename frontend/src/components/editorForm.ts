// The task editor's form state and the request body it turns into: every field for a
// new task (POST), only the changed fields for an existing one (PATCH).
import { choiceOf, ruleOf, type RepeatChoice } from '@/lib/recurrence';
import type { Priority, Task, TaskInput } from '@/lib/tasks';
import { browserTimeZone, utcToZoned, zonedToUtc } from '@/lib/time';

export type ReminderChoice = 'none' | 'at' | '5' | '15' | '30' | '60' | '1440' | 'custom';

export const REMINDER_LABELS: Record<ReminderChoice, string> = {
  none: 'No reminder',
  at: 'At the due time',
  '5': '5 minutes before',
  '15': '15 minutes before',
  '30': '30 minutes before',
  '60': '1 hour before',
  '1440': '1 day before',
  custom: 'At a date and time…',
};

export interface EditorForm {
  title: string;
  description: string;
  priority: Priority;
  tags: string[];
  dueDate: string; // YYYY-MM-DD in `timezone`
  dueTime: string; // HH:MM in `timezone`
  reminder: ReminderChoice;
  remindDate: string;
  remindTime: string;
  repeat: RepeatChoice;
  customRule: string;
  timezone: string;
}

export const DEFAULT_DUE_TIME = '09:00';

export function formFromTask(task: Task | null, initialTitle = ''): EditorForm {
  const timezone = task?.timezone || browserTimeZone();
  const form: EditorForm = {
    title: task?.title ?? initialTitle,
    description: task?.description ?? '',
    priority: task?.priority ?? 'medium',
    tags: task?.tags ?? [],
    dueDate: '',
    dueTime: '',
    reminder: 'none',
    remindDate: '',
    remindTime: '',
    repeat: choiceOf(task?.recurrence ?? null),
    customRule: task?.recurrence ?? '',
    timezone,
  };
  if (task?.due_at) Object.assign(form, { dueDate: utcToZoned(task.due_at, timezone).date, dueTime: utcToZoned(task.due_at, timezone).time });
  if (task?.remind_at) {
    const before = task.due_at ? (Date.parse(task.due_at) - Date.parse(task.remind_at)) / 60000 : NaN;
    const preset = before === 0 ? 'at' : (['5', '15', '30', '60', '1440'] as const).find((m) => Number(m) === before);
    if (preset) form.reminder = preset;
    else {
      const r = utcToZoned(task.remind_at, timezone);
      Object.assign(form, { reminder: 'custom', remindDate: r.date, remindTime: r.time });
    }
  }
  return form;
}

// Problems the form can tell before asking the server, by field.
export function formProblems(f: EditorForm): Record<string, string> {
  const p: Record<string, string> = {};
  if (!f.title.trim()) p.title = 'Give the task a title.';
  if (f.reminder !== 'none' && f.reminder !== 'custom' && !f.dueDate) p.remind_at = 'Set a due date first, or pick “At a date and time…”.';
  if (f.reminder === 'custom' && !f.remindDate) p.remind_at = 'Pick the reminder’s date.';
  if (f.repeat === 'custom' && !f.customRule.trim()) p.recurrence = 'Type a rule such as FREQ=MONTHLY;BYMONTHDAY=1.';
  return p;
}

// Every field's value as the API takes it.
export function fullBody(f: EditorForm): Required<Omit<TaskInput, 'completed'>> {
  const due_at = f.dueDate ? zonedToUtc(f.dueDate, f.dueTime || DEFAULT_DUE_TIME, f.timezone) : null;
  let remind_at: string | null = null;
  if (f.reminder === 'custom' && f.remindDate) remind_at = zonedToUtc(f.remindDate, f.remindTime || DEFAULT_DUE_TIME, f.timezone);
  else if (f.reminder !== 'none' && f.reminder !== 'custom' && due_at) {
    const minutes = f.reminder === 'at' ? 0 : Number(f.reminder);
    remind_at = new Date(Date.parse(due_at) - minutes * 60000).toISOString().replace(/\.000Z$/, 'Z');
  }
  return {
    title: f.title.trim(),
    description: f.description,
    priority: f.priority,
    tags: f.tags,
    due_at,
    remind_at,
    recurrence: ruleOf(f.repeat, f.customRule),
    timezone: f.timezone,
  };
}

const sameInstant = (a: string | null, b: string | null) => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b));

// POST body: what was set (defaults and empties left out, the time zone always sent).
export function createBody(f: EditorForm): TaskInput {
  const full = fullBody(f);
  const body: TaskInput = { title: full.title, priority: full.priority, timezone: full.timezone };
  if (full.description) body.description = full.description;
  if (full.tags.length) body.tags = full.tags;
  if (full.due_at) body.due_at = full.due_at;
  if (full.remind_at) body.remind_at = full.remind_at;
  if (full.recurrence) body.recurrence = full.recurrence;
  return body;
}

// PATCH body: only what differs from the task (null clears a date or the recurrence).
export function patchBody(f: EditorForm, task: Task): TaskInput {
  const full = fullBody(f);
  const body: TaskInput = {};
  if (full.title !== task.title) body.title = full.title;
  if (full.description !== task.description) body.description = full.description;
  if (full.priority !== task.priority) body.priority = full.priority;
  if (full.tags.join('\u0000') !== task.tags.join('\u0000')) body.tags = full.tags;
  if (!sameInstant(full.due_at, task.due_at)) body.due_at = full.due_at;
  if (!sameInstant(full.remind_at, task.remind_at)) body.remind_at = full.remind_at;
  const rule = (r: string | null) => (r ?? '').trim().toUpperCase();
  if (rule(full.recurrence) !== rule(task.recurrence)) body.recurrence = full.recurrence;
  if (full.timezone !== task.timezone) body.timezone = full.timezone;
  return body;
}
