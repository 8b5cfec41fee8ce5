'use client';
// Settings: "Show reminders as system notifications". Turning it on asks the browser's
// permission (Notification.requestPermission); the choice is kept in this browser only
// (lib/browserNotifications.ts). A toast in the open tab comes either way.
import { useEffect, useState } from 'react';

import {
  browserNotificationsOn,
  browserNotificationsSupported,
  setBrowserNotifications,
} from '@/lib/browserNotifications';

export function BrowserNotificationsToggle() {
  const [on, setOn] = useState(false);
  const [supported, setSupported] = useState(true);
  const [message, setMessage] = useState('');

  useEffect(() => {
    setSupported(browserNotificationsSupported());
    setOn(browserNotificationsOn());
  }, []);

  async function change(next: boolean) {
    setMessage('');
    if (!next) {
      setBrowserNotifications(false);
      setOn(false);
      return;
    }
    setOn(true); // at once, as the click asked; undone below if the browser says no
    const permission = await window.Notification.requestPermission();
    if (permission !== 'granted') {
      setMessage('The browser did not allow notifications for this site; you can allow them in its site settings.');
      setOn(false);
      return;
    }
    setBrowserNotifications(true);
    setOn(browserNotificationsOn());
  }

  return (
    <section className="settings-section" aria-labelledby="browser-notifications-title">
      <h2 id="browser-notifications-title">Browser notifications</h2>
      <p className="muted">
        When a reminder fires while the app is open, it always shows a message here; with this on, your system shows it
        too, even when the window is in the background. Clicking it opens the task.
      </p>
      {supported ? (
        <label className="checkbox-row">
          <input type="checkbox" checked={on} onChange={(e) => void change(e.target.checked)} />
          Show reminders as system notifications
        </label>
      ) : (
        <p>This browser has no system notifications.</p>
      )}
      {message && (
        <p role="alert" className="field-error">
          {message}
        </p>
      )}
    </section>
  );
}
