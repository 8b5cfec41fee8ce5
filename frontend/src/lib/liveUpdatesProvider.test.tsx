// LiveUpdatesProvider: one stream per signed-in tab, to the user's own URL; what it
// receives reaches every listener; signing out closes it (no stream for nobody).
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { fakeApi, USER } from '@/test/fakeApi';
import { FakeEventSource } from '@/test/fakeEventSource';

import { LiveUpdatesProvider, streamUrl, useLiveUpdates, type LiveMessage } from './liveUpdates';
import { SessionProvider, useSession } from './session';

beforeEach(() => {
  FakeEventSource.opened = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => vi.unstubAllGlobals());

function Listener({ name, got }: { name: string; got: LiveMessage[] }) {
  useLiveUpdates((m) => got.push(m));
  const { signOut } = useSession();
  return <button onClick={() => void signOut()}>sign out {name}</button>;
}

function renderApp(got: LiveMessage[][]) {
  return render(
    <SessionProvider>
      <LiveUpdatesProvider>
        {got.map((g, i) => (
          <Listener key={i} name={String(i)} got={g} />
        ))}
      </LiveUpdatesProvider>
    </SessionProvider>,
  );
}

describe('LiveUpdatesProvider', () => {
  it('a signed-in tab opens one stream to its user; each message reaches every listener', async () => {
    fakeApi({ 'GET /api/auth/session': () => ({ body: { user: USER } }) });
    const list: LiveMessage[] = [];
    const bell: LiveMessage[] = [];
    renderApp([list, bell]);
    await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
    const [es] = FakeEventSource.opened;
    expect(es.url).toBe(streamUrl(USER.id));
    es.emit('open');
    es.emit('notifications', JSON.stringify({ unread_count: 3 }));
    es.emit('task', 'not json'); // not ours: dropped, the others still arrive
    es.emit('reset', '{}');
    const expected = [{ kind: 'open' }, { kind: 'notifications', unreadCount: 3 }, { kind: 'reset' }];
    expect(list).toEqual(expected);
    expect(bell).toEqual(expected);
  });

  it('signing out closes the stream; signed out, none is opened', async () => {
    fakeApi({
      'GET /api/auth/session': () => ({ body: { user: USER } }),
      'POST /api/auth/sign-out': () => ({ status: 204 }),
    });
    renderApp([[]]);
    await waitFor(() => expect(FakeEventSource.opened).toHaveLength(1));
    await userEvent.click(screen.getByRole('button', { name: 'sign out 0' }));
    await waitFor(() => expect(FakeEventSource.opened[0].closed).toBe(true));
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it('no session: no stream', async () => {
    const api = fakeApi({ 'GET /api/auth/session': () => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }) });
    renderApp([[]]);
    await waitFor(() => expect(api.of('GET', /session$/)).toHaveLength(1));
    await act(async () => {}); // the session state settles
    expect(FakeEventSource.opened).toEqual([]);
  });
});
