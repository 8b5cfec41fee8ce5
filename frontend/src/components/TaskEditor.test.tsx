import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import realUserEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api';
import type { TaskInput } from '@/lib/tasks';
import { task } from '@/test/fakeApi';

import { TaskEditor } from './TaskEditor';

// Each test renders its own editor (unmounted after it by vitest.setup.ts) and types
// without pauses between keys: nothing here depends on how fast typing is.
function open(t: Parameters<typeof TaskEditor>[0]['task'], onSubmit = vi.fn(async (_: TaskInput) => {})) {
  const onClose = vi.fn();
  render(<TaskEditor task={t} onSubmit={onSubmit} onClose={onClose} />);
  return { onSubmit, onClose };
}

const userEvent = { setup: () => realUserEvent.setup({ delay: null }) };

const field = (name: string) => screen.getByLabelText(name) as HTMLInputElement;

describe('TaskEditor', () => {
  it('builds the POST body of a new task: tags, due date in the zone, reminder, preset, time zone', async () => {
    const user = userEvent.setup();
    const { onSubmit } = open(null);
    expect(screen.getByRole('dialog', { name: 'New task' })).toBeTruthy();
    // The time zone defaults to the browser's (TZ=Europe/Berlin in vitest.config.mts).
    expect(field('Time zone').value).toBe('Europe/Berlin');
    await user.type(field('Title'), 'Pay rent');
    await user.type(field('Description'), 'Transfer to landlord');
    await user.selectOptions(field('Priority'), 'high');
    await user.type(field('Tags'), 'home{Enter}money,');
    expect(screen.getByRole('button', { name: 'Remove tag home' })).toBeTruthy();
    fireEvent.change(field('Due date'), { target: { value: '2026-12-01' } });
    expect(field('Due time').value).toBe('09:00'); // filled in when a date is picked
    await user.selectOptions(field('Reminder'), '30');
    await user.selectOptions(field('Repeat'), 'monthly');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(onSubmit).toHaveBeenCalledWith({
      title: 'Pay rent',
      description: 'Transfer to landlord',
      priority: 'high',
      tags: ['home', 'money'],
      due_at: '2026-12-01T08:00:00Z', // 09:00 in Berlin (UTC+1 in December)
      remind_at: '2026-12-01T07:30:00Z',
      recurrence: 'FREQ=MONTHLY',
      timezone: 'Europe/Berlin',
    });
  });

  it.each([
    ['daily', 'FREQ=DAILY'],
    ['weekdays', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'],
    ['weekly', 'FREQ=WEEKLY'],
    ['monthly', 'FREQ=MONTHLY'],
    ['yearly', 'FREQ=YEARLY'],
  ])('the recurrence preset %s is the RRULE %s', async (preset, rule) => {
    const user = userEvent.setup();
    const { onSubmit } = open(null);
    await user.type(field('Title'), 'x');
    await user.selectOptions(field('Repeat'), preset);
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0][0].recurrence).toBe(rule);
  });

  it('a custom recurrence sends the rule as typed', async () => {
    const user = userEvent.setup();
    const { onSubmit } = open(null);
    await user.type(field('Title'), 'x');
    await user.selectOptions(field('Repeat'), 'custom');
    await user.type(field('Rule (RFC 5545 RRULE)'), 'FREQ=MONTHLY;BYMONTHDAY=1');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0][0].recurrence).toBe('FREQ=MONTHLY;BYMONTHDAY=1');
  });

  it('a time zone other than the browser’s moves the instant', async () => {
    const user = userEvent.setup();
    const { onSubmit } = open(null);
    await user.type(field('Title'), 'Standup');
    fireEvent.change(field('Due date'), { target: { value: '2026-07-01' } });
    fireEvent.change(field('Due time'), { target: { value: '10:30' } });
    await user.selectOptions(field('Time zone'), 'America/New_York');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ due_at: '2026-07-01T14:30:00Z', timezone: 'America/New_York' });
  });

  it('PATCH holds only what changed, null to clear', async () => {
    const user = userEvent.setup();
    const t = task({
      title: 'Pay rent',
      priority: 'medium',
      tags: ['home'],
      due_at: '2026-12-01T08:00:00Z',
      recurrence: 'FREQ=MONTHLY',
      timezone: 'Europe/Berlin',
    });
    const { onSubmit } = open(t);
    expect(screen.getByRole('dialog', { name: 'Edit task' })).toBeTruthy();
    expect(field('Due date').value).toBe('2026-12-01');
    expect(field('Due time').value).toBe('09:00');
    expect((screen.getByLabelText('Repeat') as HTMLSelectElement).value).toBe('monthly');
    await user.clear(field('Title'));
    await user.type(field('Title'), 'Pay the rent');
    await user.click(screen.getByRole('button', { name: 'Remove tag home' }));
    await user.type(field('Tags'), 'bills{Enter}');
    await user.selectOptions(field('Repeat'), 'none');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(onSubmit).toHaveBeenCalledWith({ title: 'Pay the rent', tags: ['bills'], recurrence: null });
  });

  it('closes without a request when nothing changed', async () => {
    const user = userEvent.setup();
    const { onSubmit, onClose } = open(task({ title: 'Same' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(onClose).toHaveBeenCalled();
  });

  it('shows the server’s field errors in words and stays open', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn(async () => {
      throw new ApiError({
        status: 422,
        detail: 'recurrence: bad',
        errors: [{ field: 'recurrence', message: 'is not a valid RRULE: FREQ is required' }],
      });
    });
    const { onClose } = open(null, onSubmit);
    await user.type(field('Title'), 'x');
    await user.selectOptions(field('Repeat'), 'custom');
    await user.type(field('Rule (RFC 5545 RRULE)'), 'BYDAY=MO');
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    await screen.findByText('Repeat rule is not a valid RRULE: FREQ is required.');
    expect(screen.getByRole('alert').textContent).toBe('Please correct the highlighted fields.');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('asks for a title before sending anything', async () => {
    const user = userEvent.setup();
    const { onSubmit } = open(null);
    await user.click(screen.getByRole('button', { name: 'Add task' }));
    expect(screen.getByText('Give the task a title.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('Escape (the dialog’s cancel) closes it', async () => {
    const { onClose } = open(null);
    fireEvent(screen.getByRole('dialog'), new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });
});
