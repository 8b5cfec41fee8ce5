import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { fakeApi, problem, task, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { TasksView } from './TasksView';

const session = () => ({ body: { user: USER } });

describe('TasksView', () => {
  it('quick add: Enter shows the task at once and POSTs it', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/tasks': (c) => ({ status: 201, body: task({ id: 41, title: (c.body as { title: string }).title }) }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('Nothing to do yet.');
    await userEvent.type(screen.getByLabelText('New task title'), 'Buy milk{Enter}');
    expect(screen.getByText('Buy milk')).toBeTruthy(); // before the server answered
    await waitFor(() => expect(api.of('POST', /tasks$/)).toHaveLength(1));
    const post = api.of('POST', /tasks$/)[0];
    expect(post.body).toEqual({ title: 'Buy milk', timezone: 'Europe/Berlin' });
    expect(post.headers['idempotency-key']).toMatch(/.+/);
    expect(post.headers['content-type']).toBe('application/json');
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Mark “Buy milk” as done' })).toHaveProperty('disabled', false));
    expect((screen.getByLabelText('New task title') as HTMLInputElement).value).toBe('');
  });

  it('quick add: a refused task disappears again with the reason', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'POST /api/u_ada/tasks': () => problem(422, 'title: must be at most 500 characters', [{ field: 'title', message: 'must be at most 500 characters' }]),
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('Nothing to do yet.');
    await userEvent.type(screen.getByLabelText('New task title'), 'Too long{Enter}');
    const alert = await screen.findByText(/was not added/);
    expect(alert.textContent).toContain('Title must be at most 500 characters.');
    expect(screen.queryByRole('button', { name: 'Edit “Too long”' })).toBeNull();
  });

  it('completing sends If-Match and rolls back with a message on 412', async () => {
    const t = task({ id: 5, title: 'Pay rent', version: 3 });
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [t], next_cursor: null } }),
      'PATCH /api/u_ada/tasks/5/complete': () => problem(412, 'version mismatch'),
      'GET /api/u_ada/tasks/5': () => ({ body: { ...t, title: 'Pay rent (edited elsewhere)', version: 4 } }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    const box = await screen.findByRole('checkbox', { name: 'Mark “Pay rent” as done' });
    fireEvent.click(box);
    expect((box as HTMLInputElement).checked).toBe(true); // optimistic
    const alert = await screen.findByText(/was changed somewhere else/);
    expect(alert.textContent).toMatch(/“Pay rent” was not completed/);
    const call = api.of('PATCH', /complete$/)[0];
    expect(call.headers['if-match']).toBe('"3"');
    expect(call.body).toEqual({ completed: true });
    // Rolled back, then reloaded at its current version.
    const reloaded = await screen.findByRole('checkbox', { name: 'Mark “Pay rent (edited elsewhere)” as done' });
    expect((reloaded as HTMLInputElement).checked).toBe(false);
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

  it('delete hides the task, Undo brings it back without a request', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [task({ id: 9, title: 'Keep me' })], next_cursor: null } }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete “Keep me”' }));
    expect(screen.queryByRole('button', { name: 'Edit “Keep me”' })).toBeNull();
    const toast = screen.getByText('Deleted “Keep me”.').parentElement!;
    await userEvent.click(within(toast).getByRole('button', { name: 'Undo' }));
    expect(screen.getByRole('button', { name: 'Edit “Keep me”' })).toBeTruthy();
    expect(api.of('DELETE', /./)).toHaveLength(0);
  });

  it('delete is sent with If-Match when the undo window closes', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [task({ id: 9, title: 'Bye', version: 2 })], next_cursor: null } }),
      'DELETE /api/u_ada/tasks/9': () => ({ status: 204 }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete “Bye”' }));
    // Dismissing the toast closes the window at once.
    await act(async () => screen.getByRole('button', { name: 'Dismiss message' }).click());
    await waitFor(() => expect(api.of('DELETE', /tasks\/9$/)).toHaveLength(1));
    expect(api.of('DELETE', /tasks\/9$/)[0].headers['if-match']).toBe('"2"');
  });
});
