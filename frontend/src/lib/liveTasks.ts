// A task list kept current by live task events (lib/liveUpdates.tsx), without duplicates:
// tasks are keyed by id, and an event only replaces a task the list holds at an OLDER
// version (task_version), so an event for a change this tab made itself (whose answer is
// already in the list), or one that comes again, changes nothing. Pure; unit-tested.
import type { TaskEvent } from './liveUpdates';
import type { Task } from './tasks';

// `hidden`: tasks the list must not show again (deletes waiting for their undo).
export function applyTaskEvent(list: Task[], e: TaskEvent, hidden: (id: number) => boolean = () => false): Task[] {
  const i = list.findIndex((t) => t.id === e.task_id);
  if (e.event_type === 'deleted') return i < 0 ? list : list.filter((t) => t.id !== e.task_id);
  if (i >= 0) {
    if (list[i].version >= e.task_version) return list;
    const next = list.slice();
    next[i] = e.task_data;
    return next;
  }
  // A new task goes on top (the list's default order: newest first). An update of a task
  // the list does not hold (on a later page) is left to that page.
  if (e.event_type === 'created' && !hidden(e.task_id)) return [e.task_data, ...list];
  return list;
}

// The list with the task `id` (an optimistic one) replaced by `task` (the server's answer),
// dropping any other copy of it that a live event added meanwhile; `task` null removes it.
export function replaceTask(list: Task[], id: number, task: Task | null): Task[] {
  if (!task) return list.filter((t) => t.id !== id);
  return list.filter((t) => t.id === id || t.id !== task.id).map((t) => (t.id === id ? task : t));
}
