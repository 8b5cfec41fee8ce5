// In-app notifications (a reminder that fired becomes one; src/reminders on the server):
// the types and calls of GET/POST /api/{user}/notifications…, and the snooze choices.
import { api } from './api';
import { addDays, dayIn, toRfc3339, zonedToUtc } from './time';

export interface Notification {
  id: number;
  kind: 'reminder' | 'webhook_disabled'; // webhook_disabled: an endpoint was disabled (task_id null)
  task_id: number | null;
  title: string;
  due_at: string | null;
  remind_at: string | null;
  created_at: string;
  read_at: string | null;
  read: boolean;
}

export interface NotificationPage {
  items: Notification[];
  next_cursor: string | null;
  unread_count: number; // all unread ones of the user, whatever the page
}

export type Snoozed = Notification & { snoozed_until: string };

export const PANEL_PAGE_SIZE = 20;

const base = (userId: string) => `/api/${encodeURIComponent(userId)}/notifications`;

export const notificationsApi = {
  // The unread count, with the newest unread notification (for the "new reminder" message).
  unread: (userId: string, signal?: AbortSignal) => api.get<NotificationPage>(`${base(userId)}?unread=true&limit=1`, { signal }),
  list: (userId: string, cursor?: string | null, signal?: AbortSignal) => {
    const p = new URLSearchParams({ limit: String(PANEL_PAGE_SIZE) });
    if (cursor) p.set('cursor', cursor);
    return api.get<NotificationPage>(`${base(userId)}?${p}`, { signal });
  },
  read: (userId: string, id: number) => api.post<Notification>(`${base(userId)}/${id}/read`),
  readAll: (userId: string) => api.post<{ updated: number }>(`${base(userId)}/read-all`),
  snooze: (userId: string, id: number, until: string) => api.post<Snoozed>(`${base(userId)}/${id}/snooze`, { until }),
};

export type SnoozeChoice = '10m' | '1h' | 'tomorrow';

export const SNOOZE_LABELS: Record<SnoozeChoice, string> = {
  '10m': '10 minutes',
  '1h': '1 hour',
  tomorrow: 'Tomorrow 09:00',
};

export const TOMORROW_AT = '09:00';

// When a snooze chosen at `now` ends: 10 minutes or an hour later, or 09:00 tomorrow on
// the wall clock of `timeZone` (the browser's).
export function snoozeUntil(choice: SnoozeChoice, now: number, timeZone: string): string {
  if (choice === '10m') return toRfc3339(Math.floor(now / 1000) * 1000 + 10 * 60_000);
  if (choice === '1h') return toRfc3339(Math.floor(now / 1000) * 1000 + 3600_000);
  return zonedToUtc(addDays(dayIn(now, timeZone), 1), TOMORROW_AT, timeZone);
}
