import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { AuditEvent } from '@/lib/audit';
import { fakeApi, problem, task, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { AuditView } from './AuditView';

// The page's clock is fixed (Date only; timers run): "1 minute ago" and "yesterday" do
// not depend on when or how fast the test runs. Just after midnight in Berlin.
const NOW = Date.parse('2026-03-10T00:20:00+01:00');
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});

const base = task({ id: 42, title: 'Pay rent', priority: 'medium', tags: ['home'], recurrence: 'FREQ=MONTHLY' });
function event(id: string, type: AuditEvent['event_type'], minutesAgo: number, data: object): AuditEvent {
  return {
    event_id: id,
    event_type: type,
    timestamp: new Date(NOW - minutesAgo * 60_000).toISOString(),
    user_id: USER.id,
    task_id: (data as { id?: number }).id ?? 42,
    task_data: { ...base, ...data },
    schema_version: 1,
  };
}

// Newest first, as the API answers.
const page1 = [
  event('e4', 'deleted', 1, { id: 7, title: 'Old idea' }),
  event('e3', 'completed', 2, { completed: true, title: 'Pay the rent', priority: 'high' }),
  event('e2', 'updated', 3, { title: 'Pay the rent', priority: 'high' }),
];
const page2 = [event('e1', 'created', 60 * 26, {})];

describe('AuditView', () => {
  it('lists types, titles and what changed, newest first, and pages with the cursor', async () => {
    const api = fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'GET /api/u_ada/audit': (c) =>
        c.query.get('cursor') === 'older' ? { body: { items: page2, next_cursor: null } } : { body: { items: page1, next_cursor: 'older' } },
    });
    renderInApp(<AuditView userId="u_ada" />);
    const list = await screen.findByRole('list', { name: 'Events, newest first' });
    let rows = within(list).getAllByRole('listitem').filter((li) => li.classList.contains('event'));
    expect(rows.map((r) => r.querySelector('.event-type')?.textContent)).toEqual(['Deleted', 'Completed', 'Updated']);
    expect(within(rows[0]).getByText('Old idea')).toBeTruthy();
    expect(within(rows[0]).getByText('The task was deleted.')).toBeTruthy();
    // Completed vs the update before it: only the status changed.
    expect(within(rows[1]).getByText('Status:').parentElement!.textContent).toMatch(/open.*done/);
    // The update has no older event of its task loaded yet: its fields are listed.
    expect(within(rows[2]).getByText('Pay the rent')).toBeTruthy();
    expect(rows[2].textContent).toMatch(/Priority:\s*high/);
    expect(within(rows[0]).getByText('1 minute ago')).toBeTruthy();
    expect(rows[0].querySelector('time')?.getAttribute('title')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Load older events' }));
    await within(list).findByText('Created');
    expect(api.calls.at(-1)!.query.get('cursor')).toBe('older');
    rows = within(list).getAllByRole('listitem').filter((li) => li.classList.contains('event'));
    expect(rows).toHaveLength(4);
    // Now the update is compared with the creation: title and priority changed.
    const changes = within(rows[2]).getByRole('list', { name: 'Changes' });
    expect(changes.textContent).toMatch(/Title:\s*“Pay rent”.*“Pay the rent”/);
    expect(changes.textContent).toMatch(/Priority:\s*medium.*high/);
    expect(changes.textContent).not.toMatch(/Tags/);
    expect(rows[3].textContent).toMatch(/Repeats:\s*Monthly/);
    expect(within(rows[3]).getByText('yesterday')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load older events' })).toBeNull();
  });

  it('filters by event type', async () => {
    const api = fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'GET /api/u_ada/audit': () => ({ body: { items: [], next_cursor: null } }),
    });
    renderInApp(<AuditView userId="u_ada" />);
    await screen.findByText('No events yet.');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Completed' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Deleted' }));
    await screen.findByText('No events of these types.');
    await waitFor(() => expect(api.calls.at(-1)!.query.getAll('event_type')).toEqual(['completed', 'deleted']));
  });

  it('says when the trail cannot be loaded and retries', async () => {
    let fail = true;
    fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'GET /api/u_ada/audit': () => (fail ? problem(503, 'database unavailable') : { body: { items: page1, next_cursor: null } }),
    });
    renderInApp(<AuditView userId="u_ada" />);
    expect(await screen.findByText(/server had a problem/)).toBeTruthy();
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('Old idea');
  });
});
