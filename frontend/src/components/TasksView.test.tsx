import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { LiveUpdatesProvider } from '@/lib/liveUpdates';
import type { Task } from '@/lib/tasks';
import { fakeApi, held, problem, task, USER } from '@/test/fakeApi';
import { FakeEventSource } from '@/test/fakeEventSource';
import { renderInApp } from '@/test/render';

import { TasksView } from './TasksView';

const session = () => ({ body: { user: USER } });
const UNDO_MS = 5000; // TasksView's undo window

// The delete timers under the test's control; everything else (React, fetch) runs as usual.
const fakeTimeouts = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
const advance = (ms: number) => act(async () => void vi.advanceTimersByTime(ms));

describe('TasksView', () => {
  it('quick add: Enter shows the task at once, before the server answered, and POSTs it', async () => {
    const post = held((c) => ({ status: 201, body: task({ id: 41, title: (c.body as { title: string }).title }) }));
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/tasks': post.handler,
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('Nothing to do yet.');
    await userEvent.type(screen.getByLabelText('New task title'), 'Buy milk{Enter}');
    await post.arrival();
    // The server has not answered: the task is there, marked as saving, not yet editable.
    expect(screen.getByRole('checkbox', { name: 'Mark “Buy milk” as done' })).toHaveProperty('disabled', true);
    expect(screen.getByText('Saving…')).toBeTruthy();
    expect((screen.getByLabelText('New task title') as HTMLInputElement).value).toBe('');
    const [call] = api.of('POST', /tasks$/);
    expect(call.body).toEqual({ title: 'Buy milk', timezone: 'Europe/Berlin' });
    expect(call.headers['idempotency-key']).toMatch(/.+/);
    expect(call.headers['content-type']).toBe('application/json');
    await post.release();
    // The server's task replaced it: editable, no longer saving, still one row.
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Mark “Buy milk” as done' })).toHaveProperty('disabled', false));
    await waitFor(() => expect(screen.queryByText('Saving…')).toBeNull());
    expect(screen.getAllByRole('checkbox', { name: /Buy milk/ })).toHaveLength(1);
    expect(api.of('POST', /tasks$/)).toHaveLength(1);
  });

  // An empty list in a tab with its live stream (a stand-in EventSource); the quick add's POST
  // held until the test releases it. `live` delivers a task event as the server sends it.
  async function quickAddWithStream(answer: Task) {
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    const post = held({ status: 201, body: answer });
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/tasks': post.handler,
    });
    renderInApp(
      <LiveUpdatesProvider>
        <TasksView userId="u_ada" />
      </LiveUpdatesProvider>,
    );
    await screen.findByText('Nothing to do yet.');
    await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
    const [es] = FakeEventSource.opened;
    const live = (type: string, t: Task) =>
      es.emit('task', JSON.stringify({ event_id: `e${t.id}.${t.version}`, event_type: type, user_id: USER.id, task_id: t.id, task_version: t.version, task_data: t }));
    await userEvent.type(screen.getByLabelText('New task title'), `${answer.title}{Enter}`);
    await post.arrival();
    return { post, live };
  }

  it('quick add: the stream\'s event for the new task, come before the POST\'s answer, never shows it twice', async () => {
    try {
      const made = task({ id: 41, title: 'Buy milk', version: 1 });
      const other = task({ id: 42, title: 'Call Ada', version: 1 });
      const { post, live } = await quickAddWithStream(made);
      // The commit's event arrives first (another tab's task with it): one row each, the
      // new task still saving.
      live('created', made);
      live('created', other);
      live('updated', { ...made, title: 'Buy oat milk', version: 2 }); // then renamed elsewhere
      expect(screen.getAllByRole('checkbox', { name: /milk/ })).toHaveLength(1);
      expect(screen.getByText('Saving…')).toBeTruthy();
      await post.release();
      // The answer, then what waited, in order: the rename is the newest version.
      await screen.findByRole('checkbox', { name: 'Mark “Buy oat milk” as done' });
      expect(screen.getAllByRole('checkbox', { name: /milk/ })).toHaveLength(1);
      expect(screen.getAllByRole('checkbox', { name: /Call Ada/ })).toHaveLength(1);
      expect(screen.queryByText('Saving…')).toBeNull();
      // With no create in flight, events apply at once.
      live('deleted', other);
      expect(screen.queryByRole('checkbox', { name: /Call Ada/ })).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('quick add: a POST that hangs holds the other devices\' changes back for 5 s at most', async () => {
    try {
      const { post, live } = await quickAddWithStream(task({ id: 41, title: 'Buy milk', version: 1 }));
      fakeTimeouts();
      live('created', task({ id: 42, title: 'Call Ada', version: 1 }));
      expect(screen.queryByRole('checkbox', { name: /Call Ada/ })).toBeNull(); // held for the POST
      await advance(4999);
      expect(screen.queryByRole('checkbox', { name: /Call Ada/ })).toBeNull();
      await advance(1);
      expect(screen.getAllByRole('checkbox', { name: /Call Ada/ })).toHaveLength(1);
      expect(screen.getByText('Saving…')).toBeTruthy(); // the POST is still out
      vi.useRealTimers();
      await post.release();
      await waitFor(() => expect(screen.queryByText('Saving…')).toBeNull());
      expect(screen.getAllByRole('checkbox', { name: /milk/ })).toHaveLength(1);
    } finally {
      vi.useRealTimers();
      vi.unstubAllGlobals();
    }
  });

  // A list with its live stream whose GETs after the first are held until the test releases
  // them; `live` delivers a task event as the server sends it.
  async function listWithStream(firstPage: { items: Task[]; next_cursor: string | null }, later: Task[]) {
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    const list = held({ body: { items: later, next_cursor: null } });
    let gets = 0;
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': (c) => (gets++ === 0 ? { body: firstPage } : list.handler(c)),
    });
    renderInApp(
      <LiveUpdatesProvider>
        <TasksView userId="u_ada" />
      </LiveUpdatesProvider>,
    );
    await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
    const [es] = FakeEventSource.opened;
    const live = (type: string, t: Task) =>
      es.emit('task', JSON.stringify({ event_id: `e${t.id}.${t.version}`, event_type: type, user_id: USER.id, task_id: t.id, task_version: t.version, task_data: t }));
    return { es, list, live };
  }

  it('live: a reload read before a change but answered after it does not undo the change', async () => {
    try {
      const milk = task({ id: 1, title: 'Buy milk', version: 1 });
      const ada = task({ id: 2, title: 'Call Ada', version: 1 });
      // The reload (the stream opened after the list was shown) gets the list as it was.
      const { es, list, live } = await listWithStream({ items: [ada, milk], next_cursor: null }, [ada, milk]);
      await screen.findByText('Call Ada');
      es.emit('open');
      await list.arrival();
      // While it is out: renamed, deleted and created elsewhere.
      live('updated', { ...milk, title: 'Buy oat milk', version: 2 });
      live('deleted', ada);
      live('created', task({ id: 3, title: 'Water the plants', version: 1 }));
      expect(screen.queryByText('Call Ada')).toBeNull();
      await list.release();
      const titles = () => screen.getAllByRole('checkbox').map((c) => c.getAttribute('aria-label'));
      await waitFor(() => expect(titles()).toEqual(['Mark “Water the plants” as done', 'Mark “Buy oat milk” as done']));
      // Events after it apply as before.
      live('deleted', task({ id: 3, version: 1 }));
      expect(titles()).toEqual(['Mark “Buy oat milk” as done']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('live: a next page read before a task on it was deleted does not bring the task back', async () => {
    try {
      const second = task({ id: 2, title: 'Second page', version: 1 });
      const { list, live } = await listWithStream({ items: [task({ id: 5, title: 'First page' })], next_cursor: 'c2' }, [second, task({ id: 1, title: 'Also second', version: 1 })]);
      await screen.findByText('First page');
      await userEvent.click(screen.getByRole('button', { name: 'Load more tasks' }));
      await list.arrival();
      live('deleted', second);
      live('updated', task({ id: 1, title: 'Also second, renamed', version: 2 }));
      await list.release();
      await screen.findByText('Also second, renamed');
      expect(screen.queryByText('Second page')).toBeNull();
      expect(screen.getAllByRole('checkbox')).toHaveLength(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('quick add: a refused task is shown, then disappears again with the reason', async () => {
    const post = held(problem(422, 'title: must be at most 500 characters', [{ field: 'title', message: 'must be at most 500 characters' }]));
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/tasks': post.handler,
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('Nothing to do yet.');
    await userEvent.type(screen.getByLabelText('New task title'), 'Too long{Enter}');
    await post.arrival();
    expect(screen.getByRole('checkbox', { name: 'Mark “Too long” as done' })).toBeTruthy();
    await post.release();
    const alert = await screen.findByText(/was not added/);
    expect(alert.textContent).toContain('Title must be at most 500 characters.');
    expect(screen.queryByRole('checkbox', { name: 'Mark “Too long” as done' })).toBeNull();
    expect(screen.getByText('Nothing to do yet.')).toBeTruthy();
  });

  it('completing flips the box at once, sends If-Match, and on 412 rolls back with a message, then reloads the task', async () => {
    const t = task({ id: 5, title: 'Pay rent', version: 3 });
    const complete = held(problem(412, 'version mismatch'));
    const reload = held({ body: { ...t, title: 'Pay rent (edited elsewhere)', version: 4 } });
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [t], next_cursor: null } }),
      'PATCH /api/u_ada/tasks/5/complete': complete.handler,
      'GET /api/u_ada/tasks/5': reload.handler,
    });
    renderInApp(<TasksView userId="u_ada" />);
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Mark “Pay rent” as done' }));
    await complete.arrival();
    // Optimistic: done before the server answered.
    expect(screen.getByRole('checkbox', { name: 'Mark “Pay rent” as not done' })).toHaveProperty('checked', true);
    const [call] = api.of('PATCH', /complete$/);
    expect(call.headers['if-match']).toBe('"3"');
    expect(call.body).toEqual({ completed: true });

    await complete.release();
    const alert = await screen.findByText(/was changed somewhere else/);
    expect(alert.textContent).toMatch(/“Pay rent” was not completed/);
    // Rolled back at once, before the reload answered (it is held until released).
    await reload.arrival();
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Mark “Pay rent” as done' })).toHaveProperty('checked', false));

    await reload.release();
    const reloaded = await screen.findByRole('checkbox', { name: 'Mark “Pay rent (edited elsewhere)” as done' });
    expect(reloaded).toHaveProperty('checked', false);
  });

  it('filters, search and sort become the list query; more pages follow next_cursor', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': (c) =>
        c.query.get('cursor') === 'c2'
          ? { body: { items: [task({ id: 2, title: 'Second page' })], next_cursor: null } }
          : { body: { items: [task({ id: 1, title: 'First page' })], next_cursor: 'c2' } },
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('First page');
    await userEvent.click(screen.getByRole('button', { name: 'Load more tasks' }));
    await screen.findByText('Second page');
    expect(screen.getByText('First page')).toBeTruthy(); // appended, not replaced
    expect(api.calls.at(-1)!.query.get('cursor')).toBe('c2');
    expect(screen.queryByRole('button', { name: 'Load more tasks' })).toBeNull();

    await userEvent.selectOptions(screen.getByLabelText('Status'), 'pending');
    await userEvent.selectOptions(screen.getByLabelText('Priority'), 'high');
    await userEvent.selectOptions(screen.getByLabelText('Sort by'), 'due_asc');
    fireEvent.change(screen.getByLabelText('Due from'), { target: { value: '2026-03-01' } });
    fireEvent.change(screen.getByLabelText('Due until'), { target: { value: '2026-03-31' } });
    await userEvent.type(screen.getByLabelText('Tag'), 'home');
    await userEvent.type(screen.getByLabelText('Search'), 'rent');
    await waitFor(() => expect(api.calls.at(-1)?.query.get('q')).toBe('rent'));
    const q = api.calls.at(-1)!.query;
    expect(q.get('status')).toBe('pending');
    expect(q.get('priority')).toBe('high');
    expect(q.getAll('tag')).toEqual(['home']);
    expect(q.get('sort')).toBe('due_at');
    expect(q.get('order')).toBe('asc');
    // Whole local days (Europe/Berlin, UTC+1 in March before DST): exclusive bounds.
    expect(q.get('due_after')).toBe('2026-02-28T22:59:59.999Z');
    expect(q.get('due_before')).toBe('2026-03-31T22:00:00.000Z');
    expect(q.get('cursor')).toBeNull();
  });

  it('delete hides the task; Undo brings it back, and no request is sent, neither after the window nor on leaving', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [task({ id: 9, title: 'Keep me' })], next_cursor: null } }),
      'DELETE /api/u_ada/tasks/9': () => ({ status: 204 }),
    });
    const view = renderInApp(<TasksView userId="u_ada" />);
    const del = await screen.findByRole('button', { name: 'Delete “Keep me”' });
    fakeTimeouts();
    fireEvent.click(del);
    expect(screen.queryByRole('button', { name: 'Edit “Keep me”' })).toBeNull();
    const toast = screen.getByText('Deleted “Keep me”.').parentElement!;
    fireEvent.click(within(toast).getByRole('button', { name: 'Undo' }));
    expect(screen.getByRole('button', { name: 'Edit “Keep me”' })).toBeTruthy();
    await advance(10 * UNDO_MS); // far past the window and its safety net
    expect(screen.getByRole('button', { name: 'Edit “Keep me”' })).toBeTruthy();
    view.unmount(); // leaving the page sends the deletes still waiting: none
    await act(async () => {});
    expect(api.of('DELETE', /./)).toHaveLength(0);
  });

  it('without Undo, the delete is sent once, with If-Match, when the 5 s window has passed', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [task({ id: 9, title: 'Bye', version: 2 })], next_cursor: null } }),
      'DELETE /api/u_ada/tasks/9': () => ({ status: 204 }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    const del = await screen.findByRole('button', { name: 'Delete “Bye”' });
    fakeTimeouts();
    fireEvent.click(del);
    await advance(UNDO_MS - 100);
    expect(api.of('DELETE', /./)).toHaveLength(0); // still undoable
    await advance(200);
    expect(api.of('DELETE', /tasks\/9$/)).toHaveLength(1);
    expect(api.of('DELETE', /tasks\/9$/)[0].headers['if-match']).toBe('"2"');
    await advance(10 * UNDO_MS); // the safety-net timer must not send it again
    expect(api.of('DELETE', /./)).toHaveLength(1);
    expect(screen.queryByText('Deleted “Bye”.')).toBeNull();
  });

  it('dismissing the toast sends the delete at once; leaving the page sends a waiting one', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({
        body: { items: [task({ id: 9, title: 'Bye', version: 2 }), task({ id: 10, title: 'Later', version: 1 })], next_cursor: null },
      }),
      'DELETE /api/u_ada/tasks/{id}': () => ({ status: 204 }),
    });
    const view = renderInApp(<TasksView userId="u_ada" />);
    const del = await screen.findByRole('button', { name: 'Delete “Bye”' });
    fakeTimeouts(); // no time passes unless the test says so
    fireEvent.click(del);
    const toast = screen.getByText('Deleted “Bye”.').parentElement!;
    fireEvent.click(within(toast).getByRole('button', { name: 'Dismiss message' }));
    await act(async () => {});
    expect(api.of('DELETE', /./).map((c) => c.path)).toEqual(['/api/u_ada/tasks/9']);

    fireEvent.click(screen.getByRole('button', { name: 'Delete “Later”' }));
    view.unmount();
    await act(async () => {});
    expect(api.of('DELETE', /./).map((c) => c.path)).toEqual(['/api/u_ada/tasks/9', '/api/u_ada/tasks/10']);
    expect(api.of('DELETE', /tasks\/10$/)[0].headers['if-match']).toBe('"1"');
  });
});
