// The account routes (issue 14): change the password, sign out everywhere, download the
// data, delete the account. Each of the first, second and last ends sessions on the server,
// in every process; the page then follows (session.expired()).
import { api, API_BASE } from './api';
import type { User } from './session';

export const accountApi = {
  // Every other session ends; this one is replaced (the server sets the new cookie).
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<{ user: User }>('/api/auth/change-password', { current_password: currentPassword, new_password: newPassword }),
  signOutEverywhere: () => api.post<void>('/api/auth/sign-out-all'),
  deleteAccount: (userId: string, password: string) =>
    api.delete(`/api/${encodeURIComponent(userId)}`, { body: { password } }),
  // A plain link: the browser downloads the streamed document itself (Content-Disposition),
  // with the session cookie, without holding it in the page.
  exportUrl: (userId: string) => `${API_BASE}/api/${encodeURIComponent(userId)}/export`,
};
