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

// The list with the task `id` (an optimistic one, or the task itself) replaced by `task` (the
// server's answer, or a rollback), dropping any other copy of it that a live event added
// meanwhile; `task` null removes it. A copy at a NEWER version (a live event applied while
// the request was out: the answer was read before that change) is kept instead of `task`;
// one at the same version (this tab's optimistic copy) is replaced. A task the list no
// longer holds (deleted meanwhile) is not brought back.
export function replaceTask(list: Task[], id: number, task: Task | null): Task[] {
  if (!task) return list.filter((t) => t.id !== id);
  const held = list.find((t) => t.id === task.id);
  const newest = held && held.version > task.version ? held : task;
  return list.filter((t) => t.id === id || t.id !== task.id).map((t) => (t.id === id ? newest : t));
}

// `events` applied in order to `list` (see applyTaskEvent).
export function applyTaskEvents(list: Task[], events: readonly TaskEvent[], hidden: (id: number) => boolean = () => false): Task[] {
  return events.reduce((l, e) => applyTaskEvent(l, e, hidden), list);
}

// The live events a list request may not have seen. A page the server read before an event
// but that arrives after the event was applied would undo it (a deleted task back on screen
// for good, a rename reverted): the events applied while a request is out are applied again
// on top of its page (applyTaskEvent leaves an event the page already reflects without
// effect). begin() when a request starts; record() each event applied meanwhile; end() with
// begin()'s token when it is answered (or given up) returns the events since its begin(),
// in order. Several requests may be out at once; events no open request needs are dropped.
export class EventsDuringRequests {
  private log: TaskEvent[] = [];
  private offset = 0; // the position, in every event recorded so far, of log[0]
  private readonly open = new Map<number, number>(); // token -> position at its begin()
  private nextToken = 0;

  begin(): number {
    const token = this.nextToken++;
    this.open.set(token, this.offset + this.log.length);
    return token;
  }

  record(events: readonly TaskEvent[]): void {
    if (this.open.size > 0) this.log.push(...events);
  }

  // [] for a token already ended (or never begun).
  end(token: number): TaskEvent[] {
    const start = this.open.get(token);
    if (start === undefined) return [];
    this.open.delete(token);
    const since = this.log.slice(start - this.offset);
    const keepFrom = this.open.size > 0 ? Math.min(...this.open.values()) : this.offset + this.log.length;
    this.log = this.log.slice(keepFrom - this.offset);
    this.offset = keepFrom;
    return since;
  }

  // Events kept for open requests (for the tests: nothing piles up once they are answered).
  get size(): number {
    return this.log.length;
  }
}
