'use client';
// The notifications panel under the bell: newest first, unread ones marked; mark one or
// all read, snooze a reminder (10 minutes, an hour, tomorrow 09:00 in the browser's zone),
// open its task. Every change is the server's answer, not a guess: the list and the
// unread count follow what the server said.
import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError } from '@/lib/api';
import { describeError } from '@/lib/messages';
import {
  notificationsApi,
  SNOOZE_LABELS,
  snoozeUntil,
  type Notification,
  type SnoozeChoice,
} from '@/lib/notifications';
import { useOnUnauthorized } from '@/lib/session';
import { browserTimeZone, formatDue, formatRelative } from '@/lib/time';

import { useToasts } from './Toasts';

export interface NotificationPanelProps {
  id: string;
  userId: string;
  onCount(unread: number): void; // the unread count the server gave
  onOpenTask(taskId: number): void;
}

const SNOOZE_NAMES: Record<SnoozeChoice, string> = { '10m': 'for 10 minutes', '1h': 'for 1 hour', tomorrow: 'to Tomorrow 09:00' };
const SNOOZE_SHORT: Record<SnoozeChoice, string> = { '10m': '10 min', '1h': '1 h', tomorrow: 'Tomorrow 09:00' };

export function NotificationPanel({ id, userId, onCount, onOpenTask }: NotificationPanelProps) {
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const unreadRef = useRef(0); // the latest count, for changes that finish one after another
  const [cursor, setCursor] = useState<string | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
  const [reload, setReload] = useState(0);
  const onUnauthorized = useOnUnauthorized();
  const toasts = useToasts();

  const counted = useCallback(
    (n: number) => {
      unreadRef.current = n;
      setUnread(n);
      onCount(n);
    },
    [onCount],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    setPhase('loading');
    notificationsApi
      .list(userId, null, ctrl.signal)
      .then((page) => {
        setItems(page.items);
        setCursor(page.next_cursor);
        counted(page.unread_count);
        setPhase('ready');
      })
      .catch((err) => {
        if (ctrl.signal.aborted || onUnauthorized(err)) return;
        setError(describeError(err, 'list'));
        setPhase('error');
      });
    return () => ctrl.abort();
  }, [userId, reload, counted, onUnauthorized]);

  const more = async () => {
    try {
      const page = await notificationsApi.list(userId, cursor);
      setItems((list) => {
        const seen = new Set(list.map((n) => n.id));
        return [...list, ...page.items.filter((n) => !seen.has(n.id))];
      });
      setCursor(page.next_cursor);
      counted(page.unread_count);
    } catch (err) {
      if (!onUnauthorized(err)) toasts.show({ kind: 'error', message: `More notifications could not be loaded. ${describeError(err, 'list')}` });
    }
  };

  // Runs one change of one notification; its answer replaces it in the list.
  const act = async <T extends Notification>(n: Notification, what: string, call: () => Promise<T>): Promise<T | null> => {
    setBusy((s) => new Set(s).add(n.id));
    try {
      const next = await call();
      setItems((list) => list.map((x) => (x.id === n.id ? { ...x, ...next } : x)));
      if (!n.read && next.read) counted(Math.max(0, unreadRef.current - 1));
      return next;
    } catch (err) {
      if (onUnauthorized(err)) return null;
      let message = describeError(err, 'list');
      if (err instanceof ApiError && err.status === 409)
        message = 'The task was completed, deleted or given another reminder meanwhile, so there is nothing to snooze.';
      if (err instanceof ApiError && err.status === 404) message = 'This notification no longer exists.';
      toasts.show({ kind: 'error', message: `“${n.title}” was not ${what}. ${message}` });
      return null;
    } finally {
      setBusy((s) => {
        const copy = new Set(s);
        copy.delete(n.id);
        return copy;
      });
    }
  };

  const markRead = (n: Notification) => act(n, 'marked read', () => notificationsApi.read(userId, n.id));

  const snooze = async (n: Notification, choice: SnoozeChoice) => {
    const until = snoozeUntil(choice, Date.now(), browserTimeZone());
    const done = await act(n, 'snoozed', () => notificationsApi.snooze(userId, n.id, until));
    if (done) toasts.show({ message: `Snoozed “${n.title}” until ${formatDue(done.snoozed_until)}.` });
  };

  const readAll = async () => {
    try {
      await notificationsApi.readAll(userId);
      const at = new Date().toISOString();
      setItems((list) => list.map((n) => (n.read ? n : { ...n, read: true, read_at: at })));
      counted(0);
    } catch (err) {
      if (!onUnauthorized(err)) toasts.show({ kind: 'error', message: `The notifications were not marked read. ${describeError(err, 'list')}` });
    }
  };

  const open = (n: Notification) => {
    if (n.task_id === null) return;
    if (!n.read) void markRead(n);
    onOpenTask(n.task_id);
  };

  const now = Date.now();
  return (
    <section id={id} className="notice-panel" aria-labelledby={`${id}-heading`}>
      <div className="notice-head">
        <h2 id={`${id}-heading`}>Notifications</h2>
        <button type="button" className="button button-quiet" onClick={() => void readAll()} disabled={phase !== 'ready' || unread === 0}>
          Mark all read
        </button>
      </div>
      {phase === 'loading' && (
        <p className="notice-state" role="status">
          Loading notifications…
        </p>
      )}
      {phase === 'error' && (
        <div className="notice-state" role="alert">
          <p>{error}</p>
          <button type="button" className="button" onClick={() => setReload((k) => k + 1)}>
            Try again
          </button>
        </div>
      )}
      {phase === 'ready' && items.length === 0 && (
        <p className="notice-state">No notifications yet. A task’s reminder appears here when it is due.</p>
      )}
      {phase === 'ready' && items.length > 0 && (
        <ul className="notice-list" aria-label="Notifications">
          {items.map((n) => (
            <li key={n.id} className={`notice${n.read ? '' : ' notice-unread'}`} data-notification-id={n.id} aria-busy={busy.has(n.id) || undefined}>
              {n.task_id !== null ? (
                <button type="button" className="notice-title" onClick={() => open(n)} aria-label={`Open “${n.title}”`}>
                  {n.title}
                </button>
              ) : (
                <p className="notice-title">{n.title}</p>
              )}
              <p className="notice-meta">
                {!n.read && <span className="notice-dot">Unread · </span>}
                Reminder{n.due_at && <> · due {formatDue(n.due_at, now)}</>} · <time dateTime={n.created_at}>{formatRelative(n.created_at, now)}</time>
              </p>
              <div className="notice-actions">
                {!n.read && (
                  <button type="button" className="button button-small" onClick={() => void markRead(n)} disabled={busy.has(n.id)} aria-label={`Mark “${n.title}” as read`}>
                    Mark read
                  </button>
                )}
                {n.task_id !== null && (
                  <span className="snooze" role="group" aria-label={`Snooze “${n.title}”`}>
                    <span aria-hidden="true">Snooze:</span>
                    {(Object.keys(SNOOZE_LABELS) as SnoozeChoice[]).map((c) => (
                      <button
                        key={c}
                        type="button"
                        className="button button-small"
                        onClick={() => void snooze(n, c)}
                        disabled={busy.has(n.id)}
                        aria-label={`Snooze “${n.title}” ${SNOOZE_NAMES[c]}`}
                        title={SNOOZE_LABELS[c]}
                      >
                        {SNOOZE_SHORT[c]}
                      </button>
                    ))}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {phase === 'ready' && cursor && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void more()}>
            Show more
          </button>
        </div>
      )}
    </section>
  );
}
