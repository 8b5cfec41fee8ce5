'use client';
// The tasks page: quick add, filters, the list, the editor, and the optimistic changes.
//
// Optimistic: quick add shows the task at once, the checkbox flips at once, a deleted task
// disappears at once (its DELETE is sent when the undo toast closes). When the server says
// no (409, 412, 422, ...) the change is rolled back and a message says why; after a 412
// the task is reloaded so the next try uses its current version.
//
// Views: the full list with its filters, or Today, Upcoming (7 days, grouped by day) and
// Overdue, whose windows the server filters (lib/views.ts). Completing a recurring task
// brings its next occurrence into the list without a reload (lib/series.ts). A task
// opened from the notifications panel (lib/taskFocus.tsx) opens in the editor. Changes made
// elsewhere (another tab or device, the API, the chat) arrive as live task events
// (lib/liveUpdates.tsx): the full list applies them in place (lib/liveTasks.ts: by id and
// version, no duplicates); a filtered list or a view asks the server again.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { ApiError } from '@/lib/api';
import { applyTaskEvents, EventsDuringRequests, replaceTask } from '@/lib/liveTasks';
import { useLiveUpdates, type TaskEvent } from '@/lib/liveUpdates';
import { describeError } from '@/lib/messages';
import { waitForNextOccurrence } from '@/lib/series';
import { useOnUnauthorized } from '@/lib/session';
import { useTaskFocus } from '@/lib/taskFocus';
import {
  DEFAULT_FILTERS,
  hasActiveFilters,
  newIdempotencyKey,
  tasksApi,
  type Task,
  type TaskFilters as Filters,
  type ListScope,
  type TaskInput,
} from '@/lib/tasks';
import { browserTimeZone, dayIn } from '@/lib/time';
import { groupByDay, VIEW_EMPTY, viewScope, type View } from '@/lib/views';

import { QuickAdd, type QuickAddInput } from './QuickAdd';
import { TaskEditor } from './TaskEditor';
import { TaskFilters } from './TaskFilters';
import { TaskList } from './TaskList';
import { useToasts } from './Toasts';
import { useNow } from './useNow';
import { ViewSwitcher } from './ViewSwitcher';

const UNDO_MS = 5000;
const SEARCH_DEBOUNCE_MS = 250;
const HOLD_LIMIT_MS = 5000; // how long live task events wait for this tab's own creates

type Editing = { task: Task | null; initialTitle?: string } | null;

export function TasksView({ userId }: { userId: string | null }) {
  const toasts = useToasts();
  const onUnauthorized = useOnUnauthorized();
  const now = useNow();
  const focus = useTaskFocus();
  const zone = useMemo(() => browserTimeZone(), []);
  const [view, setView] = useState<View>('all');
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const [search, setSearch] = useState('');
  const [tasks, setTasks] = useState<Task[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [loadError, setLoadError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [saving, setSaving] = useState<ReadonlySet<number>>(new Set());
  const [quickError, setQuickError] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const [reloadKey, setReloadKey] = useState(0);
  // Deletes waiting for their undo window: id -> the task and its timer.
  const pendingDeletes = useRef(new Map<number, { task: Task; timer: ReturnType<typeof setTimeout>; toast: number }>());
  const tempId = useRef(-1);
  // The window of the page shown, for its next pages (a cursor goes with its query).
  const scope = useRef<ListScope | null>(null);
  // The wait for a completed recurring task's next occurrence (one at a time).
  const following = useRef<AbortController | null>(null);

  const fail = useCallback(
    (err: unknown, prefix = '') => {
      if (onUnauthorized(err)) return;
      toasts.show({ kind: 'error', message: prefix + describeError(err, 'task') });
    },
    [onUnauthorized, toasts],
  );

  const markSaving = (id: number, on: boolean) =>
    setSaving((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const replace = (id: number, task: Task | null) => setTasks((list) => replaceTask(list, id, task));

  // Live task events. A list with filters or a view would have to know which tasks match
  // it: it asks the server again instead, once a burst of events has passed.
  const liveReload = useRef<ReturnType<typeof setTimeout> | null>(null);
  const loadedRef = useRef(false); // a list is on screen: a stream that opens after it reloads it
  useEffect(() => {
    loadedRef.current = phase === 'ready';
  }, [phase]);
  useEffect(() => () => clearTimeout(liveReload.current ?? undefined), []);
  // While this tab's own creates are in flight, task events wait (in order) for their
  // answers: the stream can deliver a create's event before its POST is answered, and the
  // optimistic row and the event's row would both be shown until then. They wait at most
  // HOLD_LIMIT_MS (a POST that hangs must not freeze the other devices' changes); a reload
  // (reset, reconnect) or another user makes them moot.
  const ownCreates = useRef(0);
  const heldEvents = useRef<TaskEvent[]>([]);
  const holdTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const dropHeldEvents = useCallback(() => {
    heldEvents.current = [];
    clearTimeout(holdTimer.current ?? undefined);
    holdTimer.current = null;
  }, []);
  useEffect(() => dropHeldEvents, [userId, dropHeldEvents]);
  const inPlaceRef = useRef(true);
  useEffect(() => {
    inPlaceRef.current = view === 'all' && !hasActiveFilters(filters);
  });
  // Events applied in place while a page of the list is being fetched, applied again on top
  // of that page when it comes (it may have been read before them).
  const duringRequests = useRef(new EventsDuringRequests());
  const hidden = useCallback((id: number) => pendingDeletes.current.has(id), []);
  const applyLive = useCallback((events: TaskEvent[]) => {
    if (events.length === 0) return;
    if (inPlaceRef.current) {
      duringRequests.current.record(events);
      setTasks((list) => applyTaskEvents(list, events, hidden));
    } else {
      clearTimeout(liveReload.current ?? undefined);
      liveReload.current = setTimeout(() => setReloadKey((k) => k + 1), 300);
    }
  }, [hidden]);
  const releaseHeldEvents = useCallback(
    (force = false) => {
      if (ownCreates.current > 0 && !force) return;
      const events = heldEvents.current;
      dropHeldEvents();
      applyLive(events);
    },
    [applyLive, dropHeldEvents],
  );
  useLiveUpdates((m) => {
    if (m.kind === 'task' && ownCreates.current === 0) {
      applyLive([m.event]);
    } else if (m.kind === 'task') {
      heldEvents.current.push(m.event);
      holdTimer.current ??= setTimeout(() => releaseHeldEvents(true), HOLD_LIMIT_MS);
    } else if (m.kind === 'reset' || (m.kind === 'open' && loadedRef.current)) {
      dropHeldEvents(); // the reload below covers them
      clearTimeout(liveReload.current ?? undefined);
      liveReload.current = setTimeout(() => setReloadKey((k) => k + 1), 300);
    }
  });

  // Search waits for a pause in typing.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === search ? f : { ...f, q: search })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [search]);

  // A view's days end at midnight in the browser's zone: the list follows when one does.
  const day = view === 'all' ? '' : dayIn(now, zone);

  // First page whenever the user, the view or the filters change.
  useEffect(() => {
    if (!userId) return;
    const ctrl = new AbortController();
    setPhase((p) => (p === 'ready' ? p : 'loading'));
    const s = viewScope(view, Date.now(), zone);
    scope.current = s;
    const request = duringRequests.current.begin();
    tasksApi
      .list(userId, filters, null, ctrl.signal, s)
      .then((page) => {
        // Recorded only for a list kept in place, the one this page is for.
        const missed = duringRequests.current.end(request);
        setTasks(applyTaskEvents(page.items.filter((t) => !hidden(t.id)), missed, hidden));
        setNextCursor(page.next_cursor);
        setPhase('ready');
      })
      .catch((err) => {
        duringRequests.current.end(request);
        if (ctrl.signal.aborted || onUnauthorized(err)) return;
        setLoadError(describeError(err, 'list'));
        setPhase('error');
      });
    return () => {
      ctrl.abort();
      duringRequests.current.end(request);
    };
  }, [userId, filters, view, day, zone, reloadKey, onUnauthorized, hidden]);

  const loadMore = useCallback(async () => {
    if (!userId || !nextCursor) return;
    setLoadingMore(true);
    const request = duringRequests.current.begin();
    try {
      const page = await tasksApi.list(userId, filters, nextCursor, undefined, scope.current);
      // The events applied meanwhile went to the list already, but this page may undo them
      // (a task deleted meanwhile): applied again over the whole list, they change nothing
      // else.
      const missed = duringRequests.current.end(request);
      setTasks((list) => {
        const seen = new Set(list.map((t) => t.id));
        const more = page.items.filter((t) => !seen.has(t.id) && !hidden(t.id));
        return applyTaskEvents([...list, ...more], missed, hidden);
      });
      setNextCursor(page.next_cursor);
    } catch (err) {
      fail(err, 'More tasks could not be loaded. ');
    } finally {
      duringRequests.current.end(request);
      setLoadingMore(false);
    }
  }, [userId, nextCursor, filters, fail, hidden]);

  // After a 412 the version we hold is stale: fetch the task as it is now.
  const refresh = useCallback(
    async (id: number) => {
      if (!userId) return;
      try {
        replace(id, await tasksApi.get(userId, id));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) replace(id, null);
      }
    },
    [userId],
  );

  // `input`: the title and the fields the quick add's chips give (QuickAdd.tsx).
  const quickAdd = useCallback(
    async (input: QuickAddInput) => {
      if (!userId) return;
      setQuickError('');
      const { title } = input;
      const id = tempId.current--;
      const at = new Date().toISOString();
      const timezone = input.timezone ?? browserTimeZone();
      const temp: Task = {
        id,
        user_id: userId,
        title,
        description: '',
        completed: false,
        priority: input.priority ?? 'medium',
        tags: input.tags ?? [],
        due_at: input.due_at ?? null,
        remind_at: input.remind_at ?? null,
        recurrence: input.recurrence ?? null,
        timezone,
        created_at: at,
        updated_at: at,
        completed_at: null,
        version: 0,
        series_id: null,
      };
      setTasks((list) => [temp, ...list]);
      markSaving(id, true);
      ownCreates.current += 1;
      try {
        const created = await tasksApi.create(userId, { ...input, timezone }, newIdempotencyKey());
        replace(id, created);
      } catch (err) {
        replace(id, null);
        if (!onUnauthorized(err)) setQuickError(`“${title}” was not added. ${describeError(err, 'task')}`);
      } finally {
        markSaving(id, false);
        ownCreates.current -= 1;
        releaseHeldEvents(); // after the answer's row is in: the create's own event changes nothing
      }
    },
    [userId, onUnauthorized, releaseHeldEvents],
  );

  // After a recurring task is completed: the list again once its next occurrence exists
  // (or the bounded wait gave up: the series may have ended).
  const followSeries = useCallback(
    async (done: Task) => {
      if (!userId) return;
      following.current?.abort();
      const ctrl = (following.current = new AbortController());
      try {
        await waitForNextOccurrence(userId, done, ctrl.signal);
      } catch (err) {
        if (ctrl.signal.aborted || onUnauthorized(err)) return;
      }
      if (!ctrl.signal.aborted) setReloadKey((k) => k + 1);
    },
    [userId, onUnauthorized],
  );
  useEffect(() => () => following.current?.abort(), []);

  const toggle = useCallback(
    async (task: Task) => {
      if (!userId) return;
      const completed = !task.completed;
      replace(task.id, { ...task, completed });
      markSaving(task.id, true);
      try {
        const saved = await tasksApi.setCompleted(userId, task, completed);
        replace(task.id, saved);
        if (completed && saved.recurrence) void followSeries(saved);
      } catch (err) {
        replace(task.id, task);
        fail(err, `“${task.title}” was not ${completed ? 'completed' : 'reopened'}. `);
        if (err instanceof ApiError && (err.status === 412 || err.status === 409)) void refresh(task.id);
        if (err instanceof ApiError && err.status === 404) replace(task.id, null);
      } finally {
        markSaving(task.id, false);
      }
    },
    [userId, fail, refresh, followSeries],
  );

  const commitDelete = useCallback(
    async (id: number, keepalive = false) => {
      const pending = pendingDeletes.current.get(id);
      if (!pending || !userId) return;
      pendingDeletes.current.delete(id);
      clearTimeout(pending.timer);
      try {
        await tasksApi.remove(userId, pending.task, keepalive);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return; // already gone
        setTasks((list) => (list.some((t) => t.id === id) ? list : [pending.task, ...list]));
        fail(err, `“${pending.task.title}” was not deleted. `);
        if (err instanceof ApiError && err.status === 412) void refresh(id);
      }
    },
    [userId, fail, refresh],
  );

  const remove = useCallback(
    (task: Task) => {
      const where = { index: 0 }; // filled in by the update below, read on undo
      setTasks((list) => {
        where.index = Math.max(0, list.findIndex((t) => t.id === task.id));
        return list.filter((t) => t.id !== task.id);
      });
      const undo = () => {
        const pending = pendingDeletes.current.get(task.id);
        if (!pending) return;
        clearTimeout(pending.timer);
        pendingDeletes.current.delete(task.id);
        setTasks((list) => {
          const copy = [...list];
          copy.splice(Math.min(where.index, copy.length), 0, task);
          return copy;
        });
      };
      const toast = toasts.show({
        message: `Deleted “${task.title}”.`,
        action: { label: 'Undo', onAction: undo },
        durationMs: UNDO_MS,
        onClose: () => void commitDelete(task.id),
      });
      // The toast's timer commits; this one is a safety net should the toast be lost.
      const timer = setTimeout(() => void commitDelete(task.id), UNDO_MS + 1000);
      pendingDeletes.current.set(task.id, { task, timer, toast });
    },
    [toasts, commitDelete],
  );

  // Leaving the page (client navigation or closing the tab) sends waiting deletes now;
  // keepalive lets the request outlive the page.
  const commitRef = useRef(commitDelete);
  useEffect(() => {
    commitRef.current = commitDelete;
  });
  useEffect(() => {
    const pending = pendingDeletes.current;
    const flush = () => {
      for (const [id, p] of [...pending.entries()]) {
        void commitRef.current(id, true);
        toasts.dismiss(p.toast);
      }
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [toasts]);

  // For the performance test (tests/e2e): when the first list is on screen.
  const marked = useRef(false);
  useEffect(() => {
    if (phase === 'ready' && !marked.current && typeof performance.mark === 'function') {
      marked.current = true;
      performance.mark('tasks-list-rendered');
    }
  }, [phase]);

  const save = useCallback(
    async (body: TaskInput) => {
      if (!userId || !editing) return;
      const task = editing.task;
      try {
        if (task) replace(task.id, await tasksApi.update(userId, task, body));
        else {
          const created = await tasksApi.create(userId, body, newIdempotencyKey());
          setTasks((list) => [created, ...list.filter((t) => t.id !== created.id)]);
        }
        setEditing(null);
      } catch (err) {
        if (onUnauthorized(err)) return;
        if (task && err instanceof ApiError && err.status === 412) void refresh(task.id);
        throw err;
      }
    },
    [userId, editing, onUnauthorized, refresh],
  );

  // A task to open from the notifications panel: as it is now on the server.
  const { requested, done: focusDone } = focus;
  useEffect(() => {
    if (!userId || requested === null) return;
    focusDone();
    tasksApi
      .get(userId, requested)
      .then((task) => setEditing({ task }))
      .catch((err) => fail(err, 'The task could not be opened. '));
  }, [userId, requested, focusDone, fail]);

  const edit = useCallback((task: Task) => setEditing({ task }), []);
  const knownTags = useMemo(() => [...new Set(tasks.flatMap((t) => t.tags))].sort(), [tasks]);
  const groups = useMemo(() => (view === 'upcoming' ? groupByDay(tasks, now, zone) : undefined), [view, tasks, now, zone]);
  // In a view, the view sets status, due dates and order; the other filters still apply.
  const active =
    view === 'all'
      ? hasActiveFilters(filters) || search.trim() !== ''
      : filters.priority !== '' || filters.tag.trim() !== '' || filters.q.trim() !== '' || search.trim() !== '';
  const clear = () => {
    setSearch('');
    setFilters(DEFAULT_FILTERS);
  };

  return (
    <div className="tasks-view">
      <QuickAdd
        userId={userId}
        disabled={!userId}
        error={quickError}
        onAdd={quickAdd}
        onMore={(title) => setEditing({ task: null, initialTitle: title })}
      />
      <ViewSwitcher view={view} onChange={setView} />
      <TaskFilters
        view={view}
        filters={filters}
        search={search}
        onSearch={setSearch}
        onChange={setFilters}
        onClear={clear}
        active={active}
        knownTags={knownTags}
      />
      <TaskList
        phase={userId ? phase : 'loading'}
        tasks={tasks}
        saving={saving}
        now={now}
        filtered={active}
        emptyMessage={view === 'all' ? undefined : VIEW_EMPTY[view]}
        groups={groups}
        error={loadError}
        hasMore={nextCursor !== null}
        loadingMore={loadingMore}
        onRetry={() => setReloadKey((k) => k + 1)}
        onLoadMore={loadMore}
        onClearFilters={clear}
        onToggle={toggle}
        onEdit={edit}
        onDelete={remove}
      />
      {editing && (
        <TaskEditor
          key={editing.task?.id ?? 'new'}
          task={editing.task}
          initialTitle={editing.initialTitle}
          userId={userId}
          onSubmit={save}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}
