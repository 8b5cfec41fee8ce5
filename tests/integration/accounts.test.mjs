// Accounts (issue 14, items 1, 2 and 18): sessions that really end — sign-out, sign-out-all
// and change-password end sessions for the bearer and the cookie transport alike, in this
// process at once and (PostgreSQL) in another process on the same database within a deadline;
// account deletion (wrong password refused; afterwards the account's tokens are 401 on every
// route; no task or idempotency row is left; requests racing the deletion never get a 500);
// and the data export (every task and the whole audit trail, streamed).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { waitForAudit } from './audit_helpers.mjs';
import {
  BACKEND, PASSWORD, REPO_ROOT, TodoServer, nowSeconds, problemOf, signJwt, sleep, startServer, tokenClaims,
} from './harness.mjs';

const run = promisify(execFile);
const DOC = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8'));
const NEW_PASSWORD = 'a different passphrase 42';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

// The same token as bearer and as the session cookie.
const asBearer = (u) => ({ token: u.token });
const asCookie = (u) => ({ cookie: `todo_session=${u.token}` });

async function signIn(srv, u, password = u.password) {
  const res = await srv.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password } });
  assert.equal(res.status, 200, res.text);
  return { ...u, token: res.json.token };
}

// 200 when the credential still works, else 401. The session route answers "nobody is signed
// in" as 200 {user: null, session: null} (auth.test.mjs), which counts as refused here; any
// other failure must be a problem document.
async function sessionStatus(srv, cred) {
  // The session route answers "nobody" (200 with a null user) where other routes answer 401:
  // counted here as the 401 it stands for.
  const res = await srv.api('GET', '/api/auth/session', cred);
  if (res.status !== 200) problemOf(res, res.status);
  else if (res.json?.user === null) {
    assert.deepEqual(res.json, { user: null, session: null });
    return 401;
  }
  return res.status;
}

// A few routes of different modules and methods that `cred` of `u` must all pass or all fail.
async function routeStatuses(srv, u, cred) {
  const statuses = [];
  statuses.push((await srv.api('GET', `/api/${u.user.id}/tasks`, cred)).status);
  statuses.push((await srv.api('GET', `/api/${u.user.id}/audit`, cred)).status);
  // Writes with the cookie need our Origin (CSRF check); bearer requests ignore it.
  const origin = { headers: { Origin: srv.baseUrl } };
  statuses.push((await srv.api('POST', `/api/${u.user.id}/tasks`, { ...cred, ...origin, body: { title: 'probe' } })).status);
  statuses.push(await sessionStatus(srv, cred));
  return statuses;
}

function clearsCookie(res) {
  const line = res.setCookies.find((c) => c.startsWith('todo_session='));
  assert.ok(line, `no todo_session Set-Cookie: ${JSON.stringify(res.setCookies)}`);
  assert.match(line, /^todo_session=;/);
  assert.match(line, /Max-Age=0/);
}

describe('sign-out ends the session', () => {
  for (const [name, signOutWith] of [['with the bearer token', asBearer], ['with the cookie', asCookie]]) {
    test(`signed out ${name}: the token is refused as bearer and as cookie, other sessions go on`, async () => {
      const u = await server.signUp();
      const other = await signIn(server, u);
      assert.deepEqual(await routeStatuses(server, u, asBearer(u)), [200, 200, 201, 200], 'control: the session works');
      const res = await server.api('POST', '/api/auth/sign-out', { ...signOutWith(u), headers: { Origin: server.baseUrl } });
      assert.equal(res.status, 204, res.text);
      clearsCookie(res);
      for (const cred of [asBearer(u), asCookie(u)]) {
        assert.deepEqual(await routeStatuses(server, u, cred), [401, 401, 401, 401], JSON.stringify(Object.keys(cred)));
      }
      const refused = problemOf(await server.api('GET', `/api/${u.user.id}/tasks`, asBearer(u)), 401);
      assert.match(refused.detail, /session has ended/);
      assert.deepEqual(await routeStatuses(server, u, asBearer(other)), [200, 200, 201, 200], 'another session of the user');
      // Signing out again, or without any session, is still a 204.
      assert.equal((await server.api('POST', '/api/auth/sign-out', asBearer(u))).status, 204);
      assert.equal((await server.api('POST', '/api/auth/sign-out')).status, 204);
    });
  }

  test('a cross-site cookie sign-out is refused and ends nothing', async () => {
    const u = await server.signUp();
    problemOf(await server.api('POST', '/api/auth/sign-out', { ...asCookie(u), headers: { Origin: 'https://evil.example' } }), 403);
    assert.equal(await sessionStatus(server, asCookie(u)), 200);
  });

  test('the ended session stays ended after a restart (loaded from the database)', async () => {
    const own = await startServer();
    try {
      const u = await own.signUp();
      assert.equal((await own.api('POST', '/api/auth/sign-out', asBearer(u))).status, 204);
      await own.restart();
      assert.equal(await sessionStatus(own, asBearer(u)), 401);
    } finally {
      await own.cleanup();
    }
  });
});

describe('sign-out-all', () => {
  test('ends every session of the user, each transport, and only theirs', async () => {
    const u = await server.signUp();
    const second = await signIn(server, u);
    const third = await signIn(server, u);
    const bystander = await server.signUp();
    // A token we did not record (forged with the secret, issued a minute ago) ends too.
    const unrecorded = { ...u, token: signJwt(tokenClaims(u.user.id, { iat: nowSeconds() - 60 })) };
    assert.equal(await sessionStatus(server, asBearer(unrecorded)), 200, 'control');
    const res = await server.api('POST', '/api/auth/sign-out-all', asBearer(second));
    assert.equal(res.status, 204, res.text);
    clearsCookie(res);
    for (const s of [u, second, third, unrecorded]) {
      assert.deepEqual(await routeStatuses(server, s, asBearer(s)), [401, 401, 401, 401]);
      assert.equal(await sessionStatus(server, asCookie(s)), 401);
    }
    assert.deepEqual(await routeStatuses(server, bystander, asBearer(bystander)), [200, 200, 201, 200]);
    // Signing in again, right away (the same second), gives a working session.
    const fresh = await signIn(server, u);
    assert.deepEqual(await routeStatuses(server, fresh, asBearer(fresh)), [200, 200, 201, 200]);
    problemOf(await server.api('POST', '/api/auth/sign-out-all'), 401);
    problemOf(await server.api('POST', '/api/auth/sign-out-all', asBearer(u)), 401);
  });
});

describe('change-password', () => {
  const change = (cred, body, headers = {}) => server.api('POST', '/api/auth/change-password', { ...cred, body, headers });

  test('bad requests name the field and change nothing', async () => {
    const u = await server.signUp();
    problemOf(await change({}, { current_password: u.password, new_password: NEW_PASSWORD }), 401);
    problemOf(await change(asBearer(u), { new_password: NEW_PASSWORD }), 422, 'current_password');
    problemOf(await change(asBearer(u), { current_password: u.password }), 422, 'new_password');
    problemOf(await change(asBearer(u), { current_password: u.password, new_password: 5 }), 422, 'new_password');
    problemOf(await change(asBearer(u), ['x']), 422, 'body');
    problemOf(await server.api('POST', '/api/auth/change-password', { ...asBearer(u), raw: '{' }), 400);
    problemOf(await change(asBearer(u), { current_password: 'wrong password!', new_password: NEW_PASSWORD }), 403, 'current_password');
    problemOf(await change(asBearer(u), { current_password: u.password, new_password: 'short' }), 422, 'new_password');
    problemOf(await change(asBearer(u), { current_password: u.password, new_password: u.email }), 422, 'new_password');
    problemOf(await change(asBearer(u), { current_password: u.password, new_password: u.password }), 422, 'new_password');
    problemOf(await change(asCookie(u), { current_password: u.password, new_password: NEW_PASSWORD }, { Origin: 'https://evil.example' }), 403);
    assert.equal(await sessionStatus(server, asBearer(u)), 200, 'still signed in');
    await signIn(server, u, u.password);
  });

  for (const [name, cred] of [['bearer', asBearer], ['cookie', asCookie]]) {
    test(`with the ${name}: a new session for the caller, every other one ended, the new password works`, async () => {
      const u = await server.signUp();
      const other = await signIn(server, u);
      const res = await change(cred(u), { current_password: u.password, new_password: NEW_PASSWORD }, { Origin: server.baseUrl });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.json).sort(), ['token', 'user']);
      assert.deepEqual(res.json.user, u.user);
      const cookie = res.setCookies.find((c) => c.startsWith('todo_session='));
      assert.ok(cookie && cookie.startsWith(`todo_session=${res.json.token};`), 'the new token is the new cookie');
      const renewed = { ...u, token: res.json.token };
      for (const s of [u, other]) {
        assert.equal(await sessionStatus(server, asBearer(s)), 401);
        assert.equal(await sessionStatus(server, asCookie(s)), 401);
      }
      assert.deepEqual(await routeStatuses(server, renewed, asBearer(renewed)), [200, 200, 201, 200]);
      assert.deepEqual(await routeStatuses(server, renewed, asCookie(renewed)), [200, 200, 201, 200]);
      problemOf(await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password } }), 401);
      await signIn(server, u, NEW_PASSWORD);
    });
  }
});

// Every /api/{user_id}... operation of the document, with its path filled in and a plausible
// body: the routes a deleted account's token is tried on.
function userRoutes(userId, taskId) {
  const ops = [];
  for (const [template, item] of Object.entries(DOC.paths)) {
    if (!template.startsWith('/api/{user_id}')) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (!item[method]) continue;
      const path = template.replace('{user_id}', userId).replace('{id}', String(taskId));
      const body = template.endsWith('/tasks') || template.endsWith('{id}') ? { title: 'x' } : { password: PASSWORD, current_password: PASSWORD, new_password: NEW_PASSWORD };
      ops.push({ method: method.toUpperCase(), template, path, body: method === 'get' ? undefined : body });
    }
  }
  return ops;
}

async function dbCount(sql) {
  if (BACKEND === 'postgres') {
    const { stdout } = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, process.env.TODO_TEST_DATABASE_URL]);
    return Number(stdout.trim());
  }
  const { stdout } = await run('sqlite3', ['-readonly', join(server.dataDir, 'todo.db'), sql]);
  return Number(stdout.trim());
}

describe('account deletion', () => {
  const remove = (u, body, cred = asBearer(u), headers = {}) => server.api('DELETE', `/api/${u.user.id}`, { ...cred, body, headers });

  test('refused without the right password, for someone else, or cross-site; nothing deleted', async () => {
    const u = await server.signUp();
    const other = await server.signUp();
    problemOf(await remove(u, { password: u.password }, {}), 401);
    problemOf(await remove(u, { password: 'wrong password!' }), 403, 'password');
    problemOf(await remove(u, {}), 422, 'password');
    problemOf(await remove(u, { password: 7 }), 422, 'password');
    problemOf(await server.api('DELETE', `/api/${u.user.id}`, asBearer(u)), 415);
    problemOf(await server.api('DELETE', `/api/${other.user.id}`, { ...asBearer(u), body: { password: u.password } }), 403);
    problemOf(await remove(u, { password: u.password }, asCookie(u), { Origin: 'https://evil.example' }), 403);
    assert.equal(await sessionStatus(server, asBearer(u)), 200);
    assert.equal(await sessionStatus(server, asBearer(other)), 200);
  });

  test('afterwards every route answers 401 to every token of the account, and no row is left', async () => {
    const u = await server.signUp();
    const second = await signIn(server, u);
    const key = randomUUID();
    const created = await server.api('POST', `/api/${u.user.id}/tasks`, { ...asBearer(u), body: { title: 'mine', tags: ['a', 'b'] }, headers: { 'Idempotency-Key': key } });
    assert.equal(created.status, 201, created.text);
    assert.ok(await dbCount(`SELECT COUNT(*) FROM tasks WHERE user_id = '${u.user.id}'`) === 1, 'control: the row is visible to the check');
    assert.ok(await dbCount(`SELECT COUNT(*) FROM idempotency_keys WHERE user_id = '${u.user.id}'`) === 1, 'control');

    const res = await remove(u, { password: u.password }, asCookie(u), { Origin: server.baseUrl });
    assert.equal(res.status, 204, res.text);
    clearsCookie(res);

    // Every token: the one used, another session, one forged later (not recorded anywhere).
    const later = { ...u, token: signJwt(tokenClaims(u.user.id, { iat: nowSeconds() + 1 })) };
    const routes = userRoutes(u.user.id, created.json.id);
    assert.ok(routes.length >= 10, `routes from the document: ${routes.length}`);
    for (const s of [u, second, later]) {
      for (const cred of [asBearer(s), asCookie(s)]) {
        for (const r of routes) {
          const got = await server.api(r.method, r.path, { ...cred, body: r.body, headers: { Origin: server.baseUrl } });
          const p = problemOf(got, 401);
          assert.match(p.detail, /no longer exists/, `${r.method} ${r.template}`);
        }
        for (const [method, path, body] of [['POST', '/api/auth/sign-out-all'],
          ['POST', '/api/auth/change-password', { current_password: PASSWORD, new_password: NEW_PASSWORD }]]) {
          problemOf(await server.api(method, path, { ...cred, body, headers: { Origin: server.baseUrl } }), 401);
        }
        assert.equal(await sessionStatus(server, cred), 401, 'the session route: nobody signed in');
      }
    }
    problemOf(await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password } }), 401);
    assert.equal(await dbCount(`SELECT COUNT(*) FROM tasks WHERE user_id = '${u.user.id}'`), 0);
    assert.equal(await dbCount(`SELECT COUNT(*) FROM idempotency_keys WHERE user_id = '${u.user.id}'`), 0);
    assert.equal(await dbCount(`SELECT COUNT(*) FROM sessions WHERE user_id = '${u.user.id}'`), 0);
    assert.equal(await dbCount(`SELECT COUNT(*) FROM users WHERE id = '${u.user.id}'`), 0);
    // The e-mail address is free again: a new account, with a new id.
    const again = await server.api('POST', '/api/auth/sign-up/email', { body: { email: u.email, password: u.password, name: 'Again' } });
    assert.equal(again.status, 201, again.text);
    assert.notEqual(again.json.user.id, u.user.id);
  });

  test('requests racing the deletion get 2xx or 401, never a 500, and leave nothing behind', async () => {
    const u = await server.signUp();
    const racers = [];
    let stop = false;
    const statuses = [];
    const create = async (title) => {
      const res = await server.api('POST', `/api/${u.user.id}/tasks`, { ...asBearer(u), body: { title }, headers: { 'Idempotency-Key': randomUUID() } });
      statuses.push(res.status);
      return res.status;
    };
    for (let i = 0; i < 8; i++) {
      racers.push((async () => {
        for (let n = 0; !stop; n++) if (await create(`race ${i}.${n}`) === 401) return;
        await create(`after ${i}`);  // surely after the deletion
      })());
    }
    while (statuses.length < 16) await sleep(5);
    const res = await remove(u, { password: u.password });
    stop = true;
    await Promise.all(racers);
    assert.equal(res.status, 204, res.text);
    const unexpected = statuses.filter((s) => s !== 201 && s !== 401);
    assert.deepEqual(unexpected, [], `statuses: ${JSON.stringify(statuses)}`);
    assert.ok(statuses.includes(401), 'some requests came after the deletion');
    assert.equal(await dbCount(`SELECT COUNT(*) FROM tasks WHERE user_id = '${u.user.id}'`), 0);
    assert.equal(await dbCount(`SELECT COUNT(*) FROM idempotency_keys WHERE user_id = '${u.user.id}'`), 0);
  });
});

describe('export', () => {
  test('every task and the whole audit trail, as one streamed JSON document', async () => {
    const u = await server.signUp({ name: 'Exporter' });
    const other = await server.signUp();
    const N = 230;  // more than one page of tasks (200)
    const created = [];
    for (let i = 0; i < N; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, k) =>
        server.api('POST', `/api/${u.user.id}/tasks`, { ...asBearer(u), body: { title: `task ${i + k}`, tags: ['t'], priority: 'high' } })));
      for (const r of batch) { assert.equal(r.status, 201, r.text); created.push(r.json); }
    }
    const first = created[0];
    assert.equal((await server.api('PATCH', `/api/${u.user.id}/tasks/${first.id}/complete`, asBearer(u))).status, 200);
    assert.equal((await server.api('DELETE', `/api/${u.user.id}/tasks/${created[1].id}`, asBearer(u))).status, 204);
    await server.api('POST', `/api/${other.user.id}/tasks`, { ...asBearer(other), body: { title: 'not theirs' } });
    const trail = await waitForAudit(server, u, N + 2);

    const res = await server.api('GET', `/api/${u.user.id}/export`, asBearer(u));
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.match(res.headers.get('content-disposition'), /^attachment; filename="todo-export-\d{4}-\d{2}-\d{2}\.json"$/);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked', 'streamed, not built whole');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const doc = JSON.parse(res.text);
    assert.deepEqual(Object.keys(doc).sort(), ['audit', 'exported_at', 'format', 'tasks', 'user', 'version']);
    assert.equal(doc.format, 'todo-platform-export');
    assert.equal(doc.version, 1);
    assert.ok(Math.abs(Date.parse(doc.exported_at) - Date.now()) < 600_000);
    assert.deepEqual(doc.user, u.user);
    const current = await server.listAll(u);
    assert.equal(doc.tasks.length, N - 1);
    assert.deepEqual(doc.tasks, [...current].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id),
      'every task as the API shows it, oldest first');
    assert.equal(doc.tasks.find((t) => t.id === first.id).completed, true);
    assert.equal(doc.audit.length, trail.length);
    assert.deepEqual(doc.audit, trail, 'the whole audit trail, newest first, as the audit API shows it');
    assert.deepEqual(new Set(doc.audit.map((e) => e.event_type)), new Set(['created', 'completed', 'deleted']));
    assert.ok(doc.audit.every((e) => e.user_id === u.user.id));

    // Cookie works too (a browser download); others may not; a new account exports empty arrays.
    assert.equal((await server.api('GET', `/api/${u.user.id}/export`, asCookie(u))).status, 200);
    problemOf(await server.api('GET', `/api/${u.user.id}/export`), 401);
    problemOf(await server.api('GET', `/api/${u.user.id}/export`, asBearer(other)), 403);
    const fresh = await server.signUp();
    const empty = await server.api('GET', `/api/${fresh.user.id}/export`, asBearer(fresh));
    assert.deepEqual({ ...JSON.parse(empty.text), exported_at: null }, {
      format: 'todo-platform-export', version: 1, exported_at: null, user: fresh.user, tasks: [], audit: [],
    });
  });
});

// Two processes on one PostgreSQL database: what one ends, the other refuses within a
// deadline (LISTEN/NOTIFY; the periodic resync is set to an hour so that it cannot help).
describe('across processes (PostgreSQL)', { skip: BACKEND !== 'postgres' && 'needs PostgreSQL: two processes share one database' }, () => {
  let a;
  let b;
  before(async () => {
    a = await startServer({ env: { TODO_SESSION_RESYNC: '3600' } });
    b = await startServer({ env: { TODO_SESSION_RESYNC: '3600' } });
  });
  after(async () => { await a?.cleanup(); await b?.cleanup(); });

  // Whether `srv` refuses `who`'s token within the deadline. Asked of a user route (its
  // Authenticator's answer), not of the session route, which says "nobody" as soon as the
  // account's row is gone — before the revocation itself has reached `srv`.
  async function refusedBy(srv, who, deadlineMs = 10_000) {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if ((await srv.api('GET', `/api/${who.user.id}/tasks`, asBearer(who))).status === 401) return true;
      await sleep(20);
    }
    return false;
  }

  test('sign-out in one: the token is refused by the other, bearer and cookie', async () => {
    const u = await a.signUp();
    assert.equal(await sessionStatus(b, asBearer(u)), 200, 'control: the other process accepts it');
    assert.equal((await a.api('POST', '/api/auth/sign-out', asBearer(u))).status, 204);
    assert.ok(await refusedBy(b, u), 'bearer still accepted by the other process');
    assert.equal(await sessionStatus(b, asCookie(u)), 401);
    assert.deepEqual(await routeStatuses(b, u, asBearer(u)), [401, 401, 401, 401]);
  });

  test('sign-out-all, change-password and deletion in one: refused by the other', async () => {
    const u = await a.signUp();
    const onB = await signIn(b, u);
    assert.equal((await a.api('POST', '/api/auth/sign-out-all', asBearer(u))).status, 204);
    assert.ok(await refusedBy(b, onB), 'sign-out-all');

    const v = await a.signUp();
    const vOnB = await signIn(b, v);
    const changed = await b.api('POST', '/api/auth/change-password', { ...asBearer(vOnB), body: { current_password: v.password, new_password: NEW_PASSWORD } });
    assert.equal(changed.status, 200, changed.text);
    assert.ok(await refusedBy(a, v), 'change-password');
    assert.equal(await sessionStatus(a, { token: changed.json.token }), 200, 'the new session works everywhere');

    const w = await a.signUp();
    assert.equal((await b.api('DELETE', `/api/${w.user.id}`, { ...asBearer(w), body: { password: w.password } })).status, 204);
    assert.ok(await refusedBy(a, w), 'deletion');
    const p = problemOf(await a.api('GET', `/api/${w.user.id}/tasks`, asBearer(w)), 401);
    assert.match(p.detail, /no longer exists/);
  });

  test('a process started after the sign-out refuses the token from the start', async () => {
    const u = await a.signUp();
    assert.equal((await a.api('POST', '/api/auth/sign-out', asBearer(u))).status, 204);
    const c = new TodoServer();
    try {
      await c.start();
      assert.equal(await sessionStatus(c, asBearer(u)), 401);
    } finally {
      await c.cleanup();
    }
  });
});
