import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { Chip, ParsedTask } from '@/lib/quickAdd';
import { fakeApi, held, type Call } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { PARSE_DEBOUNCE_MS, QuickAdd } from './QuickAdd';

const TEXT = 'Pay rent tomorrow 9am !high #home every month';
const DUE = '2026-12-01T08:00:00Z';

// A stand-in for the server's parser: the phrases of TEXT it knows, with their UTF-16
// offsets in whatever text was sent (String.indexOf counts UTF-16 code units, as the server).
const PHRASES: Omit<Chip, 'start' | 'end'>[] = [
  { kind: 'due', text: 'tomorrow 9am', value: DUE },
  { kind: 'priority', text: '!high', value: 'high' },
  { kind: 'tag', text: '#home', value: 'home' },
  { kind: 'recurrence', text: 'every month', value: 'FREQ=MONTHLY' },
];
function parseReply(call: Call) {
  const { text, timezone } = call.body as { text: string; timezone: string };
  const chips: Chip[] = [];
  for (const p of PHRASES) {
    const start = text.indexOf(p.text);
    if (start >= 0) chips.push({ ...p, start, end: start + p.text.length });
  }
  chips.sort((a, b) => a.start - b.start);
  let title = text;
  for (const c of chips) title = title.replace(c.text, ' ');
  const body: ParsedTask = {
    title: title.replace(/\s+/g, ' ').trim(),
    due_at: chips.some((c) => c.kind === 'due') ? DUE : null,
    remind_at: null,
    priority: chips.some((c) => c.kind === 'priority') ? 'high' : null,
    tags: chips.filter((c) => c.kind === 'tag').map((c) => c.value),
    recurrence: chips.some((c) => c.kind === 'recurrence') ? 'FREQ=MONTHLY' : null,
    timezone,
    chips,
  };
  return { body };
}

function setup(parse: (call: Call) => unknown = parseReply) {
  const api = fakeApi({ 'POST /api/u_ada/tasks/parse': parse as never });
  const onAdd = vi.fn();
  renderInApp(<QuickAdd userId="u_ada" disabled={false} error="" onAdd={onAdd} onMore={vi.fn()} />);
  const box = screen.getByLabelText('New task title') as HTMLInputElement;
  return { api, onAdd, box };
}

const chipList = () => screen.findByRole('list', { name: 'Recognised in the text' });

describe('QuickAdd', () => {
  it('shows what the parser recognised as chips before Enter, then creates the task with them', async () => {
    const { api, onAdd, box } = setup();
    await userEvent.type(box, TEXT);
    const list = await chipList();
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.kind)).toEqual(['due', 'priority', 'tag', 'recurrence']);
    expect(within(list).getByText('Priority high')).toBeTruthy();
    expect(within(list).getByText('#home')).toBeTruthy();
    expect(within(list).getByText('Monthly')).toBeTruthy();
    expect(within(list).getByText(/^Due /)).toBeTruthy();
    // The latest text was asked, in the browser's zone.
    const calls = api.of('POST', /tasks\/parse$/);
    expect(calls.at(-1)!.body).toEqual({ text: TEXT, timezone: 'Europe/Berlin' });
    expect(onAdd).not.toHaveBeenCalled();

    await userEvent.type(box, '{Enter}');
    expect(onAdd).toHaveBeenCalledTimes(1);
    expect(onAdd.mock.calls[0][0]).toEqual({
      title: 'Pay rent',
      due_at: DUE,
      priority: 'high',
      tags: ['home'],
      recurrence: 'FREQ=MONTHLY',
      timezone: 'Europe/Berlin',
    });
    expect(box.value).toBe('');
    expect(screen.queryByRole('list', { name: 'Recognised in the text' })).toBeNull();
  });

  // The debounce timer under the test's control (as RulePreview.test.tsx): one change event
  // per character, and the request goes out only when the test lets the pause pass, so
  // nothing depends on how fast the machine types. (With setTimeout faked, findBy/waitFor
  // never finish: the test looks right after act().)
  it('asks the server once typing pauses, not per key', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { api, box } = setup();
    for (let i = 1; i <= TEXT.length; i++) fireEvent.change(box, { target: { value: TEXT.slice(0, i) } });
    const parses = () => api.of('POST', /tasks\/parse$/);
    expect(parses()).toHaveLength(0);
    await act(async () => void vi.advanceTimersByTime(PARSE_DEBOUNCE_MS - 50));
    expect(parses()).toHaveLength(0);
    await act(async () => void vi.advanceTimersByTime(50));
    await act(async () => {});
    expect(parses()).toHaveLength(1);
    expect(parses()[0].body).toEqual({ text: TEXT, timezone: 'Europe/Berlin' });
    expect(within(screen.getByRole('list', { name: 'Recognised in the text' })).getAllByRole('listitem')).toHaveLength(4);
  });

  it('a removed chip keeps its words in the title and its field is not set', async () => {
    const { onAdd, box } = setup();
    await userEvent.type(box, TEXT);
    const list = await chipList();
    await userEvent.click(within(list).getByRole('button', { name: /^Remove Priority high/ }));
    await userEvent.click(within(list).getByRole('button', { name: /^Remove #home/ }));
    expect(within(list).queryByText('Priority high')).toBeNull();
    expect(within(list).queryByText('#home')).toBeNull();
    await userEvent.type(box, '{Enter}');
    expect(onAdd.mock.calls[0][0]).toEqual({
      title: 'Pay rent !high #home',
      due_at: DUE,
      recurrence: 'FREQ=MONTHLY',
      timezone: 'Europe/Berlin',
    });
  });

  it('Enter before the parse answered waits for it and uses it', async () => {
    const parse = held(parseReply);
    const { onAdd, box } = setup(parse.handler);
    await userEvent.type(box, 'Pay rent #home{Enter}');
    await parse.arrival();
    expect(onAdd).not.toHaveBeenCalled();
    while (parse.pending) await parse.release();
    await waitFor(() => expect(onAdd).toHaveBeenCalledTimes(1));
    expect(onAdd.mock.calls[0][0]).toEqual({ title: 'Pay rent', tags: ['home'], timezone: 'Europe/Berlin' });
  });

  it('an answer for an older text is not shown', async () => {
    const parse = held(parseReply);
    const { box } = setup(parse.handler);
    await userEvent.type(box, 'Pay rent #home');
    await parse.arrival();
    await userEvent.clear(box);
    await userEvent.type(box, 'Water plants');
    await waitFor(() => expect(parse.pending).toBe(2));
    await parse.release();  // the answer about "Pay rent #home"
    await parse.release();
    expect(screen.queryByRole('list', { name: 'Recognised in the text' })).toBeNull();
  });

  it('when the parse fails, the whole text is the title', async () => {
    const { onAdd, box } = setup(() => ({ status: 503, body: { title: 'busy', status: 503 } }));
    await userEvent.type(box, `${TEXT}{Enter}`);
    await waitFor(() => expect(onAdd).toHaveBeenCalledTimes(1));
    expect(onAdd.mock.calls[0][0]).toEqual({ title: TEXT });
  });
});
