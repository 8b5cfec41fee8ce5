'use client';
// Live updates from the server (GET /api/{user}/stream, Server-Sent Events; src/stream on the
// server): one EventSource per signed-in tab, shared by whoever listens (the task list, the
// bell). Same origin, so the session cookie authenticates it.
//
// Messages: `task` (a task event as the server published it: event_type, task_id,
// task_version, task_data), `notification` (a reminder that fired, as the notifications API
// returns it), `notifications` (the unread count changed, e.g. read in another tab) and
// `reset` (the server no longer has what this tab missed: reload). EventSource reconnects by
// itself after a network error and sends Last-Event-ID, so the server replays what was
// missed; nothing is sent twice.
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';

import { API_BASE } from './api';
import type { Notification } from './notifications';
import { useSession } from './session';
import type { Task } from './tasks';

export interface TaskEvent {
  event_id: string;
  event_type: 'created' | 'updated' | 'completed' | 'deleted';
  user_id: string;
  task_id: number;
  task_version: number;
  task_data: Task;
}

export type LiveMessage =
  | { kind: 'task'; event: TaskEvent }
  | { kind: 'notification'; notification: Notification }
  | { kind: 'notifications'; unreadCount: number }
  | { kind: 'reset' }
  // The stream (re)connected. A first connection starts live, so a change committed between
  // a page's own load and this moment is not sent: a page that had loaded reloads.
  | { kind: 'open' };

type Listener = (m: LiveMessage) => void;

interface LiveUpdates {
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<LiveUpdates | null>(null);

// The URL of a user's stream (exported for the tests).
export const streamUrl = (userId: string) => `${API_BASE}/api/${encodeURIComponent(userId)}/stream`;

// One message from an SSE event, or null for one this UI does not know.
export function parseLiveMessage(type: string, data: string): LiveMessage | null {
  try {
    const body = JSON.parse(data);
    if (type === 'task') return { kind: 'task', event: body as TaskEvent };
    if (type === 'notification') return { kind: 'notification', notification: body as Notification };
    if (type === 'notifications' && typeof body?.unread_count === 'number')
      return { kind: 'notifications', unreadCount: body.unread_count };
    if (type === 'reset') return { kind: 'reset' };
  } catch {
    // Not JSON: not ours.
  }
  return null;
}

export function LiveUpdatesProvider({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const userId = state.status === 'signed-in' ? state.user.id : null;
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    // A UI on another origin (NEXT_PUBLIC_API_BASE) sends its cookie along, as fetch does.
    const es = new EventSource(streamUrl(userId), { withCredentials: API_BASE !== '' });
    const on = (type: string) =>
      es.addEventListener(type, (e) => {
        const m = parseLiveMessage(type, (e as MessageEvent<string>).data);
        if (m) for (const l of listeners.current) l(m);
      });
    ['task', 'notification', 'notifications', 'reset'].forEach(on);
    es.addEventListener('open', () => {
      for (const l of listeners.current) l({ kind: 'open' });
    });
    return () => es.close();
  }, [userId]);

  const value = useMemo<LiveUpdates>(
    () => ({
      subscribe(listener) {
        listeners.current.add(listener);
        return () => void listeners.current.delete(listener);
      },
    }),
    [],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

// Calls `listener` with every live message while the component is mounted (the latest
// `listener` each time: no need to memoise it). Outside a provider (a component test of one
// view) nothing comes.
export function useLiveUpdates(listener: Listener) {
  const ctx = useContext(LiveContext);
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => ctx?.subscribe((m) => ref.current(m)), [ctx]);
}
