'use client';
// The bell in the header: the number of unread notifications (reminders that fired) and,
// when pressed, the notifications panel under it.
//
// Live: a reminder that fires arrives on the stream (lib/liveUpdates.tsx) as a
// `notification` (the count grows, a message names it, with "Open", and — when turned on in
// the settings — a system notification, lib/browserNotifications.ts); a count changed in
// another tab arrives as `notifications`. As a safety net the count is also asked for every
// 30 s while the page is visible, when the window gets the focus back and when the tab
// becomes visible again.
import { usePathname, useRouter } from 'next/navigation';
import { useCallback, useEffect, useId, useRef, useState } from 'react';

import { showReminderNotification } from '@/lib/browserNotifications';
import { useLiveUpdates } from '@/lib/liveUpdates';
import { notificationsApi, type Notification } from '@/lib/notifications';
import { useOnUnauthorized } from '@/lib/session';
import { useTaskFocus } from '@/lib/taskFocus';

import { NotificationPanel } from './NotificationPanel';
import { useToasts } from './Toasts';

export const POLL_MS = 30_000;

export function NotificationBell({ userId }: { userId: string }) {
  const [count, setCount] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const known = useRef<number | null>(null); // the last count, to tell when it grows
  const announced = useRef<number | null>(null); // the last notification announced
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const onUnauthorized = useOnUnauthorized();
  const toasts = useToasts();
  const focus = useTaskFocus();
  const router = useRouter();
  const pathname = usePathname();

  const openTask = useCallback(
    (taskId: number) => {
      setOpen(false);
      focus.open(taskId);
      if (pathname !== '/tasks') router.push('/tasks');
    },
    [focus, pathname, router],
  );

  const announce = useCallback(
    (newest: Notification | undefined) => {
      // Once per notification, whether the poll or the stream told first.
      if (!newest || announced.current === newest.id) return;
      announced.current = newest.id;
      const taskId = newest.task_id;
      toasts.show({
        message: `Reminder: “${newest.title}”`,
        action: taskId !== null ? { label: 'Open', onAction: () => openTask(taskId) } : undefined,
        durationMs: 10_000,
      });
    },
    [toasts, openTask],
  );
  const announceRef = useRef(announce);
  useEffect(() => {
    announceRef.current = announce;
  });

  // A count from the server (the poll, or the panel's own list).
  const update = useCallback((n: number, newest?: Notification) => {
    if (known.current !== null && n > known.current) announceRef.current(newest);
    known.current = n;
    setCount(n);
  }, []);

  // Counts the stream has changed: a poll answered after one of them may have been read before
  // it, and is then not taken (the next poll corrects any drift).
  const liveChanges = useRef(0);
  useLiveUpdates((m) => {
    if (m.kind === 'notifications' || m.kind === 'notification') liveChanges.current += 1;
    if (m.kind === 'notifications') update(m.unreadCount);
    if (m.kind === 'notification') {
      const n = m.notification;
      if (!n.read) {
        known.current = (known.current ?? 0) + 1;
        setCount(known.current);
      }
      announceRef.current(n);
      const taskId = n.task_id;
      showReminderNotification(n, () => taskId !== null && openTask(taskId));
    }
  });

  useEffect(() => {
    let live = true;
    let ctrl: AbortController | null = null;
    const refresh = async () => {
      if (document.visibilityState === 'hidden') return;
      ctrl?.abort();
      const mine = (ctrl = new AbortController());
      const changes = liveChanges.current;
      try {
        const page = await notificationsApi.unread(userId, mine.signal);
        if (live && liveChanges.current === changes) update(page.unread_count, page.items[0]);
      } catch (err) {
        // Otherwise the bell keeps its last count until the next try.
        if (live && !mine.signal.aborted) onUnauthorized(err);
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    const onFocus = () => void refresh();
    const onVisible = () => document.visibilityState === 'visible' && void refresh();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      ctrl?.abort();
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [userId, update, onUnauthorized]);

  // A click or a tap outside the panel closes it.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  const unread = count ?? 0;
  return (
    <div
      className="bell"
      ref={wrapRef}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="icon-button bell-button"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
          />
        </svg>
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && <NotificationPanel id={panelId} userId={userId} onCount={update} onOpenTask={openTask} />}
    </div>
  );
}
