'use client';
// The events, newest first: type, task title, what changed, and when (relative, with the
// absolute time beside it).
import { changesOf, previousOf, TYPE_LABELS, type AuditEvent } from '@/lib/audit';
import { formatAbsolute, formatRelative } from '@/lib/time';

export function AuditList({ events, now }: { events: AuditEvent[]; now: number }) {
  return (
    <ol className="audit-list" aria-label="Events, newest first">
      {events.map((e, i) => {
        const changes = changesOf(e, previousOf(events, i));
        const title = e.task_data?.title ?? `Task ${e.task_id}`;
        return (
          <li key={e.event_id} className="event" data-event-type={e.event_type}>
            <span className={`event-type event-${e.event_type}`}>{TYPE_LABELS[e.event_type] ?? e.event_type}</span>
            <div className="event-body">
              <p className="event-title">
                <span className="event-task">{title}</span> <span className="muted">#{e.task_id}</span>
              </p>
              {e.event_type === 'deleted' ? (
                <p className="event-changes muted">The task was deleted.</p>
              ) : changes.length > 0 ? (
                <ul className="event-changes" aria-label="Changes">
                  {changes.map((c) => (
                    <li key={c.field}>
                      <span className="change-label">{c.label}:</span>{' '}
                      {c.before !== undefined ? (
                        <>
                          <del>{c.before}</del> <span aria-hidden="true">→</span>
                          <span className="visually-hidden"> changed to </span> <ins>{c.after}</ins>
                        </>
                      ) : (
                        c.after
                      )}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="event-changes muted">{e.event_type === 'created' ? 'New task.' : 'No visible change.'}</p>
              )}
            </div>
            <p className="event-time">
              <time dateTime={e.timestamp} title={formatAbsolute(e.timestamp)}>
                {formatRelative(e.timestamp, now)}
              </time>
              <span className="event-abs">{formatAbsolute(e.timestamp)}</span>
            </p>
          </li>
        );
      })}
    </ol>
  );
}
