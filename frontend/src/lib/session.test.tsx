import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { Header } from '@/components/Header';
import { ToastProvider } from '@/components/Toasts';
import { fakeApi, USER } from '@/test/fakeApi';

import { SessionProvider, useRequiredUser } from './session';

const replace = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace }), usePathname: () => '/tasks' }));
beforeEach(() => replace.mockReset());

function Guarded() {
  const user = useRequiredUser();
  return <p>{user ? `Hello ${user.name}` : 'Loading…'}</p>;
}

const app = () =>
  render(
    <SessionProvider>
      <ToastProvider>
        <Header />
        <Guarded />
      </ToastProvider>
    </SessionProvider>,
  );

describe('session', () => {
  it('{"user": null, "session": null} means nobody is signed in: sign-in offered, guarded pages send there', async () => {
    fakeApi({ 'GET /api/auth/session': () => ({ body: { user: null, session: null } }) });
    app();
    await screen.findByRole('link', { name: 'Sign in' });
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(screen.getByText('Loading…')).toBeTruthy();
    // The redirect is an effect: wait for it (the header may render first).
    await waitFor(() => expect(replace).toHaveBeenCalledWith(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`));
  });

  it('a signed-in answer names the user and opens guarded pages', async () => {
    fakeApi({ 'GET /api/auth/session': () => ({ body: { user: USER } }) });
    app();
    await screen.findByText('Hello Ada');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(screen.getByText('Ada')).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
  });

  it('Sign out ends the session on the server, and the page sends to sign-in once (no second, racing navigation)', async () => {
    const api = fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'POST /api/auth/sign-out': () => ({ status: 204 }),
    });
    app();
    await screen.findByText('Hello Ada');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('link', { name: 'Sign in' });
    expect(api.of('POST', /sign-out$/)).toHaveLength(1);
    await waitFor(() => expect(replace).toHaveBeenCalled());
    expect(replace.mock.calls).toEqual([[`/sign-in?next=${encodeURIComponent(window.location.pathname)}`]]);
  });

  it('an unreachable server counts as signed out, not as a crash', async () => {
    fakeApi({}); // every route 404
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    app();
    await screen.findByRole('link', { name: 'Sign in' });
    await waitFor(() => expect(replace).toHaveBeenCalled());
  });
});
