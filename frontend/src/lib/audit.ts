// The audit trail: events as the API returns them, and what each one changed, in words.
import { api } from './api';
import { describeRule } from './recurrence';
import type { Page, Task } from './tasks';
import { formatAbsolute } from './time';

export type EventType = 'created' | 'updated' | 'completed' | 'deleted';
export const EVENT_TYPES: EventType[] = ['created', 'updated', 'completed', 'deleted'];

export interface AuditEvent {
  event_id: string;
  event_type: EventType;
  timestamp: string;
  user_id: string;
  task_id: number;
  task_data: Partial<Task>;
  schema_version?: number;
  task_version?: number;
}

export const AUDIT_PAGE_SIZE = 50;

export function auditQuery(types: EventType[], cursor?: string | null, limit = AUDIT_PAGE_SIZE): string {
  const p = new URLSearchParams();
  for (const t of types) p.append('event_type', t);
  p.set('limit', String(limit));
  if (cursor) p.set('cursor', cursor);
  return p.toString();
}

export const auditApi = {
  list: (userId: string, types: EventType[], cursor?: string | null, signal?: AbortSignal) =>
    api.get<Page<AuditEvent>>(`/api/${encodeURIComponent(userId)}/audit?${auditQuery(types, cursor)}`, { signal }),
};

export interface Change {
  field: string;
  label: string;
  before?: string;
  after: string;
}

type Field = 'title' | 'description' | 'completed' | 'priority' | 'tags' | 'due_at' | 'remind_at' | 'recurrence' | 'timezone';

const FIELDS: [Field, string][] = [
  ['title', 'Title'],
  ['completed', 'Status'],
  ['priority', 'Priority'],
  ['tags', 'Tags'],
  ['due_at', 'Due'],
  ['remind_at', 'Reminder'],
  ['recurrence', 'Repeats'],
  ['timezone', 'Time zone'],
  ['description', 'Description'],
];

function shorten(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function show(field: Field, value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  switch (field) {
    case 'completed':
      return value ? 'done' : 'open';
    case 'tags':
      return (value as string[]).length ? (value as string[]).map((t) => `#${t}`).join(' ') : 'none';
    case 'due_at':
    case 'remind_at':
      return formatAbsolute(String(value));
    case 'recurrence':
      return describeRule(String(value));
    case 'description':
      return `“${shorten(String(value))}”`;
    case 'title':
      return `“${String(value)}”`;
    default:
      return String(value);
  }
}

const same = (field: Field, a: unknown, b: unknown) =>
  field === 'tags' ? JSON.stringify(a ?? []) === JSON.stringify(b ?? []) : (a ?? null) === (b ?? null);

// The older event of the same task in a newest-first list, when loaded.
export function previousOf(events: AuditEvent[], index: number): AuditEvent | undefined {
  const taskId = events[index].task_id;
  for (let i = index + 1; i < events.length; i++) if (events[i].task_id === taskId) return events[i];
  return undefined;
}

// What an event changed. With the previous event of the task: the fields that differ.
// Without it (first page boundary, or a created event): the fields the task has.
export function changesOf(event: AuditEvent, previous?: AuditEvent): Change[] {
  const now = event.task_data ?? {};
  if (event.event_type === 'deleted') return [];
  if (previous && event.event_type !== 'created') {
    const before = previous.task_data ?? {};
    return FIELDS.filter(([f]) => !same(f, before[f], now[f])).map(([f, label]) => ({
      field: f,
      label,
      before: show(f, before[f]),
      after: show(f, now[f]),
    }));
  }
  // A summary: what is set (a new task's defaults are left out).
  return FIELDS.filter(([f]) => {
    if (f === 'title') return false; // shown as the heading
    if (f === 'completed') return event.event_type !== 'completed' && now.completed === true;
    if (f === 'priority') return now.priority !== undefined && now.priority !== 'medium';
    if (f === 'timezone') return false;
    const v = now[f];
    return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  }).map(([f, label]) => ({ field: f, label, after: show(f, now[f]) }));
}

export const TYPE_LABELS: Record<EventType, string> = {
  created: 'Created',
  updated: 'Updated',
  completed: 'Completed',
  deleted: 'Deleted',
};
