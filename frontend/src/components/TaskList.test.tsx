import { cleanup, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

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
    expect(rent.getByText('Monthly')).toBeTruthy();
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
