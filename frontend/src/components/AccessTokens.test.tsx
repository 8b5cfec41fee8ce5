import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { fakeApi, problem, USER } from '@/test/fakeApi';
import { renderInApp } from '@/test/render';
import type { AccessToken } from '@/lib/tokens';

import { AccessTokens } from './AccessTokens';

vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/settings' }));

const SECRET = `tdp_${'S'.repeat(43)}`;
const session = () => ({ body: { user: USER } });
const listed = (over: Partial<AccessToken> = {}): AccessToken => ({
  id: 'pat_1',
  name: 'backup script',
  prefix: 'tdp_AbC1',
  scopes: ['tasks:read'],
  created_at: '2026-05-01T10:00:00Z',
  last_used_at: null,
  expires_at: null,
  expired: false,
  ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('AccessTokens', () => {
  it('lists the tokens without any secret: name, prefix, scopes, last use and expiry', async () => {
    fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tokens': () => ({
        body: { items: [listed(), listed({ id: 'pat_2', name: 'old', expired: true, expires_at: '2026-01-01T00:00:00Z', last_used_at: '2025-12-31T09:00:00Z', scopes: ['tasks:read', 'audit:read'] })] },
      }),
    });
    renderInApp(<AccessTokens user={USER} />);
    const list = await screen.findByRole('list', { name: 'Your tokens' });
    const first = within(list).getByRole('listitem', { name: 'backup script' });
    expect(first.textContent).toContain('tdp_AbC1…');
    expect(first.textContent).toContain('tasks:read');
    expect(first.textContent).toContain('Last used never');
    expect(first.textContent).toContain('Expires never');
    const second = within(list).getByRole('listitem', { name: 'old' });
    expect(second.textContent).toContain('tasks:read, audit:read');
    expect(second.textContent).toContain('Expired');
  });

  it('creates a token with the chosen scopes and expiry, and shows the secret once with a copy button', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    let items: AccessToken[] = [];
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tokens': () => ({ body: { items } }),
      'POST /api/u_ada/tokens': (call) => {
        const body = call.body as { name: string; scopes: AccessToken['scopes']; expires_at: string | null };
        items = [listed({ id: 'pat_9', name: body.name, scopes: body.scopes, expires_at: body.expires_at })];
        return { status: 201, body: { ...items[0], token: SECRET, expired: undefined } };
      },
    });
    renderInApp(<AccessTokens user={USER} />);
    expect(await screen.findByText('No tokens yet.')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Name'), '  deploy bot ');
    await userEvent.click(screen.getByRole('checkbox', { name: /tasks:write/ }));
    await userEvent.type(screen.getByLabelText('Expires on (optional)'), '2026-12-31');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));

    const shown = (await screen.findByLabelText('New token')) as HTMLInputElement;
    expect(shown.value).toBe(SECRET);
    expect(screen.getByText(/shown only this once/)).toBeTruthy();
    const [post] = api.of('POST', /\/tokens$/);
    const body = post.body as { name: string; scopes: string[]; expires_at: string };
    expect(body.name).toBe('deploy bot');
    expect(body.scopes).toEqual(['tasks:read', 'tasks:write']);
    expect(new Date(body.expires_at).getDate()).toBe(31); // the end of that day, local time
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await screen.findByText('Copied.')).toBeTruthy();

    // The list shows the new token, without the secret; Done hides the secret for good.
    const row = await screen.findByRole('listitem', { name: 'deploy bot' });
    expect(row.textContent).not.toContain(SECRET);
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('New token')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET.slice(8));
  });

  it('says what is wrong without asking the server, and shows the server\'s field errors', async () => {
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tokens': () => ({ body: { items: [] } }),
      'POST /api/u_ada/tokens': () => problem(422, 'expires_at must be at most a year ahead', [{ field: 'expires_at', message: 'must be at most a year ahead' }]),
    });
    renderInApp(<AccessTokens user={USER} />);
    await screen.findByText('No tokens yet.');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText(/Give the token a name/)).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Name'), 'n');
    await userEvent.click(screen.getByRole('checkbox', { name: /tasks:read/ })); // none left
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('Choose at least one permission.')).toBeTruthy();
    expect(api.of('POST', /\/tokens$/)).toHaveLength(0);

    await userEvent.click(screen.getByRole('checkbox', { name: /chat/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText(/at most a year ahead/)).toBeTruthy();
    expect(screen.getByLabelText('Expires on (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByLabelText('New token')).toBeNull();
  });

  it('revokes only after a confirmation, then reloads the list', async () => {
    let items = [listed()];
    const api = fakeApi({
      'GET /api/auth/session': session,
      'GET /api/u_ada/tokens': () => ({ body: { items } }),
      'DELETE /api/u_ada/tokens/{id}': () => {
        items = [];
        return { status: 204 };
      },
    });
    renderInApp(<AccessTokens user={USER} />);
    const row = await screen.findByRole('listitem', { name: 'backup script' });
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    expect(api.of('DELETE', /tokens/)).toHaveLength(0);
    await userEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    expect(api.of('DELETE', /tokens/)).toHaveLength(0);
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    await userEvent.click(within(row).getByRole('button', { name: 'Yes, revoke' }));
    await waitFor(() => expect(api.of('DELETE', /tokens\/pat_1$/)).toHaveLength(1));
    expect(await screen.findByText('No tokens yet.')).toBeTruthy();
  });
});
