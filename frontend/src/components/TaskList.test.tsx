import { cleanup, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { groupByDay } from '@/lib/views';
import { task } from '@/test/fakeApi';

import { TaskList, type TaskListProps } from './TaskList';

const NOW = Date.parse('2026-03-10T12:00:00Z');

function renderList(over: Partial<TaskListProps> = {}) {
  const props: TaskListProps = {
    phase: 'ready',
    tasks: [],
    saving: new Set(),
    now: NOW,
    filtered: false,
    hasMore: false,
    loadingMore: false,
    onRetry: vi.fn(),
    onLoadMore: vi.fn(),
    onClearFilters: vi.fn(),
    onToggle: vi.fn(),
    onEdit: vi.fn(),
    onDelete: vi.fn(),
    ...over,
  };
  render(<TaskList {...props} />);
  return props;
}

describe('TaskList', () => {
  it('shows priority, tags, due date, overdue and recurrence of each task', () => {
    renderList({
      tasks: [
        task({ id: 1, title: 'Pay rent', priority: 'high', tags: ['home', 'money'], due_at: '2026-03-09T08:00:00Z', recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1' }),
        task({ id: 2, title: 'Water plants', priority: 'low', due_at: '2026-03-11T08:00:00Z' }),
        task({ id: 3, title: 'Old and done', completed: true, due_at: '2026-03-01T08:00:00Z' }),
      ],
    });
    const rows = screen.getAllByRole('listitem').filter((li) => li.classList.contains('task'));
    expect(rows).toHaveLength(3);

    const rent = within(rows[0]);
    expect(rent.getByText('High')).toBeTruthy();
    expect(rent.getByText('#home')).toBeTruthy();
    expect(rent.getByText('#money')).toBeTruthy();
    expect(rent.getByText(/Overdue/)).toBeTruthy();
    expect(rent.getByText('Monthly on day 1')).toBeTruthy();
    expect(rows[0].querySelector('time')?.getAttribute('dateTime')).toBe('2026-03-09T08:00:00Z');

    const plants = within(rows[1]);
    expect(plants.getByText('Low')).toBeTruthy();
    expect(plants.getByText(/^Tomorrow/)).toBeTruthy();
    expect(plants.queryByText(/Overdue/)).toBeNull();

    // A completed task is never overdue; its checkbox says what clicking does.
    expect(within(rows[2]).queryByText(/Overdue/)).toBeNull();
    expect(screen.getByRole('checkbox', { name: 'Mark “Old and done” as not done' })).toHaveProperty('checked', true);
    expect(screen.getByRole('checkbox', { name: 'Mark “Pay rent” as done' })).toHaveProperty('checked', false);
  });

  it('marks the tasks that repeat: the rule in words, the rule itself in the tooltip', () => {
    renderList({
      tasks: [
        task({ id: 1, title: 'Stand-up', recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR' }),
        task({ id: 2, title: 'Water plants', recurrence: 'FREQ=DAILY' }),
        task({ id: 3, title: 'Gym', recurrence: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH' }),
        task({ id: 4, title: 'Pay card', recurrence: 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=3' }),
        task({ id: 5, title: 'Payroll', recurrence: 'FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR' }),
        task({ id: 6, title: 'Renew passport', recurrence: 'FREQ=YEARLY;UNTIL=20320101T000000Z' }),
        task({ id: 7, title: 'Once only' }),
      ],
    });
    const marker = (id: number) => document.querySelector(`li[data-task-id="${id}"] .recurrence`);
    const words = (id: number) => marker(id)?.textContent?.replace('↻ ', '');
    expect(words(1)).toBe('Repeats: Every weekday');
    expect(words(2)).toBe('Repeats: Daily');
    expect(words(3)).toBe('Repeats: Every 2 weeks on Mon, Thu');
    expect(words(4)).toBe('Repeats: Monthly on the last Fri, 3 times');
    expect(words(5)).toBe('Repeats: Monthly on Mon, Tue, Wed, Thu, Fri (custom rule)');
    expect(words(6)).toBe('Repeats: Yearly, until Jan 1, 2032');
    expect(marker(5)?.getAttribute('title')).toBe('Repeats: FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR');
    expect(marker(7)).toBeNull();
  });

  it('Upcoming: one list per day under the day’s heading, in order', () => {
    const tasks = [
      task({ id: 1, title: 'Early', due_at: '2026-03-10T07:00:00Z' }),
      task({ id: 2, title: 'Late', due_at: '2026-03-10T22:30:00Z' }), // 23:30 in Berlin: still the 10th
      task({ id: 3, title: 'Next day', due_at: '2026-03-10T23:30:00Z' }), // 00:30 on the 11th in Berlin
    ];
    renderList({ tasks, groups: groupByDay(tasks, NOW, 'Europe/Berlin') });
    const today = screen.getByRole('list', { name: 'Tasks due Today' });
    expect(within(today).getAllByRole('button', { name: /^Edit/ }).map((b) => b.textContent)).toEqual(['Early', 'Late']);
    const tomorrow = screen.getByRole('list', { name: 'Tasks due Tomorrow' });
    expect(within(tomorrow).getAllByRole('button', { name: /^Edit/ }).map((b) => b.textContent)).toEqual(['Next day']);
    expect(screen.getAllByRole('heading').map((h) => h.textContent)).toEqual(['Today', 'Tomorrow']);
  });

  it('an empty view says so in its own words', () => {
    renderList({ emptyMessage: 'Nothing overdue.' });
    expect(screen.getByText('Nothing overdue.')).toBeTruthy();
    expect(screen.queryByText('Nothing to do yet.')).toBeNull();
  });

  it('names every control after its task', () => {
    const props = renderList({ tasks: [task({ id: 7, title: 'Call mum' })] });
    screen.getByRole('button', { name: 'Edit “Call mum”' }).click();
    screen.getByRole('button', { name: 'Delete “Call mum”' }).click();
    screen.getByRole('checkbox', { name: 'Mark “Call mum” as done' }).click();
    expect(props.onEdit).toHaveBeenCalledWith(expect.objectContaining({ id: 7 }));
    expect(props.onDelete).toHaveBeenCalledWith(expect.objectContaining({ id: 7 }));
    expect(props.onToggle).toHaveBeenCalledWith(expect.objectContaining({ id: 7 }));
  });

  it('says when there is nothing yet', () => {
    renderList();
    expect(screen.getByText('Nothing to do yet.')).toBeTruthy();
    expect(screen.queryByText('No tasks match these filters.')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
  });

  it('says when filters hide everything, and offers to clear them', () => {
    const props = renderList({ filtered: true });
    expect(screen.getByText('No tasks match these filters.')).toBeTruthy();
    expect(screen.queryByText('Nothing to do yet.')).toBeNull();
    screen.getByRole('button', { name: 'Clear filters' }).click();
    expect(props.onClearFilters).toHaveBeenCalled();
  });

  it('has a loading state', () => {
    renderList({ phase: 'loading', tasks: [task({ title: 'Not yet' })] });
    expect(screen.getByRole('status').textContent).toMatch(/Loading tasks/);
    expect(screen.queryByText('Not yet')).toBeNull();
  });

  it('has an error state with retry', () => {
    const props = renderList({ phase: 'error', error: 'The server could not be reached.' });
    expect(screen.getByRole('alert').textContent).toMatch(/could not be reached/);
    screen.getByRole('button', { name: 'Try again' }).click();
    expect(props.onRetry).toHaveBeenCalled();
  });

  it('loads more when the server has another page, and only then', () => {
    const props = renderList({ tasks: [task()], hasMore: true });
    screen.getByRole('button', { name: 'Load more tasks' }).click();
    expect(props.onLoadMore).toHaveBeenCalled();
    cleanup();
    renderList({ tasks: [task()], hasMore: false });
    expect(screen.queryByRole('button', { name: 'Load more tasks' })).toBeNull();
  });
});
