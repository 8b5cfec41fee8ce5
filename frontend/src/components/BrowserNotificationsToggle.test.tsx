// The "Show reminders as system notifications" setting: what the user sees when the
// browser grants or refuses the permission, that the choice sticks in this browser, and the
// system notification a reminder then shows (lib/browserNotifications.ts).
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { showReminderNotification } from '@/lib/browserNotifications';
import type { Notification as AppNotification } from '@/lib/notifications';

import { BrowserNotificationsToggle } from './BrowserNotificationsToggle';

// A stand-in for the browser's Notification API: the permission the "browser" answers, and
// the notifications shown.
class FakeNotification {
  static permission: NotificationPermission = 'default';
  static answer: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  static requestPermission = vi.fn(async () => {
    FakeNotification.permission = FakeNotification.answer;
    return FakeNotification.answer;
  });
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    public title: string,
    public options: NotificationOptions = {},
  ) {
    FakeNotification.shown.push(this);
  }
  close() {
    this.closed = true;
  }
}

const LABEL = 'Show reminders as system notifications';

beforeEach(() => {
  localStorage.clear();
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.shown = [];
  FakeNotification.requestPermission.mockClear();
  vi.stubGlobal('Notification', FakeNotification);
});
afterEach(() => vi.unstubAllGlobals());

const reminder: AppNotification = {
  id: 7,
  kind: 'reminder',
  task_id: 42,
  title: 'Pay the rent',
  due_at: '2026-12-01T09:00:00Z',
  remind_at: '2026-12-01T08:00:00Z',
  created_at: '2026-12-01T08:00:00Z',
  read_at: null,
  read: false,
};

describe('BrowserNotificationsToggle', () => {
  it('turning it on asks the browser, and once granted, reminders show as system notifications', async () => {
    render(<BrowserNotificationsToggle />);
    const box = (await screen.findByLabelText(LABEL)) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await userEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(true));
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alert')).toBeNull();

    const open = vi.fn();
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => {});
    showReminderNotification(reminder, open);
    expect(FakeNotification.shown.map((n) => n.title)).toEqual(['Reminder: Pay the rent']);
    const [shown] = FakeNotification.shown;
    expect(shown.options.tag).toBe('reminder-7'); // one per reminder across tabs
    expect(shown.options.body).toMatch(/^Due /);
    shown.onclick?.();
    expect(open).toHaveBeenCalledTimes(1);
    expect(focus).toHaveBeenCalled();
    expect(shown.closed).toBe(true);
  });

  it('the choice is kept in this browser: a new page shows it on', async () => {
    const first = render(<BrowserNotificationsToggle />);
    await userEvent.click(await screen.findByLabelText(LABEL));
    await waitFor(() => expect((screen.getByLabelText(LABEL) as HTMLInputElement).checked).toBe(true));
    first.unmount();
    render(<BrowserNotificationsToggle />);
    await waitFor(() => expect((screen.getByLabelText(LABEL) as HTMLInputElement).checked).toBe(true));
  });

  it('when the browser refuses, says so and stays off; no system notification then', async () => {
    FakeNotification.answer = 'denied';
    render(<BrowserNotificationsToggle />);
    const box = (await screen.findByLabelText(LABEL)) as HTMLInputElement;
    await userEvent.click(box);
    expect((await screen.findByRole('alert')).textContent).toMatch(/did not allow notifications/);
    expect(box.checked).toBe(false);
    showReminderNotification(reminder, vi.fn());
    expect(FakeNotification.shown).toEqual([]);
  });

  it('turning it off stops the system notifications', async () => {
    FakeNotification.permission = 'granted';
    localStorage.setItem('todo.browserNotifications', 'on');
    render(<BrowserNotificationsToggle />);
    const box = (await screen.findByLabelText(LABEL)) as HTMLInputElement;
    await waitFor(() => expect(box.checked).toBe(true));
    await userEvent.click(box);
    expect(box.checked).toBe(false);
    showReminderNotification(reminder, vi.fn());
    expect(FakeNotification.shown).toEqual([]);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
  });

  it('a browser without the Notification API gets a sentence instead of the switch', async () => {
    vi.stubGlobal('Notification', undefined);
    delete (window as unknown as Record<string, unknown>).Notification;
    render(<BrowserNotificationsToggle />);
    expect(await screen.findByText('This browser has no system notifications.')).toBeTruthy();
    expect(screen.queryByLabelText(LABEL)).toBeNull();
  });
});
