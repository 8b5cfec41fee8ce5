'use client';
// The list with its loading, empty and error states and the "load more" control. The
// skeleton has the height of real rows, so the page does not jump when data arrives.
// Given groups (the Upcoming view), one list per day under the day's heading.
import type { Task } from '@/lib/tasks';
import type { DayGroup } from '@/lib/views';

import { TaskItem } from './TaskItem';

export interface TaskListProps {
  phase: 'loading' | 'ready' | 'error';
  tasks: Task[];
  saving: ReadonlySet<number>;
  now: number;
  filtered: boolean;
  emptyMessage?: string; // an empty view's sentence ("Nothing due today.")
  groups?: DayGroup[];
  error?: string;
  hasMore: boolean;
  loadingMore: boolean;
  onRetry(): void;
  onLoadMore(): void;
  onClearFilters(): void;
  onToggle(task: Task): void;
  onEdit(task: Task): void;
  onDelete(task: Task): void;
}

export function TaskList(props: TaskListProps) {
  const { phase, tasks } = props;
  if (phase === 'loading') {
    return (
      <div className="task-list-state" aria-busy="true">
        <p className="visually-hidden" role="status">
          Loading tasks…
        </p>
        <ul className="task-list" aria-hidden="true">
          {[0, 1, 2, 3].map((i) => (
            <li key={i} className="task task-skeleton" />
          ))}
        </ul>
      </div>
    );
  }
  if (phase === 'error') {
    return (
      <div className="empty-state" role="alert">
        <p>{props.error ?? 'The tasks could not be loaded.'}</p>
        <button type="button" className="button" onClick={props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (tasks.length === 0) {
    if (props.filtered)
      return (
        <div className="empty-state">
          <p>No tasks match these filters.</p>
          <button type="button" className="button" onClick={props.onClearFilters}>
            Clear filters
          </button>
        </div>
      );
    return props.emptyMessage ? (
      <div className="empty-state">
        <p className="empty-title">{props.emptyMessage}</p>
      </div>
    ) : (
      <div className="empty-state">
        <p className="empty-title">Nothing to do yet.</p>
        <p>Type a task above and press Enter to add it.</p>
      </div>
    );
  }
  const items = (list: Task[]) =>
    list.map((t) => (
      <TaskItem
        key={t.id}
        task={t}
        saving={props.saving.has(t.id)}
        now={props.now}
        onToggle={props.onToggle}
        onEdit={props.onEdit}
        onDelete={props.onDelete}
      />
    ));
  return (
    <>
      {props.groups ? (
        props.groups.map((g) => (
          <section key={g.date} className="day-group" aria-labelledby={`day-${g.date || 'none'}`} data-day={g.date}>
            <h2 id={`day-${g.date || 'none'}`} className="day-heading">
              {g.label}
            </h2>
            <ul className="task-list" aria-label={`Tasks due ${g.label}`}>
              {items(g.tasks)}
            </ul>
          </section>
        ))
      ) : (
        <ul className="task-list" aria-label="Tasks">
          {items(tasks)}
        </ul>
      )}
      {props.hasMore && (
        <div className="load-more">
          <button type="button" className="button" onClick={props.onLoadMore} disabled={props.loadingMore}>
            {props.loadingMore ? 'Loading…' : 'Load more tasks'}
          </button>
        </div>
      )}
    </>
  );
}
