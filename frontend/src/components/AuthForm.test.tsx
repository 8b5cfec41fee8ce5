import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { SessionProvider } from '@/lib/session';
import { fakeApi, problem, USER } from '@/test/fakeApi';

import { AuthForm } from './AuthForm';

const replace = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace }), usePathname: () => '/sign-up' }));
beforeEach(() => replace.mockReset());

const signedOut = () => ({ body: { user: null, session: null } });

async function fill(mode: 'sign-in' | 'sign-up', password: string) {
  const user = userEvent.setup({ delay: null });
  render(
    <SessionProvider>
      <AuthForm mode={mode} />
    </SessionProvider>,
  );
  if (mode === 'sign-up') await user.type(screen.getByLabelText('Name'), 'Ada');
  await user.type(screen.getByLabelText('E-mail'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: mode === 'sign-in' ? 'Sign in' : 'Sign up' }));
}

describe('AuthForm', () => {
  it('sign-up: a password under 8 characters is refused in words, and nothing is sent', async () => {
    const api = fakeApi({ 'GET /api/auth/session': signedOut, 'POST /api/auth/sign-up/email': () => ({ status: 201, body: { user: USER } }) });
    await fill('sign-up', 'short');
    expect(screen.getByText('This password is too weak: it must be at least 8 characters.')).toBeTruthy();
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe('Please correct the highlighted fields.');
    expect(api.of('POST', /./)).toHaveLength(0);
    expect(replace).not.toHaveBeenCalled();
  });

  it('sign-up: eight characters are enough to ask the server, whose refusal is shown under its field', async () => {
    const api = fakeApi({
      'GET /api/auth/session': signedOut,
      'POST /api/auth/sign-up/email': () => problem(422, 'password: bad', [{ field: 'password', message: 'must not contain the e-mail address' }]),
    });
    await fill('sign-up', 'ada@example.com!');
    await screen.findByText('This password is too weak: it must not contain the e-mail address.');
    expect(api.of('POST', /sign-up/)[0].body).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'ada@example.com!' });
    expect(replace).not.toHaveBeenCalled();
  });

  it('sign-up: success goes on to the tasks', async () => {
    fakeApi({ 'GET /api/auth/session': signedOut, 'POST /api/auth/sign-up/email': () => ({ status: 201, body: { user: USER } }) });
    await fill('sign-up', '12345678');
    await vi.waitFor(() => expect(replace).toHaveBeenCalledWith('/tasks'));
  });

  it('sign-in: a wrong password is said in words; a short one is still sent (old accounts)', async () => {
    const api = fakeApi({ 'GET /api/auth/session': signedOut, 'POST /api/auth/sign-in/email': () => problem(401, 'wrong e-mail or password') });
    await fill('sign-in', 'short');
    await screen.findByText('Wrong e-mail or password.');
    expect(api.of('POST', /sign-in/)).toHaveLength(1);
  });
});
