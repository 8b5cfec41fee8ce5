// The user's notification preferences (issue 11): GET/PUT /api/{user_id}/preferences.
// PUT replaces the whole object; the server names each bad field (timezone: an IANA name).
import { api } from './api';

export interface Preferences {
  email_reminders: boolean;
  completion_notices: boolean;
  timezone: string;
  updated_at: string | null; // null: never saved (the defaults)
}

export type PreferencesInput = Omit<Preferences, 'updated_at'>;

const path = (userId: string) => `/api/${encodeURIComponent(userId)}/preferences`;

export const preferencesApi = {
  get: (userId: string) => api.get<Preferences>(path(userId)),
  put: (userId: string, p: PreferencesInput) => api.put<Preferences>(path(userId), p),
};

// The IANA zones this browser knows, with `current` in the list whatever it is.
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    zones = [];
  }
  const all = new Set(['UTC', ...zones]);
  if (current) all.add(current);
  return [...all].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}
