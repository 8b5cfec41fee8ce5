import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { NEXT_OCCURRENCE_DELAYS_MS } from '@/lib/series';
import { useTaskFocus, TaskFocusProvider } from '@/lib/taskFocus';
import type { Task } from '@/lib/tasks';
import { fakeApi, problem, task, USER, type Call } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { TasksView } from './TasksView';

const session = () => ({ body: { user: USER } });
// The wait for a next occurrence asks for the newest pending tasks (lib/series.ts); the
// list itself asks for pages of 50.
const isProbe = (c: Call) => c.query.get('limit') === '20' && c.query.get('sort') === 'created_at';
const listCalls = (api: ReturnType<typeof fakeApi>) => api.of('GET', /\/tasks$/).filter((c) => !isProbe(c));
const probes = (api: ReturnType<typeof fakeApi>) => api.of('GET', /\/tasks$/).filter(isProbe);
const view = (name: string) => userEvent.click(screen.getByRole('button', { name }));

describe('TasksView: views', () => {
  it('Today, Upcoming and Overdue ask for pending tasks in their window of the browser’s days, soonest first', async () => {
    // 00:30 on Thursday 11 July in Berlin (the browser's zone here), still the 10th in UTC.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-07-10T22:30:00Z'));
    const upcoming = [
      task({ id: 1, title: 'Early', due_at: '2030-07-10T23:00:00Z' }),
      task({ id: 2, title: 'Friday', due_at: '2030-07-12T07:00:00Z' }),
      task({ id: 3, title: 'Sunday', due_at: '2030-07-14T07:00:00Z' }),
    ];
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': (c) => ({
        body: { items: c.query.get('due_before') === '2030-07-17T22:00:00Z' ? upcoming : [], next_cursor: null },
      }),
    });
    renderInApp(<TasksView userId="u_ada" />);
    await screen.findByText('Nothing to do yet.');
    expect(screen.getByRole('button', { name: 'All tasks' }).getAttribute('aria-pressed')).toBe('true');
    await userEvent.selectOptions(screen.getByLabelText('Priority'), 'high');

    await view('Today');
    await screen.findByText('No tasks match these filters.');
    let q = listCalls(api).at(-1)!.query;
    expect(Object.fromEntries(q)).toEqual({
      status: 'pending',
      priority: 'high', // the other filters still apply
      due_after: '2030-07-10T21:59:59.999Z', // 00:00 on the 11th in Berlin, exclusive
      due_before: '2030-07-11T22:00:00Z', // 00:00 on the 12th
      sort: 'due_at',
      order: 'asc',
      limit: '50',
    });
    // The view sets status, due dates and order; those controls say so.
    for (const label of ['Status', 'Due from', 'Due until', 'Sort by']) expect(screen.getByLabelText(label)).toHaveProperty('disabled', true);
    expect(screen.getByLabelText('Priority')).toHaveProperty('disabled', false);

    await userEvent.selectOptions(screen.getByLabelText('Priority'), '');
    await view('Upcoming');
    await screen.findByRole('heading', { name: 'Tomorrow' });
    q = listCalls(api).at(-1)!.query;
    expect([q.get('status'), q.get('due_after'), q.get('due_before'), q.get('sort')]).toEqual([
      'pending',
      '2030-07-10T21:59:59.999Z',
      '2030-07-17T22:00:00Z', // 00:00 on the 18th: today and six more days
      'due_at',
    ]);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['Today', 'Tomorrow', 'Sunday, July 14']);
    expect(within(screen.getByRole('list', { name: 'Tasks due Today' })).getByText('Early')).toBeTruthy();

    await view('Overdue');
    await screen.findByText('Nothing overdue.');
    q = listCalls(api).at(-1)!.query;
    expect([q.get('status'), q.get('due_after'), q.get('due_before')]).toEqual(['pending', null, '2030-07-10T22:30:00Z']);

    await view('All tasks');
    await screen.findByText('Nothing to do yet.');
    q = listCalls(api).at(-1)!.query;
    expect([q.get('status'), q.get('due_before'), q.get('sort')]).toEqual([null, null, 'created_at']);
    expect(screen.getByLabelText('Status')).toHaveProperty('disabled', false);
  });
});

// A server on which completing a recurring task creates its next occurrence only after
// `after` more requests for the newest tasks (the recurrence consumer works on its own time).
// Another pending task is there from the start: only the same series counts.
function recurringServer(first: Task, next: Task | null, after: number) {
  let tasks = [first, task({ id: 4, title: 'Unrelated' })];
  let probesLeft = Infinity;
  const api = fakeApi({
    'GET /api/auth/session': session,
    'GET /api/u_ada/tasks': (c) => {
      if (isProbe(c) && --probesLeft <= 0 && next && !tasks.includes(next)) tasks = [next, ...tasks];
      return { body: { items: tasks, next_cursor: null } };
    },
    'PATCH /api/u_ada/tasks/{id}/complete': () => {
      tasks = tasks.map((t) => (t.id === first.id ? { ...t, completed: true, version: t.version + 1 } : t));
      probesLeft = after;
      return { body: tasks.find((t) => t.id === first.id) };
    },
  });
  return api;
}

describe('TasksView: recurring tasks', () => {
  const plants = task({ id: 5, title: 'Water plants', recurrence: 'FREQ=DAILY', due_at: '2030-07-11T07:00:00Z' });
  const tomorrow = task({ id: 6, title: 'Water plants', recurrence: 'FREQ=DAILY', due_at: '2030-07-12T07:00:00Z', series_id: 5 });

  it('completing one brings its next occurrence into the list without a reload', async () => {
    const api = recurringServer(plants, tomorrow, 3);
    renderInApp(<TasksView userId="u_ada" />);
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Mark “Water plants” as done' }));
    // The next one arrives (the third ask finds it), then the list is asked for again.
    const next = await screen.findByRole('checkbox', { name: 'Mark “Water plants” as done' });
    expect(next.closest('li')?.getAttribute('data-task-id')).toBe('6');
    expect(next.closest('li')?.querySelector('time')?.getAttribute('dateTime')).toBe('2030-07-12T07:00:00Z');
    expect(screen.getByRole('checkbox', { name: 'Mark “Water plants” as not done' }).closest('li')?.getAttribute('data-task-id')).toBe('5');
    expect(probes(api)).toHaveLength(3);
    expect(Object.fromEntries(probes(api)[0].query)).toEqual({ status: 'pending', sort: 'created_at', order: 'desc', limit: '20' });
    expect(listCalls(api)).toHaveLength(2); // the first page, and once more when the occurrence was there
  });

  it('the wait is bounded: a series that ended brings nothing, and the page stops asking', async () => {
    const api = recurringServer(plants, null, 1);
    renderInApp(<TasksView userId="u_ada" />);
    const box = await screen.findByRole('checkbox', { name: 'Mark “Water plants” as done' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fireEvent.click(box);
    const total = NEXT_OCCURRENCE_DELAYS_MS.reduce((a, b) => a + b, 0);
    for (let t = 0; t < 3 * total; t += 100) await act(async () => void vi.advanceTimersByTime(100));
    expect(probes(api)).toHaveLength(NEXT_OCCURRENCE_DELAYS_MS.length);
    expect(listCalls(api)).toHaveLength(2); // one last look at the list after giving up
    expect(screen.getByRole('checkbox', { name: 'Mark “Water plants” as not done' })).toBeTruthy();
  });

  it('a task that does not repeat brings no asking at all', async () => {
    const api = recurringServer({ ...plants, recurrence: null }, null, 1);
    renderInApp(<TasksView userId="u_ada" />);
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Mark “Water plants” as done' }));
    await screen.findByRole('checkbox', { name: 'Mark “Water plants” as not done' });
    await waitFor(() => expect(api.of('PATCH', /complete$/)).toHaveLength(1));
    await act(async () => {});
    expect(probes(api)).toHaveLength(0);
  });
});

function OpenFromOutside({ id }: { id: number }) {
  const { open } = useTaskFocus();
  return (
    <button type="button" onClick={() => open(id)}>
      Open from the panel
    </button>
  );
}

describe('TasksView: a task opened from a notification', () => {
  it('opens in the editor as it is now on the server', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'GET /api/u_ada/tasks/42': () => ({ body: task({ id: 42, title: 'Pay rent (current)' }) }),
    });
    renderInApp(
      <TaskFocusProvider>
        <OpenFromOutside id={42} />
        <TasksView userId="u_ada" />
      </TaskFocusProvider>,
    );
    await screen.findByText('Nothing to do yet.');
    await userEvent.click(screen.getByRole('button', { name: 'Open from the panel' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit task' });
    expect((within(dialog).getByLabelText('Title') as HTMLInputElement).value).toBe('Pay rent (current)');
  });

  it('a task deleted meanwhile is said so', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tasks': () => ({ body: { items: [], next_cursor: null } }),
      'GET /api/u_ada/tasks/42': () => problem(404, 'no such task'),
    });
    renderInApp(
      <TaskFocusProvider>
        <OpenFromOutside id={42} />
        <TasksView userId="u_ada" />
      </TaskFocusProvider>,
    );
    await screen.findByText('Nothing to do yet.');
    await userEvent.click(screen.getByRole('button', { name: 'Open from the panel' }));
    await screen.findByText(/The task could not be opened\. This task no longer exists/);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
