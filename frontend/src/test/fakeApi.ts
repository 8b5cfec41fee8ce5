// A fake of the todo API for component tests: routes fetch calls by method and path to
// handlers, and records every call with its parsed body and headers.
import { act, waitFor } from '@testing-library/react';
import { expect, vi } from 'vitest';

import type { Task } from '@/lib/tasks';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Reply = { status?: number; body?: unknown } | undefined;
type Handler = (call: Call) => Reply | Promise<Reply>;

export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://localhost');
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const call: Call = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      headers,
    };
    calls.push(call);
    const key = Object.keys(routes).find((k) => {
      const [m, p] = k.split(' ');
      return m === call.method && new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(call.path);
    });
    const reply = key ? await routes[key](call) : { status: 404, body: { title: 'Not found', status: 404 } };
    const status = reply?.status ?? 200;
    const problem = status >= 400;
    return new Response(status === 204 ? null : JSON.stringify(reply?.body ?? {}), {
      status,
      headers: { 'Content-Type': problem ? 'application/problem+json' : 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return { calls, fetch, of: (method: string, re: RegExp) => calls.filter((c) => c.method === method && re.test(c.path)) };
}

// An answer the test releases: the fake server holds every request of the route until
// release() (each later request waits for its own next release), so that a test can
// look at the page while a request is in flight ("shown before the server answered").
export function held(reply: Reply | ((call: Call) => Reply)) {
  const waiting: { call: Call; answer: (r: Reply) => void }[] = [];
  return {
    handler: (call: Call) => new Promise<Reply>((answer) => waiting.push({ call, answer })),
    get pending() {
      return waiting.length;
    },
    // Resolves once a request is waiting (within Testing Library's deadline).
    arrival: () => waitFor(() => expect(waiting.length).toBeGreaterThan(0)),
    // Answers the oldest waiting request and lets React render the outcome.
    async release() {
      const next = waiting.shift();
      if (!next) throw new Error('held: no request is waiting');
      await act(async () => next.answer(typeof reply === 'function' ? reply(next.call) : reply));
    },
  };
}

export const USER = { id: 'u_ada', email: 'ada@example.com', name: 'Ada', created_at: '2026-01-01T00:00:00Z' };

let nextId = 100;
export function task(over: Partial<Task> = {}): Task {
  const id = over.id ?? nextId++;
  return {
    id,
    user_id: USER.id,
    title: `Task ${id}`,
    description: '',
    completed: false,
    priority: 'medium',
    tags: [],
    due_at: null,
    remind_at: null,
    recurrence: null,
    timezone: 'Europe/Berlin',
    created_at: '2026-01-10T10:00:00Z',
    updated_at: '2026-01-10T10:00:00Z',
    completed_at: null,
    version: 1,
    series_id: null,
    ...over,
  };
}

export const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) => ({
  status,
  body: { type: '/problems/x', title: 'x', status, detail, ...(errors ? { errors } : {}) },
});
