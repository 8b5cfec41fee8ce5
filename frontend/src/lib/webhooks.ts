// Webhooks (src/webhooks on the server): the types and calls of /api/{user}/webhooks…
// An endpoint's secret comes only in the answer to its creation.
import { api } from './api';

export const EVENT_TYPES = ['task.created', 'task.updated', 'task.completed', 'task.deleted', 'reminder.fired'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_LABELS: Record<EventType, string> = {
  'task.created': 'Task created',
  'task.updated': 'Task updated',
  'task.completed': 'Task completed',
  'task.deleted': 'Task deleted',
  'reminder.fired': 'Reminder fired',
};

export interface Webhook {
  id: number;
  url: string;
  event_types: EventType[];
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

export type CreatedWebhook = Webhook & { secret: string };

export interface WebhookDelivery {
  id: number;
  event_id: string;
  event_type: EventType | 'webhook.test';
  msg_id: string;
  attempt: number;
  state: 'pending' | 'succeeded' | 'failed' | 'dead';
  status_code: number | null;
  error: string | null;
  duration_ms: number | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryPage {
  items: WebhookDelivery[];
  next_cursor: string | null;
}

export const DELIVERY_PAGE_SIZE = 20;

const base = (userId: string) => `/api/${encodeURIComponent(userId)}/webhooks`;

export const webhooksApi = {
  list: (userId: string) => api.get<{ items: Webhook[] }>(base(userId)).then((r) => r.items),
  create: (userId: string, url: string, eventTypes: EventType[]) => api.post<CreatedWebhook>(base(userId), { url, event_types: eventTypes }),
  setEnabled: (userId: string, id: number, enabled: boolean) => api.patch<Webhook>(`${base(userId)}/${id}`, { enabled }),
  remove: (userId: string, id: number) => api.delete(`${base(userId)}/${id}`),
  test: (userId: string, id: number) => api.post<{ event_id: string; msg_id: string }>(`${base(userId)}/${id}/test`),
  deliveries: (userId: string, id: number, cursor?: string | null) => {
    const p = new URLSearchParams({ limit: String(DELIVERY_PAGE_SIZE) });
    if (cursor) p.set('cursor', cursor);
    return api.get<DeliveryPage>(`${base(userId)}/${id}/deliveries?${p}`);
  },
};
