// Turns problem+json answers into sentences a person understands. The server's field
// messages are already phrases ("must be at least 8 characters"); we name the field in
// words and say what to do for the statuses a person can run into.
import { ApiError } from './api';

const FIELD_NAMES: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  priority: 'Priority',
  tags: 'Tags',
  due_at: 'Due date',
  remind_at: 'Reminder',
  recurrence: 'Repeat rule',
  rule: 'Repeat rule',
  until: 'Snooze time',
  timezone: 'Time zone',
  email_reminders: 'Reminder e-mails',
  completion_notices: 'Completion e-mails',
  completed: 'Completed',
  email: 'E-mail',
  password: 'Password',
  current_password: 'Current password',
  new_password: 'New password',
  name: 'Name',
  q: 'Search',
  tag: 'Tag filter',
  due_before: 'Due before',
  due_after: 'Due after',
  event_type: 'Event type',
  url: 'URL',
  event_types: 'Events',
};

export function fieldName(field: string): string {
  const tag = /^tags\[(\d+)\]$/.exec(field);
  if (tag) return `Tag ${Number(tag[1]) + 1}`;
  return FIELD_NAMES[field] ?? field.replace(/_/g, ' ');
}

// "Password must be at least 8 characters."
export function fieldSentence(field: string, message: string): string {
  if (field === 'password') return `This password is too weak: it ${message}.`;
  if (field === 'email' && /already registered/.test(message))
    return 'An account with this e-mail already exists. Sign in instead, or use another e-mail.';
  return `${fieldName(field)} ${message}.`;
}

// Inline messages keyed by field ("tags[1]" is reported under "tags").
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const e of err.problem.errors ?? []) {
    const key = e.field.replace(/\[\d+\]$/, '');
    out[key] = out[key] ? `${out[key]} ${fieldSentence(e.field, e.message)}` : fieldSentence(e.field, e.message);
  }
  return out;
}

export type Context = 'sign-in' | 'sign-up' | 'task' | 'list' | 'audit';

// One sentence for an error, in the context of what the person was doing.
export function describeError(err: unknown, context: Context = 'task'): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  const p = err.problem;
  switch (err.status) {
    case 0:
      return 'The server could not be reached. Check your connection and try again.';
    case 401:
      return context === 'sign-in' ? 'Wrong e-mail or password.' : 'Your session has ended. Please sign in again.';
    case 403:
      return 'You are not allowed to do that.';
    case 404:
      return context === 'task' ? 'This task no longer exists (it may have been deleted elsewhere).' : 'Not found.';
    case 409:
      if (p.errors?.length) return p.errors.map((e) => fieldSentence(e.field, e.message)).join(' ');
      return `That conflicts with the current state: ${p.detail ?? 'please reload and try again'}.`;
    case 412:
      return 'This task was changed somewhere else (another tab or device). It has been reloaded; please try again.';
    case 413:
      return 'That is too large to save.';
    case 422:
    case 400:
      if (p.errors?.length) return p.errors.map((e) => fieldSentence(e.field, e.message)).join(' ');
      return p.detail ? `That was not accepted: ${p.detail}.` : 'That was not accepted.';
    case 429: {
      const m = /(\d+)\s*s\b/.exec(p.detail ?? '');
      return context === 'sign-in'
        ? `Too many failed sign-ins. Try again in ${m ? `${m[1]} seconds` : 'a moment'}.`
        : 'Too many requests. Please wait a moment and try again.';
    }
    default:
      if (err.status >= 500) return 'The server had a problem. Please try again in a moment.';
      return p.detail || p.title || 'Something went wrong. Please try again.';
  }
}
