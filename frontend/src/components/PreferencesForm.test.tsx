import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { fakeApi, problem, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { PreferencesForm } from './PreferencesForm';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/settings' }));

afterEach(() => vi.unstubAllGlobals());

const session = () => ({ body: { user: USER } });
const DEFAULTS = { email_reminders: true, completion_notices: false, timezone: 'UTC', updated_at: null };

describe('PreferencesForm', () => {
  it('shows the saved preferences and saves the whole object', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/{user}/preferences': () => ({ body: DEFAULTS }),
      'PUT /api/{user}/preferences': (call) => ({ body: { ...(call.body as object), updated_at: '2026-11-30T10:00:00Z' } }),
    });
    renderInApp(<PreferencesForm user={USER} />);
    const reminders = (await screen.findByLabelText(/when a reminder fires/)) as HTMLInputElement;
    const notices = screen.getByLabelText(/when a task is completed/) as HTMLInputElement;
    expect(reminders.checked).toBe(true);
    expect(notices.checked).toBe(false);
    await userEvent.click(reminders);
    await userEvent.click(notices);
    await userEvent.selectOptions(screen.getByLabelText('Time zone for times in e-mails'), 'Europe/Berlin');
    await userEvent.click(screen.getByRole('button', { name: 'Save preferences' }));
    expect(await screen.findByText('Your preferences were saved.')).toBeTruthy();
    expect(api.of('PUT', /preferences$/).map((c) => c.body)).toEqual([
      { email_reminders: false, completion_notices: true, timezone: 'Europe/Berlin' },
    ]);
    expect(api.of('PUT', /preferences$/)[0].path).toBe(`/api/${USER.id}/preferences`);
  });

  it('says a refused field under the field', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/{user}/preferences': () => ({ body: DEFAULTS }),
      'PUT /api/{user}/preferences': () =>
        problem(422, 'timezone: must be a known IANA time zone name', [{ field: 'timezone', message: 'must be a known IANA time zone name' }]),
    });
    renderInApp(<PreferencesForm user={USER} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Save preferences' }));
    expect(await screen.findByText('Time zone must be a known IANA time zone name.')).toBeTruthy();
    expect(screen.getByLabelText('Time zone for times in e-mails').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByText('Your preferences were saved.')).toBeNull();
  });
});
