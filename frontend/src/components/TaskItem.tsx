'use client';
// One row of the task list: completion checkbox, title (opens the editor), priority
// badge, tags, due date (overdue in red, said in words too), recurrence marker, actions.
import { memo } from 'react';

import { describeRule } from '@/lib/recurrence';
import type { Task } from '@/lib/tasks';
import { formatDue, isOverdue } from '@/lib/time';

const PRIORITY_LABEL = { low: 'Low', medium: 'Medium', high: 'High' } as const;

export interface TaskItemProps {
  task: Task;
  saving: boolean; // not yet on the server (quick add) or a change in flight
  now: number;
  onToggle(task: Task): void;
  onEdit(task: Task): void;
  onDelete(task: Task): void;
}

export const TaskItem = memo(function TaskItem({ task, saving, now, onToggle, onEdit, onDelete }: TaskItemProps) {
  const overdue = isOverdue(task.due_at, task.completed, now);
  const temp = task.id < 0;
  const checkboxId = `task-${task.id}-done`;
  return (
    <li className={`task${task.completed ? ' task-done' : ''}`} aria-busy={saving || undefined} data-task-id={task.id}>
      <input
        id={checkboxId}
        type="checkbox"
        className="task-check"
        checked={task.completed}
        disabled={temp}
        onChange={() => onToggle(task)}
        aria-label={`Mark “${task.title}” as ${task.completed ? 'not done' : 'done'}`}
      />
      <div className="task-body">
        <button type="button" className="task-title" onClick={() => onEdit(task)} disabled={temp} aria-label={`Edit “${task.title}”`}>
          {task.title}
        </button>
        <div className="task-meta">
          <span className={`badge badge-${task.priority}`}>
            <span className="visually-hidden">Priority: </span>
            {PRIORITY_LABEL[task.priority]}
          </span>
          {task.due_at && (
            <span className={`due${overdue ? ' due-overdue' : ''}`}>
              <span className="visually-hidden">Due: </span>
              <time dateTime={task.due_at}>{formatDue(task.due_at, now)}</time>
              {overdue && <span className="overdue-label"> · Overdue</span>}
            </span>
          )}
          {task.recurrence && (
            <span className="recurrence" title={`Repeats: ${task.recurrence}`}>
              <span aria-hidden="true">↻ </span>
              <span className="visually-hidden">Repeats: </span>
              {describeRule(task.recurrence)}
            </span>
          )}
          {task.remind_at && (
            <span className="reminder" title={`Reminder: ${new Date(task.remind_at).toLocaleString()}`}>
              <span aria-hidden="true">⏰</span>
              <span className="visually-hidden">Has a reminder</span>
            </span>
          )}
          {task.tags.length > 0 && (
            <ul className="tags" aria-label="Tags">
              {task.tags.map((t) => (
                <li key={t} className="tag">
                  #{t}
                </li>
              ))}
            </ul>
          )}
          {saving && <span className="saving">Saving…</span>}
        </div>
      </div>
      <button
        type="button"
        className="icon-button task-delete"
        onClick={() => onDelete(task)}
        disabled={temp}
        aria-label={`Delete “${task.title}”`}
        title="Delete"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
          <path
            fill="currentColor"
            d="M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h2v-8h-2z"
          />
        </svg>
      </button>
    </li>
  );
});
