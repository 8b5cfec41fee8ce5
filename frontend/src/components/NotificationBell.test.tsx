import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { Notification } from '@/lib/notifications';
import { LiveUpdatesProvider } from '@/lib/liveUpdates';
import { SessionProvider } from '@/lib/session';
import { TaskFocusProvider, useTaskFocus } from '@/lib/taskFocus';
import { fakeApi, held, problem, USER, type Call } from '@/test/fakeApi';
import { FakeEventSource } from '@/test/fakeEventSource';

import { NotificationBell } from './NotificationBell';
import { ToastProvider } from './Toasts';

const push = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ push, replace: vi.fn() }), usePathname: () => '/audit' }));
beforeEach(() => push.mockReset());

let nextId = 1;
function notice(over: Partial<Notification> = {}): Notification {
  const id = over.id ?? nextId++;
  return {
    id,
    kind: 'reminder',
    task_id: 40 + id,
    title: `Reminder ${id}`,
    due_at: null,
    remind_at: '2030-07-10T22:00:00Z',
    created_at: '2030-07-10T22:00:00Z',
    read_at: null,
    read: false,
    ...over,
  };
}

// The server's notifications, newest first, and its answers (src/reminders).
function server(initial: Notification[] = []) {
  const state = { items: [...initial] };
  const unreadCount = () => state.items.filter((n) => !n.read).length;
  const idOf = (c: Call) => Number(c.path.split('/')[4]);
  const api = fakeApi({
    'GET /api/auth/session': () => ({ body: { user: USER } }),
    'GET /api/u_ada/notifications': (c) => {
      const list = c.query.get('unread') === 'true' ? state.items.filter((n) => !n.read) : state.items;
      const limit = Number(c.query.get('limit') ?? 50);
      return { body: { items: list.slice(0, limit), next_cursor: null, unread_count: unreadCount() } };
    },
    'POST /api/u_ada/notifications/read-all': () => {
      const updated = unreadCount();
      state.items = state.items.map((n) => ({ ...n, read: true, read_at: '2030-07-10T22:31:00Z' }));
      return { body: { updated } };
    },
    'POST /api/u_ada/notifications/{id}/read': (c) => {
      state.items = state.items.map((n) => (n.id === idOf(c) ? { ...n, read: true, read_at: '2030-07-10T22:31:00Z' } : n));
      return { body: state.items.find((n) => n.id === idOf(c)) };
    },
    'POST /api/u_ada/notifications/{id}/snooze': (c) => {
      const n = state.items.find((x) => x.id === idOf(c))!;
      if (n.title === 'Already done') return problem(409, 'the task was completed');
      state.items = state.items.map((x) => (x === n ? { ...x, read: true, read_at: '2030-07-10T22:31:00Z' } : x));
      return { body: { ...n, read: true, snoozed_until: (c.body as { until: string }).until } };
    },
  });
  return { state, api, gets: () => api.of('GET', /notifications$/) };
}

function Requested() {
  const { requested } = useTaskFocus();
  return <p data-testid="requested">{requested ?? 'none'}</p>;
}

function renderBell() {
  return render(
    <SessionProvider>
      <ToastProvider>
        <TaskFocusProvider>
          <NotificationBell userId="u_ada" />
          <Requested />
        </TaskFocusProvider>
      </ToastProvider>
    </SessionProvider>,
  );
}

const bell = (name: string | RegExp = /^Notifications/) => screen.findByRole('button', { name });
const panel = () => screen.findByRole('region', { name: 'Notifications' });

describe('NotificationBell', () => {
  it('shows the unread count and asks again every 30 s and when the window gets the focus back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const s = server([]);
    renderBell();
    await waitFor(() => expect(s.gets()).toHaveLength(1));
    expect(s.gets()[0].query.get('unread')).toBe('true');
    expect((await bell()).getAttribute('aria-label')).toBe('Notifications');
    expect(document.querySelector('.bell-count')).toBeNull();

    // A reminder fires on the server; the page learns of it when the window gets the focus.
    s.state.items.unshift(notice({ title: 'Pay rent' }), notice({ title: 'Call mum' }));
    act(() => void window.dispatchEvent(new Event('focus')));
    const button = await bell('Notifications, 2 unread');
    expect(button.querySelector('.bell-count')?.textContent).toBe('2');
    // A count that grows names the newest reminder.
    expect((await screen.findByText('Reminder: “Pay rent”')).closest('.toast')).toBeTruthy();

    // And every 30 s without any focus change.
    s.state.items.unshift(notice({ title: 'Water plants' }));
    const before = s.gets().length;
    await act(async () => void vi.advanceTimersByTime(29_000));
    expect(s.gets()).toHaveLength(before);
    await act(async () => void vi.advanceTimersByTime(1_000));
    expect(s.gets()).toHaveLength(before + 1);
    expect((await bell('Notifications, 3 unread')).querySelector('.bell-count')?.textContent).toBe('3');
  });

  it('a poll read before the stream changed the count, answered after it, does not undo the change', async () => {
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    try {
      const poll = held({ body: { items: [notice({ id: 90, title: 'Pay rent' })], next_cursor: null, unread_count: 1 } });
      let gets = 0;
      fakeApi({
        'GET /api/auth/session': () => ({ body: { user: USER } }),
        'GET /api/u_ada/notifications': (c) => (gets++ === 0 ? poll.handler(c) : { body: { items: [notice({ id: 91, title: 'Call mum' })], next_cursor: null, unread_count: 1 } }),
      });
      render(
        <SessionProvider>
          <LiveUpdatesProvider>
            <ToastProvider>
              <TaskFocusProvider>
                <NotificationBell userId="u_ada" />
              </TaskFocusProvider>
            </ToastProvider>
          </LiveUpdatesProvider>
        </SessionProvider>,
      );
      await poll.arrival();
      await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
      // Read in another tab while the poll (read before) is out.
      FakeEventSource.opened[0].emit('notifications', JSON.stringify({ unread_count: 0 }));
      await poll.release();
      expect((await bell()).getAttribute('aria-label')).toBe('Notifications');
      expect(document.querySelector('.bell-count')).toBeNull();
      // The next poll is taken as it comes.
      act(() => void window.dispatchEvent(new Event('focus')));
      expect((await bell('Notifications, 1 unread')).querySelector('.bell-count')?.textContent).toBe('1');
      expect(gets).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('the panel lists the notifications newest first; mark one read, then all', async () => {
    const s = server([notice({ id: 3, title: 'Pay rent' }), notice({ id: 2, title: 'Call mum' }), notice({ id: 1, title: 'Old one', read: true })]);
    renderBell();
    await userEvent.click(await bell('Notifications, 2 unread'));
    const list = within(await panel()).getByRole('list', { name: 'Notifications' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => within(r).getByRole('button', { name: /^Open/ }).textContent)).toEqual(['Pay rent', 'Call mum', 'Old one']);
    expect(rows.map((r) => r.textContent?.includes('Unread'))).toEqual([true, true, false]);
    expect(within(rows[2]).queryByRole('button', { name: /Mark .* as read/ })).toBeNull();

    await userEvent.click(within(rows[1]).getByRole('button', { name: 'Mark “Call mum” as read' }));
    await bell('Notifications, 1 unread');
    expect(s.api.of('POST', /notifications\/2\/read$/)).toHaveLength(1);
    await waitFor(() => expect(within(rows[1]).queryByRole('button', { name: 'Mark “Call mum” as read' })).toBeNull());

    await userEvent.click(within(await panel()).getByRole('button', { name: 'Mark all read' }));
    await bell('Notifications');
    expect(s.api.of('POST', /read-all$/)).toHaveLength(1);
    expect(document.querySelector('.bell-count')).toBeNull();
    expect(within(await panel()).getByRole('button', { name: 'Mark all read' })).toHaveProperty('disabled', true);
    expect(within(list).queryByText(/Unread/)).toBeNull();
  });

  it('snoozes for 10 minutes, or to 09:00 tomorrow in the browser’s zone; a refused snooze says why', async () => {
    // 00:30 on 11 July in Berlin (the browser's zone here): "tomorrow" is the 12th there.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-07-10T22:30:00Z'));
    const s = server([notice({ id: 3, title: 'Pay rent' }), notice({ id: 2, title: 'Call mum' }), notice({ id: 1, title: 'Already done' })]);
    renderBell();
    await userEvent.click(await bell('Notifications, 3 unread'));
    const p = within(await panel());

    await userEvent.click(p.getByRole('button', { name: 'Snooze “Pay rent” for 10 minutes' }));
    await screen.findByText(/^Snoozed “Pay rent” until/);
    expect(s.api.of('POST', /notifications\/3\/snooze$/).map((c) => c.body)).toEqual([{ until: '2030-07-10T22:40:00Z' }]);
    await bell('Notifications, 2 unread'); // a snoozed notification is read

    await userEvent.click(p.getByRole('button', { name: 'Snooze “Call mum” to Tomorrow 09:00' }));
    await screen.findByText(/^Snoozed “Call mum” until/);
    expect(s.api.of('POST', /notifications\/2\/snooze$/).map((c) => c.body)).toEqual([{ until: '2030-07-12T07:00:00Z' }]);

    await userEvent.click(p.getByRole('button', { name: 'Snooze “Already done” for 1 hour' }));
    const refusal = await screen.findByText(/^“Already done” was not snoozed\./);
    expect(refusal.textContent).toContain('completed, deleted or given another reminder meanwhile');
    expect(s.api.of('POST', /notifications\/1\/snooze$/).map((c) => c.body)).toEqual([{ until: '2030-07-10T23:30:00Z' }]);
    await bell('Notifications, 1 unread'); // still unread: the server refused
  });

  it('opening a notification marks it read, asks for its task to be opened, goes to the tasks page and closes the panel', async () => {
    const s = server([notice({ id: 7, task_id: 42, title: 'Pay rent' })]);
    renderBell();
    await userEvent.click(await bell('Notifications, 1 unread'));
    await userEvent.click(within(await panel()).getByRole('button', { name: 'Open “Pay rent”' }));
    expect(screen.getByTestId('requested').textContent).toBe('42');
    expect(push).toHaveBeenCalledWith('/tasks');
    expect(screen.queryByRole('region', { name: 'Notifications' })).toBeNull();
    await waitFor(() => expect(s.api.of('POST', /notifications\/7\/read$/)).toHaveLength(1));
    await bell('Notifications');
  });

  it('Escape closes the panel and gives the focus back to the bell', async () => {
    server([]);
    renderBell();
    await userEvent.click(await bell());
    const p = await panel();
    await within(p).findByText(/No notifications yet/);
    fireEvent.keyDown(within(p).getByRole('button', { name: 'Mark all read' }), { key: 'Escape' });
    expect(screen.queryByRole('region', { name: 'Notifications' })).toBeNull();
    expect(document.activeElement).toBe(await bell());
  });
});
