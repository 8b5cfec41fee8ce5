import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { fakeApi, problem, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';

import { ChangePassword, DeleteAccount, ExportData, SignOutEverywhere } from './AccountSettings';

const replace = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace, push: vi.fn() }), usePathname: () => '/settings' }));

const session = () => ({ body: { user: USER } });

beforeEach(() => replace.mockReset());
afterEach(() => vi.unstubAllGlobals());

describe('ChangePassword', () => {
  async function fill(current: string, next: string, repeat = next) {
    await userEvent.type(screen.getByLabelText('Current password'), current);
    await userEvent.type(screen.getByLabelText('New password'), next);
    await userEvent.type(screen.getByLabelText('New password again'), repeat);
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
  }

  it('sends both passwords and says it worked, clearing the fields', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'POST /api/auth/change-password': () => ({ body: { token: 'not-used-by-the-page', user: USER } }),
    });
    renderInApp(<ChangePassword />);
    await fill('old password 1', 'new password 22');
    expect(await screen.findByText('Your password was changed. Other devices have been signed out.')).toBeTruthy();
    expect(api.of('POST', /change-password$/).map((c) => c.body)).toEqual([{ current_password: 'old password 1', new_password: 'new password 22' }]);
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('');
  });

  it('checks that the new password was typed the same twice, without asking the server', async () => {
    const api = fakeApi({ 'GET /api/auth/session': session });
    renderInApp(<ChangePassword />);
    await fill('old password 1', 'new password 22', 'new password 23');
    expect(await screen.findByText('The two new passwords are not the same.')).toBeTruthy();
    expect(screen.getByLabelText('New password again').getAttribute('aria-invalid')).toBe('true');
    expect(api.of('POST', /change-password$/)).toHaveLength(0);
  });

  it('a wrong current password is said under its field; the new password is kept', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'POST /api/auth/change-password': () => problem(403, 'current_password: is not the account\'s password', [{ field: 'current_password', message: 'is not the account\'s password' }]),
    });
    renderInApp(<ChangePassword />);
    await fill('wrong password', 'new password 22');
    expect(await screen.findByText('This is not your current password.')).toBeTruthy();
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('new password 22');
    expect(screen.queryByText(/password was changed/)).toBeNull();
  });

  it('the server\'s policy for the new password is shown under it', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'POST /api/auth/change-password': () => problem(422, 'new_password must be at least 8 characters', [{ field: 'new_password', message: 'must be at least 8 characters' }]),
    });
    renderInApp(<ChangePassword />);
    await fill('old password 1', 'short77');
    expect(await screen.findByText('New password must be at least 8 characters.')).toBeTruthy();
    expect(screen.getByText('Please correct the highlighted fields.')).toBeTruthy();
  });

  it('too many wrong passwords: the wait is said in words', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'POST /api/auth/change-password': () => problem(429, 'too many wrong passwords; try again in 30 s'),
    });
    renderInApp(<ChangePassword />);
    await fill('old password 1', 'new password 22');
    expect(await screen.findByText('Too many requests. Please wait a moment and try again.')).toBeTruthy();
  });
});

describe('SignOutEverywhere', () => {
  it('ends every session on the server, then goes to sign-in', async () => {
    const api = fakeApi({ 'GET /api/auth/session': session, 'POST /api/auth/sign-out-all': () => ({ status: 204 }) });
    renderInApp(<SignOutEverywhere />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(replace).toHaveBeenCalledWith('/sign-in'));
    expect(api.of('POST', /sign-out-all$/)).toHaveLength(1);
  });

  it('when the server cannot do it, says so and stays', async () => {
    fakeApi({ 'GET /api/auth/session': session, 'POST /api/auth/sign-out-all': () => problem(503, 'the database is unavailable') });
    renderInApp(<SignOutEverywhere />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    expect(await screen.findByText('The server had a problem. Please try again in a moment.')).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign out everywhere' })).toHaveProperty('disabled', false);
  });
});

describe('ExportData', () => {
  it('is a download link to the user\'s export (the browser streams it to a file)', () => {
    fakeApi({ 'GET /api/auth/session': session });
    renderInApp(<ExportData user={USER} />);
    const link = screen.getByRole('link', { name: 'Download my data' });
    expect(link.getAttribute('href')).toBe('/api/u_ada/export');
    expect(link.hasAttribute('download')).toBe(true);
  });
});

describe('DeleteAccount', () => {
  async function open() {
    await userEvent.click(screen.getByRole('button', { name: 'Delete account…' }));
    return screen.getByLabelText('Your password, to confirm');
  }

  it('asks for the password first, sends it, then goes to sign-in', async () => {
    const api = fakeApi({ 'GET /api/auth/session': session, 'DELETE /api/u_ada': () => ({ status: 204 }) });
    renderInApp(<DeleteAccount user={USER} />);
    expect(screen.queryByRole('button', { name: 'Delete my account permanently' })).toBeNull();
    const password = await open();
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account permanently' }));
    expect(await screen.findByText('Enter your password to confirm.')).toBeTruthy();
    expect(api.of('DELETE', /./)).toHaveLength(0);
    await userEvent.type(password, 'my password 1');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account permanently' }));
    await waitFor(() => expect(replace).toHaveBeenCalledWith('/sign-in'));
    expect(api.of('DELETE', /^\/api\/u_ada$/).map((c) => c.body)).toEqual([{ password: 'my password 1' }]);
  });

  it('a wrong password is said under the field and nothing else happens', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'DELETE /api/u_ada': () => problem(403, 'password: is not the account\'s password', [{ field: 'password', message: 'is not the account\'s password' }]),
    });
    renderInApp(<DeleteAccount user={USER} />);
    await userEvent.type(await open(), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account permanently' }));
    expect(await screen.findByText('This is not your password.')).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Delete my account permanently' })).toHaveProperty('disabled', false);
  });

  it('Cancel closes the confirmation and forgets the password', async () => {
    const api = fakeApi({ 'GET /api/auth/session': session });
    renderInApp(<DeleteAccount user={USER} />);
    await userEvent.type(await open(), 'typed');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByLabelText('Your password, to confirm')).toBeNull();
    expect((await open() as HTMLInputElement).value).toBe('');
    expect(api.of('DELETE', /./)).toHaveLength(0);
  });
});
