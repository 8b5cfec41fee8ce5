'use client';
// Who is signed in. The session itself is the HttpOnly cookie the server sets at sign-up
// and sign-in; the page only asks GET /api/auth/session who that is (the user id the task
// and audit URLs need) and never sees the token.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useRouter } from 'next/navigation';

import { api, ApiError } from './api';

export interface User {
  id: string;
  email: string;
  name: string;
  created_at: string;
}

type State = { status: 'loading' } | { status: 'signed-in'; user: User } | { status: 'signed-out' };

interface SessionValue {
  state: State;
  signIn(email: string, password: string): Promise<User>;
  signUp(name: string, email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
  // After a 401 from any call: the cookie expired or was cleared.
  expired(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

// The server answers 200 with {"user": null, "session": null} when nobody is signed in (a
// 401 would be logged by the browser as a failed resource on every anonymous visit).
const probe = () => api.get<{ user: User | null }>('/api/auth/session').then((r) => r.user ?? null);

// Asked as soon as this module runs in the browser, not after hydration: every page needs
// the answer before it can load anything, and hydration takes a few hundred ms on a slow
// machine (tests/e2e/perf.test.mjs). Not in tests, which install their fetch later.
let early: Promise<User | null> | null = typeof window !== 'undefined' && process.env.NODE_ENV === 'production' ? probe() : null;
early?.catch(() => undefined); // handled when the provider takes it

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    const answer = early ?? probe();
    early = null;
    answer
      .then((user) => live && setState(user ? { status: 'signed-in', user } : { status: 'signed-out' }))
      .catch(() => live && setState({ status: 'signed-out' })); // unreachable server: sign in again
    return () => {
      live = false;
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const r = await api.post<{ user: User }>('/api/auth/sign-in/email', { email, password });
    setState({ status: 'signed-in', user: r.user });
    return r.user;
  }, []);

  const signUp = useCallback(async (name: string, email: string, password: string) => {
    const r = await api.post<{ user: User }>('/api/auth/sign-up/email', { name, email, password });
    setState({ status: 'signed-in', user: r.user });
    return r.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/sign-out');
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  const expired = useCallback(() => setState({ status: 'signed-out' }), []);

  const value = useMemo(() => ({ state, signIn, signUp, signOut, expired }), [state, signIn, signUp, signOut, expired]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

// The signed-in user, or null while loading; sends everyone else to the sign-in page.
export function useRequiredUser(): User | null {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === 'signed-out') {
      const here = window.location.pathname;
      router.replace(`/sign-in?next=${encodeURIComponent(here)}`);
    }
  }, [state.status, router]);
  return state.status === 'signed-in' ? state.user : null;
}

// Calls `expired` on a 401 so that every page reacts the same way to an ended session.
export function useOnUnauthorized(): (err: unknown) => boolean {
  const { expired } = useSession();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) {
        expired();
        return true;
      }
      return false;
    },
    [expired],
  );
}
