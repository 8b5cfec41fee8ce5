// Personal access tokens (issue 12): created, listed and revoked with the session cookie
// (the token routes never take a token). The secret comes back once, in the creation answer.
import { api } from './api';

export const SCOPES = [
  { scope: 'tasks:read', label: 'Read tasks' },
  { scope: 'tasks:write', label: 'Create, change and delete tasks' },
  { scope: 'audit:read', label: 'Read the audit trail' },
  { scope: 'notifications:read', label: 'Read notifications' },
  { scope: 'chat', label: 'Chat with the assistant' },
] as const;

export type Scope = (typeof SCOPES)[number]['scope'];

export interface AccessToken {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  expired: boolean;
}

export interface CreatedToken extends Omit<AccessToken, 'expired'> {
  token: string; // the secret: shown once
}

export interface NewToken {
  name: string;
  scopes: Scope[];
  expires_at?: string | null;
}

const base = (userId: string) => `/api/${encodeURIComponent(userId)}/tokens`;

export const tokensApi = {
  list: (userId: string) => api.get<{ items: AccessToken[] }>(base(userId)).then((r) => r.items),
  create: (userId: string, input: NewToken) => api.post<CreatedToken>(base(userId), input),
  revoke: (userId: string, id: string) => api.delete(`${base(userId)}/${encodeURIComponent(id)}`),
};

// The end of `day` (YYYY-MM-DD from a date input) in the browser's time zone, as RFC 3339 UTC:
// a token "expiring on" a day works through that whole day.
export function endOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d, 23, 59, 59).toISOString();
}
