// Task types (ARCHITECTURE.md §3) and the calls of the tasks API.
import { api } from './api';

export type Priority = 'low' | 'medium' | 'high';

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string;
  completed: boolean;
  priority: Priority;
  tags: string[];
  due_at: string | null;
  remind_at: string | null;
  recurrence: string | null;
  timezone: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  version: number;
  // A next occurrence of a recurring task: the id of its series' first task (read-only).
  series_id: number | null;
}

// The writable fields, as sent in POST (all) and PATCH (the changed ones).
export type TaskInput = Partial<
  Pick<Task, 'title' | 'description' | 'completed' | 'priority' | 'tags' | 'due_at' | 'remind_at' | 'recurrence' | 'timezone'>
>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type StatusFilter = 'all' | 'pending' | 'completed';
export type SortChoice = 'created_desc' | 'created_asc' | 'due_asc' | 'priority_desc' | 'title_asc';

export interface TaskFilters {
  status: StatusFilter;
  priority: '' | Priority;
  tag: string;
  dueFrom: string; // YYYY-MM-DD (local day), inclusive
  dueTo: string; // YYYY-MM-DD (local day), inclusive
  q: string;
  sort: SortChoice;
}

export const DEFAULT_FILTERS: TaskFilters = {
  status: 'all',
  priority: '',
  tag: '',
  dueFrom: '',
  dueTo: '',
  q: '',
  sort: 'created_desc',
};

export const PAGE_SIZE = 50;

const SORTS: Record<SortChoice, [string, 'asc' | 'desc']> = {
  created_desc: ['created_at', 'desc'],
  created_asc: ['created_at', 'asc'],
  due_asc: ['due_at', 'asc'],
  priority_desc: ['priority', 'desc'],
  title_asc: ['title', 'asc'],
};

// Midnight that starts a local calendar day, as an instant.
function localDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

export function hasActiveFilters(f: TaskFilters): boolean {
  return f.status !== 'all' || f.priority !== '' || f.tag.trim() !== '' || f.dueFrom !== '' || f.dueTo !== '' || f.q.trim() !== '';
}

// A view's window (lib/views.ts): pending tasks due in (dueAfter, dueBefore), both bounds
// exclusive as in the API, soonest first. It replaces the status, due and sort filters.
export interface ListScope {
  dueAfter?: string;
  dueBefore?: string;
}

// The query string of GET /api/{user}/tasks for these filters (and view).
export function listQuery(f: TaskFilters, cursor?: string | null, limit = PAGE_SIZE, scope?: ListScope | null): string {
  const p = new URLSearchParams();
  if (scope) p.set('status', 'pending');
  else if (f.status !== 'all') p.set('status', f.status);
  if (f.priority) p.set('priority', f.priority);
  if (f.tag.trim()) p.append('tag', f.tag.trim());
  if (scope) {
    if (scope.dueAfter) p.set('due_after', scope.dueAfter);
    if (scope.dueBefore) p.set('due_before', scope.dueBefore);
  } else {
    // The API's bounds are exclusive; the form's days are inclusive.
    if (f.dueFrom) p.set('due_after', new Date(localDayStart(f.dueFrom).getTime() - 1).toISOString());
    if (f.dueTo) {
      const end = localDayStart(f.dueTo);
      end.setDate(end.getDate() + 1);
      p.set('due_before', end.toISOString());
    }
  }
  if (f.q.trim()) p.set('q', f.q.trim());
  const [sort, order] = scope ? SORTS.due_asc : SORTS[f.sort];
  p.set('sort', sort);
  p.set('order', order);
  p.set('limit', String(limit));
  if (cursor) p.set('cursor', cursor);
  return p.toString();
}

const base = (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`;
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export const tasksApi = {
  list: (userId: string, f: TaskFilters, cursor?: string | null, signal?: AbortSignal, scope?: ListScope | null) =>
    api.get<Page<Task>>(`${base(userId)}?${listQuery(f, cursor, PAGE_SIZE, scope)}`, { signal }),
  get: (userId: string, id: number) => api.get<Task>(`${base(userId)}/${id}`),
  create: (userId: string, input: TaskInput, idempotencyKey?: string) =>
    api.post<Task>(base(userId), input, idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  update: (userId: string, task: Pick<Task, 'id' | 'version'>, patch: TaskInput) =>
    api.patch<Task>(`${base(userId)}/${task.id}`, patch, { headers: ifMatch(task.version) }),
  setCompleted: (userId: string, task: Pick<Task, 'id' | 'version'>, completed: boolean) =>
    api.patch<Task>(`${base(userId)}/${task.id}/complete`, { completed }, { headers: ifMatch(task.version) }),
  remove: (userId: string, task: Pick<Task, 'id' | 'version'>, keepalive = false) =>
    api.delete(`${base(userId)}/${task.id}`, { headers: ifMatch(task.version), keepalive }),
};

export function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
