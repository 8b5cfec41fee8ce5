import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { fakeApi, problem, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { WebhookSettings } from './WebhookSettings';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/settings' }));

afterEach(() => vi.unstubAllGlobals());

const session = () => ({ body: { user: USER } });
const hook = (over = {}) => ({
  id: 7,
  url: 'https://example.com/hooks/todo',
  event_types: ['task.created', 'reminder.fired'],
  enabled: true,
  disabled_reason: null,
  consecutive_failures: 0,
  created_at: '2026-11-30T10:00:00Z',
  updated_at: '2026-11-30T10:00:00Z',
  ...over,
});

describe('WebhookSettings', () => {
  it('adds an endpoint with the chosen events and shows its secret once, with a copy button', async () => {
    let listed: unknown[] = [];
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/webhooks': () => ({ body: { items: listed } }),
      'POST /api/u_ada/webhooks': () => {
        listed = [hook({ event_types: ['task.created', 'task.completed', 'reminder.fired'] })];
        return { status: 201, body: { ...hook(), secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } };
      },
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderInApp(<WebhookSettings user={USER} />);
    await userEvent.type(screen.getByLabelText('Endpoint URL'), 'https://example.com/hooks/todo');
    await userEvent.click(screen.getByLabelText('Reminder fired'));
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect((await screen.findByLabelText('Signing secret')).textContent).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(api.of('POST', /webhooks$/).map((c) => c.body)).toEqual([
      { url: 'https://example.com/hooks/todo', event_types: ['task.created', 'task.completed', 'reminder.fired'] },
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Copy secret' }));
    expect(writeText).toHaveBeenCalledWith('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const list = await screen.findByRole('list', { name: 'Your webhook endpoints' });
    expect(within(list).getByText('https://example.com/hooks/todo')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByLabelText('Signing secret')).toBeNull();
  });

  it("says why the server refused the URL under the URL field", async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/webhooks': () => ({ body: { items: [] } }),
      'POST /api/u_ada/webhooks': () =>
        problem(422, 'url: resolves to a loopback address (127.0.0.1), which webhooks may not reach', [
          { field: 'url', message: 'resolves to a loopback address (127.0.0.1), which webhooks may not reach' },
        ]),
    });
    renderInApp(<WebhookSettings user={USER} />);
    await userEvent.type(screen.getByLabelText('Endpoint URL'), 'https://localhost/x');
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByText('URL resolves to a loopback address (127.0.0.1), which webhooks may not reach.')).toBeTruthy();
    expect(screen.getByLabelText('Endpoint URL').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByLabelText('Signing secret')).toBeNull();
  });

  it('shows the delivery log, sends a test and disables an endpoint', async () => {
    let enabled = true;
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/webhooks': () => ({ body: { items: [hook({ enabled, disabled_reason: enabled ? null : 'disabled by its user' })] } }),
      'GET /api/u_ada/webhooks/7/deliveries': () => ({
        body: {
          items: [
            { id: 2, event_id: 'e2', event_type: 'task.created', msg_id: 'msg_2', attempt: 2, state: 'pending', status_code: 503, error: 'HTTP 503 (server error)', duration_ms: 12, next_attempt_at: '2026-11-30T10:05:00Z', created_at: '2026-11-30T10:00:00Z', updated_at: '2026-11-30T10:00:05Z' },
            { id: 1, event_id: 'e1', event_type: 'webhook.test', msg_id: 'msg_1', attempt: 1, state: 'succeeded', status_code: 200, error: null, duration_ms: 4, next_attempt_at: null, created_at: '2026-11-30T09:00:00Z', updated_at: '2026-11-30T09:00:00Z' },
          ],
          next_cursor: null,
        },
      }),
      'POST /api/u_ada/webhooks/7/test': () => ({ status: 202, body: { event_id: 'e3', msg_id: 'msg_3' } }),
      'PATCH /api/u_ada/webhooks/7': (call) => {
        enabled = (call.body as { enabled: boolean }).enabled;
        return { body: hook({ enabled }) };
      },
    });
    renderInApp(<WebhookSettings user={USER} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const table = await screen.findByRole('table', { name: 'Deliveries to https://example.com/hooks/todo' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByText('503')).toBeTruthy();
    expect(within(rows[1]).getByText('pending')).toBeTruthy();
    expect(within(rows[2]).getByText('webhook.test')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Send test' }));
    expect(await screen.findByText('Test event queued.')).toBeTruthy();
    expect(api.of('POST', /\/test$/)).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(screen.getByText(/Disabled: disabled by its user/)).toBeTruthy());
    expect(api.of('PATCH', /webhooks\/7$/).map((c) => c.body)).toEqual([{ enabled: false }]);
    expect((screen.getByRole('button', { name: 'Send test' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
