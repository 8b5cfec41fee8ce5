// The task list under live task events (lib/liveTasks.ts): a change made elsewhere shows in
// place, and the list never holds a task twice, whatever order the stream and this tab's own
// answers come in.
import { describe, expect, test } from 'vitest';

import { applyTaskEvent, applyTaskEvents, EventsDuringRequests, replaceTask } from './liveTasks';
import type { TaskEvent } from './liveUpdates';
import type { Task } from './tasks';

const task = (id: number, version: number, title = `t${id}`): Task => ({
  id, user_id: 'u', title, description: '', completed: false, priority: 'medium', tags: [], due_at: null,
  remind_at: null, recurrence: null, timezone: 'UTC', created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z', completed_at: null, version, series_id: null,
});
const ev = (type: TaskEvent['event_type'], t: Task): TaskEvent => ({
  event_id: `e${t.id}.${t.version}`, event_type: type, user_id: 'u', task_id: t.id, task_version: t.version, task_data: t,
});

describe('applyTaskEvent', () => {
  test('a task created elsewhere goes on top; the same event again changes nothing', () => {
    const list = [task(1, 1)];
    const once = applyTaskEvent(list, ev('created', task(2, 1)));
    expect(once.map((t) => t.id)).toEqual([2, 1]);
    expect(applyTaskEvent(once, ev('created', task(2, 1)))).toBe(once);
  });

  test('an update replaces an older version in place, never a newer or equal one', () => {
    const list = [task(1, 1), task(2, 3, 'mine')];
    const updated = applyTaskEvent(list, ev('updated', task(2, 4, 'theirs')));
    expect(updated.map((t) => [t.id, t.version, t.title])).toEqual([[1, 1, 't1'], [2, 4, 'theirs']]);
    // An event that is late (this tab already has version 4, or 5 from its own answer).
    expect(applyTaskEvent(updated, ev('updated', task(2, 4, 'again')))).toBe(updated);
    expect(applyTaskEvent(updated, ev('completed', task(2, 3)))).toBe(updated);
  });

  test('a delete removes the task; an update of a task not in the list does not add it', () => {
    const list = [task(1, 1), task(2, 1)];
    expect(applyTaskEvent(list, ev('deleted', task(1, 1))).map((t) => t.id)).toEqual([2]);
    expect(applyTaskEvent(list, ev('updated', task(9, 2)))).toBe(list);
  });

  test('a task waiting for its undo is not brought back', () => {
    expect(applyTaskEvent([], ev('created', task(5, 1)), (id) => id === 5)).toEqual([]);
  });
});

describe('replaceTask', () => {
  test("this tab's answer replaces its optimistic row, and drops the copy the stream added first", () => {
    const optimistic = task(-1, 0, 'new');
    const withLive = applyTaskEvent([optimistic, task(1, 1)], ev('created', task(7, 1, 'new')));
    expect(withLive.map((t) => t.id)).toEqual([7, -1, 1]);
    const answered = replaceTask(withLive, -1, task(7, 1, 'new'));
    expect(answered.map((t) => t.id)).toEqual([7, 1]);
    expect(answered.filter((t) => t.id === 7)).toHaveLength(1);
  });

  test('an answer read before a live change does not undo it; an optimistic copy is replaced', () => {
    // The PATCH answered version 2; another device's version 3 came first on the stream.
    const live = [task(1, 3, 'theirs'), task(2, 1)];
    expect(replaceTask(live, 1, task(1, 2, 'mine'))).toEqual(live);
    // A create's answer, the stream having already added the task and a later rename of it.
    const created = replaceTask([task(-1, 0, 'new'), task(7, 2, 'renamed')], -1, task(7, 1, 'new'));
    expect(created.map((t) => [t.id, t.version, t.title])).toEqual([[7, 2, 'renamed']]);
    // This tab's optimistic copy (the same version) is replaced, and rolled back.
    const flipped = replaceTask([task(1, 3)], 1, { ...task(1, 3), completed: true });
    expect(flipped[0].completed).toBe(true);
    expect(replaceTask(flipped, 1, task(1, 3))[0].completed).toBe(false);
    // An answer for a task deleted meanwhile does not bring it back.
    expect(replaceTask([task(2, 1)], 1, task(1, 4))).toEqual([task(2, 1)]);
  });

  test('null removes the optimistic row', () => {
    expect(replaceTask([task(-1, 0), task(1, 1)], -1, null).map((t) => t.id)).toEqual([1]);
  });
});

describe('EventsDuringRequests', () => {
  test('a request gets the events applied while it was out, in order, and only those', () => {
    const log = new EventsDuringRequests();
    log.record([ev('created', task(1, 1))]); // no request out: not kept
    expect(log.size).toBe(0);
    const first = log.begin();
    const a = ev('updated', task(1, 2));
    log.record([a]);
    const second = log.begin();
    const b = ev('deleted', task(1, 2));
    const c = ev('created', task(2, 1));
    log.record([b, c]);
    expect(log.end(second)).toEqual([b, c]);
    expect(log.size).toBe(3); // the first request still needs all three
    const d = ev('updated', task(2, 2));
    log.record([d]);
    expect(log.end(first)).toEqual([a, b, c, d]);
    expect(log.size).toBe(0);
    expect(log.end(first)).toEqual([]); // ended already (answered, then cleaned up)
    const third = log.begin();
    expect(log.end(third)).toEqual([]);
  });

  test('a stale page with the missed events applied on top shows what the events made of it', () => {
    // The page was read before the rename and the delete, and answered after both.
    const page = [task(2, 1, 'Call Ada'), task(1, 1, 'Buy milk')];
    const missed = [ev('updated', task(1, 2, 'Buy oat milk')), ev('deleted', task(2, 1)), ev('created', task(3, 1, 'New'))];
    expect(applyTaskEvents(page, missed).map((t) => [t.id, t.title])).toEqual([[3, 'New'], [1, 'Buy oat milk']]);
    // A page read after them is left as it is.
    const fresh = [task(3, 1, 'New'), task(1, 2, 'Buy oat milk')];
    expect(applyTaskEvents(fresh, missed)).toEqual(fresh);
  });
});
