// Test harness: starts build/todo as a child process on a free port with a fresh data
// directory, waits until it is ready, and offers small HTTP helpers.
//
// Backend: TODO_TEST_BACKEND=sqlite (default) or postgres; for postgres the child gets
// DATABASE_URL=$TODO_TEST_DATABASE_URL. PostgreSQL is one database shared by every test
// file, so tests isolate themselves by signing up fresh users and never assume empty tables.
// Every running server's background work (the relay and its consumers, the reminder
// scheduler, the e-mail and webhook senders) takes any user's rows from those shared tables:
// a test whose outcome depends on one server's settings (its SMTP server, its reminder
// horizon) stops the file's other servers first.
// TODO_TEST_BINARY overrides the binary (default <repo>/build/todo).
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.TODO_TEST_BINARY || join(REPO_ROOT, 'build', 'todo');
export const JWT_SECRET = 'integration-test-secret-7f3c9a1e5b2d4c6a8e0f1b3d5c7e9a2b';
export const BACKEND = (process.env.TODO_TEST_BACKEND || 'sqlite').toLowerCase();
export const PASSWORD = 'correct horse battery staple';
const READY_TIMEOUT_MS = 60_000;  // a safety net for a busy machine
const STDERR_KEEP = 64 * 1024;

if (BACKEND !== 'sqlite' && BACKEND !== 'postgres') {
  throw new Error(`TODO_TEST_BACKEND must be sqlite or postgres, not ${BACKEND}`);
}
if (BACKEND === 'postgres' && !process.env.TODO_TEST_DATABASE_URL) {
  throw new Error('TODO_TEST_BACKEND=postgres needs TODO_TEST_DATABASE_URL');
}

const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

// ---- JWT forging (HS256 with the test secret, or anything else a test wants) ----
export const b64url = (data) => Buffer.from(data).toString('base64url');

export function signJwt(payload, { secret = JWT_SECRET, header = { alg: 'HS256', typ: 'JWT' } } = {}) {
  const head = b64url(JSON.stringify(header));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

// The issuer and audience the server issues and requires by default (--jwt-issuer,
// --jwt-audience).
export const JWT_ISSUER = 'todo-platform';
export const JWT_AUDIENCE = 'todo-platform';

// A claims set the server accepts for `sub` (issued now, valid for an hour, a fresh jti);
// `over` replaces or adds claims, and a claim set to undefined is left out.
export function tokenClaims(sub, over = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: JWT_ISSUER, sub, aud: JWT_AUDIENCE, iat: now, exp: now + 3600, jti: randomUUID(), ...over };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return claims;
}

export function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signature: s,
    signingInput: `${h}.${p}`,
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const uniqueEmail = (prefix = 't') => `${prefix}_${randomUUID().replaceAll('-', '')}@example.com`;

// ---- the server under test ----
export class TodoServer {
  constructor({ env = {}, dataDir } = {}) {
    this.extraEnv = env;
    this.dataDir = dataDir || mkdtempSync(join(tmpdir(), 'todo-it-'));
    this.ownsDataDir = !dataDir;
    this.child = null;
    this.port = 0;
    this.output = '';
    this.exit = null;
  }

  get baseUrl() { return `http://127.0.0.1:${this.port}`; }

  childEnv() {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    if (BACKEND === 'postgres') env.DATABASE_URL = process.env.TODO_TEST_DATABASE_URL;
    env.TODO_JWT_SECRET = JWT_SECRET;
    env.TODO_LOG_LEVEL = 'warn';
    // Every test signs up from 127.0.0.1: no per-address sign-up limit in the way, except
    // where a test sets its own (tests/integration/brute_force.test.mjs, floods.test.mjs).
    env.TODO_SIGN_UPS_PER_HOUR = '1000000';
    return { ...env, ...this.extraEnv };
  }

  async start() {
    if (!existsSync(BINARY)) throw new Error(`server binary ${BINARY} not found: run make build`);
    this.port = await freePort();
    this.output = '';
    this.exit = null;
    const child = spawn(BINARY, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir], {
      env: this.childEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    liveChildren.add(child);
    const keep = (chunk) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > STDERR_KEEP) this.output = this.output.slice(-STDERR_KEEP);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((res) => {
      child.on('exit', (code, signal) => {
        liveChildren.delete(child);
        this.exit = { code, signal };
        res(this.exit);
      });
      child.on('error', (err) => {
        liveChildren.delete(child);
        this.exit = { code: null, signal: null, error: err };
        res(this.exit);
      });
    });
    await this.waitReady();
    return this;
  }

  async waitReady() {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`server exited before ready (${JSON.stringify(this.exit)}); output:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (err) {
        last = String(err?.cause?.code || err?.message || err);
      }
      await sleep(100);
    }
    const out = this.output;
    this.kill();
    await this.exited;
    throw new Error(`server not ready after ${READY_TIMEOUT_MS} ms (last: ${last}); output:\n${out}`);
  }

  // SIGTERM and wait (SIGKILL after 15 s). Returns {code, signal}.
  async stop() {
    if (!this.child || this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => { if (!this.exit) this.child.kill('SIGKILL'); }, 15_000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  kill() {
    if (this.child && !this.exit) this.child.kill('SIGKILL');
    return this.exited;
  }

  // Same data dir (and, for postgres, the same DATABASE_URL); a fresh port.
  async restart() {
    await this.stop();
    return this.start();
  }

  async cleanup() {
    await this.stop();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  // api(method, path, {token, body, raw, headers, cookie}) -> {status, headers, json, text, setCookies}
  // body: a JS value sent as JSON; raw: a string/Buffer sent as is (Content-Type defaults to
  // application/json unless headers say otherwise).
  async api(method, path, { token, body, raw, headers = {}, cookie } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (cookie) h.Cookie = cookie;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let json;
    const ct = res.headers.get('content-type') || '';
    if (text && /json/i.test(ct)) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    return { status: res.status, headers: res.headers, json, text, setCookies: res.headers.getSetCookie() };
  }

  async signUp({ name = 'Test User', prefix = 't', password = PASSWORD } = {}) {
    const email = uniqueEmail(prefix);
    const res = await this.api('POST', '/api/auth/sign-up/email', { body: { email, password, name } });
    if (res.status !== 201 || !res.json?.token || !res.json?.user?.id) {
      throw new Error(`sign-up failed: ${res.status} ${res.text}`);
    }
    const sc = res.setCookies.find((c) => c.startsWith('todo_session='));
    const cookie = sc ? sc.split(';')[0] : undefined;  // "todo_session=<value>"
    return { token: res.json.token, user: res.json.user, email, password, cookie };
  }

  // Every task of a user, walking all pages (sorted by created_at desc, the default).
  async listAll(user, query = '') {
    return walkPages(this, user, `/api/${user.user.id}/tasks`, query);
  }
}

// Every item of a cursor-paginated collection (tasks, audit), walking all pages.
export async function walkPages(server, user, path, query = '') {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 10_000; page++) {
    const sep = query ? '&' : '';
    const qs = `?${query}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await server.api('GET', `${path}${qs}`, { token: user.token });
    if (res.status !== 200) throw new Error(`GET ${path}${qs} failed: ${res.status} ${res.text}`);
    items.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (!cursor) return items;
  }
  throw new Error(`${path}: too many pages`);
}

export async function startServer(options) {
  const server = new TodoServer(options);
  await server.start();
  return server;
}

// Asserts an RFC 9457 problem answer; returns the body. `field` (optional) must be named
// in errors[].field: a string for an exact match, a RegExp for a pattern.
export function problemOf(res, status, field) {
  const ctx = `${res.status} ${res.text.slice(0, 500)}`;
  if (res.status !== status) throw new Error(`expected status ${status}, got ${ctx}`);
  const ct = res.headers.get('content-type') || '';
  if (!/^application\/problem\+json\b/i.test(ct)) throw new Error(`expected application/problem+json, got "${ct}" (${ctx})`);
  const p = res.json;
  if (!p || typeof p !== 'object') throw new Error(`problem body is not JSON: ${ctx}`);
  for (const k of ['type', 'title', 'detail']) {
    if (typeof p[k] !== 'string') throw new Error(`problem.${k} is not a string: ${ctx}`);
  }
  if (p.status !== status) throw new Error(`problem.status ${p.status} != ${status}`);
  if (field !== undefined) {
    if (!Array.isArray(p.errors)) throw new Error(`problem has no errors list naming ${field}: ${ctx}`);
    const names = p.errors.map((e) => e.field);
    const hit = names.some((n) => (field instanceof RegExp ? field.test(n) : n === field));
    if (!hit) throw new Error(`errors ${JSON.stringify(names)} do not name ${field}: ${ctx}`);
    for (const e of p.errors) {
      if (typeof e.field !== 'string' || typeof e.message !== 'string') throw new Error(`bad errors entry ${JSON.stringify(e)}`);
    }
  }
  return p;
}

// Deterministic PRNG (mulberry32).
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
  };
}

// Polls `cond` (sync or async) until it returns a truthy value, which it returns; throws
// after `timeoutMs`. The deadline is a safety net for a busy machine, never a speed bound.
export async function waitUntil(cond, what, { timeoutMs = 60_000, pollMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

// The value of an unlabelled metric in GET /metrics (undefined when absent).
export async function metricValue(server, name) {
  const res = await server.api('GET', '/metrics');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text);
  return m ? Number(m[1]) : undefined;
}

// Events waiting for the relay targets of this server (`todo_outbox_backlog`, summed over
// its subscribers): 0 once everything this process delivers has been delivered. Unlike
// `todo_outbox_pending` (every row of the outbox), it ignores rows left on a shared
// PostgreSQL database for targets this server does not run (e.g. an earlier test's
// unreachable Dapr sidecar). Undefined when the metric is missing or unknown (-1).
export async function outboxBacklog(server) {
  const res = await server.api('GET', '/metrics');
  const values = [...res.text.matchAll(/^todo_outbox_backlog\{[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]));
  if (values.length === 0 || values.some((v) => v < 0)) return undefined;
  return values.reduce((a, b) => a + b, 0);
}

export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(?!000)\d{3})?Z$/;
export { sleep };
