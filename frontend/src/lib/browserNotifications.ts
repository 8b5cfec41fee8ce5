// System notifications (the Notification API) for reminders, when the user turned them on in
// the settings (components/BrowserNotificationsToggle.tsx): the choice is kept in
// localStorage, per browser, and needs the browser's permission as well.
import type { Notification as AppNotification } from './notifications';

const KEY = 'todo.browserNotifications';

export const browserNotificationsSupported = () => typeof window !== 'undefined' && 'Notification' in window;

// On: the user enabled them here AND the browser grants the permission.
export function browserNotificationsOn(): boolean {
  if (!browserNotificationsSupported()) return false;
  try {
    return localStorage.getItem(KEY) === 'on' && window.Notification.permission === 'granted';
  } catch {
    return false; // storage refused (private mode)
  }
}

export function setBrowserNotifications(on: boolean) {
  try {
    if (on) localStorage.setItem(KEY, 'on');
    else localStorage.removeItem(KEY);
  } catch {
    // storage refused: the toggle shows it did not stick
  }
}

// Shows a system notification for a reminder; a click focuses this window and calls
// `onOpen` (which opens the task). Nothing when they are off.
export function showReminderNotification(n: AppNotification, onOpen: () => void): void {
  if (!browserNotificationsOn()) return;
  const shown = new window.Notification(`Reminder: ${n.title}`, {
    body: n.due_at ? `Due ${new Date(n.due_at).toLocaleString()}` : undefined,
    tag: `reminder-${n.id}`, // one per reminder, even when several tabs are open
  });
  shown.onclick = () => {
    window.focus();
    onOpen();
    shown.close();
  };
}
