import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { SessionProvider } from '@/lib/session';
import { fakeApi, held, problem, task, USER, type Call } from '@/test/fakeApi';

import { PREVIEW_DEBOUNCE_MS } from './RulePreview';
import { TaskEditor } from './TaskEditor';

// The editor's preview of a repeat rule's next dates (GET …/recurrence/preview). The
// debounce timer is under the test's control: a request goes out only when the test lets
// the pause pass, so nothing depends on how fast the typing is. Typing is one change event
// per character (fireEvent: user-event waits on the faked timers). With setTimeout faked,
// Testing Library's findBy/waitFor believe Jest's fake timers are on and never finish, so
// the tests look right after `pause()`, whose act() lets the fake server's answer render.
const fakeTimeouts = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
const pause = async () => {
  await act(async () => void vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS));
  await act(async () => {});
};
const field = (name: string) => screen.getByLabelText(name) as HTMLInputElement;
const choose = (name: string, value: string) => fireEvent.change(field(name), { target: { value } });
const type = (name: string, text: string) => {
  for (let i = 1; i <= text.length; i++) fireEvent.change(field(name), { target: { value: text.slice(0, i) } });
};

// Daily dates from dtstart, as the server would answer (enough for these tests).
const daily = (c: Call) => {
  const start = Date.parse(c.query.get('dtstart') ?? '2030-01-01T08:00:00Z');
  const occurrences = [0, 1, 2].map((i) => new Date(start + i * 86_400_000).toISOString().replace('.000', ''));
  return { body: { rule: c.query.get('rule'), timezone: c.query.get('timezone'), dtstart: new Date(start).toISOString(), occurrences } };
};

function open(t: Parameters<typeof TaskEditor>[0]['task'] = null) {
  render(
    <SessionProvider>
      <TaskEditor task={t} userId="u_ada" onSubmit={vi.fn(async () => {})} onClose={vi.fn()} />
    </SessionProvider>,
  );
}

const previews = (api: ReturnType<typeof fakeApi>) => api.of('GET', /recurrence\/preview$/);
const shownDates = () =>
  within(screen.getByRole('list', { name: 'Next dates' }))
    .getAllByRole('listitem')
    .map((li) => li.querySelector('time')!.getAttribute('dateTime'));

describe('TaskEditor: the next dates of the repeat rule', () => {
  it('asks once typing pauses, with the task’s zone and due date, and shows the dates in that zone', async () => {
    const api = fakeApi({ 'GET /api/auth/session': () => ({ body: { user: USER } }), 'GET /api/u_ada/recurrence/preview': daily });
    fakeTimeouts();
    open();
    fireEvent.change(field('Due date'), { target: { value: '2026-03-28' } }); // 09:00, the day before DST starts
    choose('Time zone', 'America/New_York');
    choose('Repeat', 'custom');
    type('Rule (RFC 5545 RRULE)', 'FREQ=DAILY;COUNT=5');
    expect(previews(api)).toHaveLength(0); // nothing while typing
    await act(async () => void vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS - 50));
    expect(previews(api)).toHaveLength(0); // nor before the pause is long enough
    await pause();
    screen.getByRole('list', { name: 'Next dates' });
    expect(previews(api)).toHaveLength(1); // one request for the whole rule
    const q = previews(api)[0].query;
    expect(q.get('rule')).toBe('FREQ=DAILY;COUNT=5');
    expect(q.get('timezone')).toBe('America/New_York');
    expect(q.get('dtstart')).toBe('2026-03-28T13:00:00Z'); // 09:00 in New York
    expect(q.get('count')).toBe('3');
    expect(shownDates()).toEqual(['2026-03-28T13:00:00Z', '2026-03-29T13:00:00Z', '2026-03-30T13:00:00Z']);
    // On the task's wall clock (New York), not the browser's (Berlin: 14:00 or 15:00).
    const texts = within(screen.getByRole('list', { name: 'Next dates' })).getAllByRole('listitem').map((li) => li.textContent);
    for (const t of texts) expect(t).toMatch(/09:00/);
    expect(field('Rule (RFC 5545 RRULE)').getAttribute('aria-describedby')).toContain(screen.getByRole('list', { name: 'Next dates' }).parentElement!.id);
  });

  it('a preset and an existing task’s rule are previewed too; no rule, no preview', async () => {
    const api = fakeApi({ 'GET /api/auth/session': () => ({ body: { user: USER } }), 'GET /api/u_ada/recurrence/preview': daily });
    fakeTimeouts();
    open(task({ title: 'Water plants', due_at: '2026-07-01T06:00:00Z', recurrence: 'FREQ=WEEKLY', timezone: 'Europe/Berlin' }));
    await pause();
    screen.getByRole('list', { name: 'Next dates' });
    expect(previews(api).at(-1)!.query.get('rule')).toBe('FREQ=WEEKLY');
    expect(previews(api).at(-1)!.query.get('dtstart')).toBe('2026-07-01T06:00:00Z');
    choose('Repeat', 'daily');
    await pause();
    expect(previews(api).at(-1)!.query.get('rule')).toBe('FREQ=DAILY');
    choose('Repeat', 'none');
    await pause();
    expect(screen.queryByRole('list', { name: 'Next dates' })).toBeNull();
    expect(previews(api)).toHaveLength(2);
  });

  it('without a due date, counts from now (no dtstart) and says so', async () => {
    const api = fakeApi({ 'GET /api/auth/session': () => ({ body: { user: USER } }), 'GET /api/u_ada/recurrence/preview': daily });
    fakeTimeouts();
    open();
    choose('Repeat', 'monthly');
    await pause();
    screen.getByText('Next dates, counting from now:');
    expect(previews(api)[0].query.has('dtstart')).toBe(false);
  });

  it('shows the server’s 422 for an invalid rule in words, and the dates again once it is fixed', async () => {
    fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'GET /api/u_ada/recurrence/preview': (c) =>
        c.query.get('rule')!.startsWith('FREQ=')
          ? daily(c)
          : problem(422, 'rule: is not a valid RRULE', [{ field: 'rule', message: 'is not a valid RRULE: FREQ is required' }]),
    });
    fakeTimeouts();
    open();
    choose('Repeat', 'custom');
    type('Rule (RFC 5545 RRULE)', 'BYDAY=MO');
    await pause();
    screen.getByText('Repeat rule is not a valid RRULE: FREQ is required.');
    expect(screen.queryByRole('list', { name: 'Next dates' })).toBeNull();
    choose('Rule (RFC 5545 RRULE)', '');
    type('Rule (RFC 5545 RRULE)', 'FREQ=WEEKLY;BYDAY=MO');
    await pause();
    screen.getByRole('list', { name: 'Next dates' });
    expect(screen.queryByText(/not a valid RRULE/)).toBeNull();
  });

  it('an answer for an older rule never replaces the newer one’s', async () => {
    const first = held((c: Call) => ({ body: { ...daily(c).body, occurrences: ['2000-01-01T00:00:00Z'] } }));
    let calls = 0;
    fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'GET /api/u_ada/recurrence/preview': (c) => (++calls === 1 ? first.handler(c) : daily(c)),
    });
    fakeTimeouts();
    open();
    fireEvent.change(field('Due date'), { target: { value: '2026-12-01' } });
    choose('Repeat', 'weekly');
    await pause();
    expect(first.pending).toBe(1); // the first answer is still on its way...
    choose('Repeat', 'daily');
    await pause();
    screen.getByRole('list', { name: 'Next dates' });
    await first.release(); // ...and arrives last
    expect(shownDates()).toEqual(['2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z', '2026-12-03T08:00:00Z']);
  });
});
