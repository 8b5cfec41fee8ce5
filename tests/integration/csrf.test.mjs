// The cookie's cross-site guard (issue 14, items 7 and 18). The browser keeps the session in
// a cookie it sends with every request to us, also one another site makes it send; so an
// unsafe request (POST, PUT, PATCH, DELETE) authenticated by the cookie is refused with a 403
// problem when its Origin is not ours, or, without Origin, when Sec-Fetch-Site says
// cross-site, and it changes nothing: no task, no event, no session ended, no password
// changed, no account deleted. With our Origin (or no such header at all: curl) it works. A
// bearer token is not sent by a browser on its own, so bearer requests are not subject to it,
// nor are safe methods.
//
// The foreign origins here differ from ours in host (or port): they are refused whether the
// comparison is of the whole host:port or of scheme, host and port.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auditAll, waitOutboxDrained } from './audit_helpers.mjs';
import { problemOf, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

const NEW_PASSWORD = 'a different passphrase 42';
const cookieOf = (u) => ({ cookie: `todo_session=${u.token}` });

// Headers a foreign page's request may carry, each of which must be refused.
function foreignHeaders() {
  const port = server.port;
  const other = port === 65535 ? port - 1 : port + 1;
  return [
    ['another site', { Origin: 'http://evil.example' }],
    ['another site on our port', { Origin: `http://evil.example:${port}` }],
    ['another host name for this machine', { Origin: `http://localhost:${port}` }],
    ['our host as a prefix of theirs', { Origin: `http://127.0.0.1:${port}.evil.example` }],
    ['our host in their path', { Origin: `http://evil.example/127.0.0.1:${port}` }],
    ['another port on our host', { Origin: `http://127.0.0.1:${other}` }],
    ['an opaque origin (sandboxed page, data: URL)', { Origin: 'null' }],
    ['no Origin, cross-site fetch metadata', { 'Sec-Fetch-Site': 'cross-site' }],
    ['no Origin, a cross-site form post', { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' }],
  ];
}

// Everything an unsafe request of `u` could change, read with the bearer token (not subject
// to the check): the tasks, the audit trail (once the outbox is empty), whether the cookie
// still signs in, whether the password is still the old one.
async function snapshot(u) {
  await waitOutboxDrained(server);
  const tasks = await server.listAll(u);
  const audit = await auditAll(server, u);
  const session = await server.api('GET', '/api/auth/session', cookieOf(u));
  const signIn = await server.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password } });
  return { tasks, audit: audit.map((e) => e.event_id), sessionUser: session.json?.user?.id ?? null, oldPasswordWorks: signIn.status };
}

// Every unsafe route a cookie may authenticate, with a body that would succeed.
function unsafeRequests(u, taskId) {
  const base = `/api/${u.user.id}/tasks`;
  return [
    ['POST', base, { title: 'forged' }],
    ['PUT', `${base}/${taskId}`, { title: 'replaced by a forgery' }],
    ['PATCH', `${base}/${taskId}`, { title: 'patched by a forgery' }],
    ['PATCH', `${base}/${taskId}/complete`, undefined],
    ['DELETE', `${base}/${taskId}`, undefined],
    ['POST', '/api/auth/sign-out', undefined],
    ['POST', '/api/auth/sign-out-all', undefined],
    ['POST', '/api/auth/change-password', { current_password: u.password, new_password: NEW_PASSWORD }],
    ['DELETE', `/api/${u.user.id}`, { password: u.password }],
  ];
}

test('a cookie-authenticated unsafe request from a foreign origin is refused with 403 and changes nothing', { timeout: 300_000 }, async () => {
  const u = await server.signUp({ name: 'Csrf Victim' });
  const created = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'mine', tags: ['a'] } });
  assert.equal(created.status, 201, created.text);
  const before = await snapshot(u);
  assert.equal(before.sessionUser, u.user.id, 'control: the cookie signs in');
  assert.equal(before.tasks.length, 1);
  assert.equal(before.audit.length, 1);

  let refusals = 0;
  for (const [method, path, body] of unsafeRequests(u, created.json.id)) {
    for (const [what, headers] of foreignHeaders()) {
      const res = await server.api(method, path, { ...cookieOf(u), body, headers });
      const p = problemOf(res, 403);
      assert.match(p.detail, /cross-site/i, `${method} ${path} (${what}): ${res.text}`);
      refusals++;
    }
  }
  const after = await snapshot(u);
  assert.deepEqual(after, before, `after ${refusals} refused requests nothing changed`);
});

test('with our own Origin, or without Origin and Sec-Fetch-Site (curl), or same-origin fetch metadata, the cookie works', async () => {
  const ours = { Origin: server.baseUrl };
  for (const [what, headers] of [['our Origin', ours], ['our Origin, same-origin fetch', { ...ours, 'Sec-Fetch-Site': 'same-origin' }],
    ['no Origin, same-origin fetch', { 'Sec-Fetch-Site': 'same-origin' }], ['neither header', {}]]) {
    const u = await server.signUp({ name: 'Csrf Owner' });
    const base = `/api/${u.user.id}/tasks`;
    const opts = { ...cookieOf(u), headers };
    const created = await server.api('POST', base, { ...opts, body: { title: 'from our page' } });
    assert.equal(created.status, 201, `${what}: ${created.text}`);
    const item = `${base}/${created.json.id}`;
    const put = await server.api('PUT', item, { ...opts, body: { title: 'replaced' } });
    assert.equal(put.status, 200, `${what}: ${put.text}`);
    const patch = await server.api('PATCH', item, { ...opts, body: { priority: 'high' } });
    assert.equal(patch.status, 200, `${what}: ${patch.text}`);
    const done = await server.api('PATCH', `${item}/complete`, opts);
    assert.equal(done.status, 200, `${what}: ${done.text}`);
    assert.equal(done.json.completed, true);
    const del = await server.api('DELETE', item, opts);
    assert.equal(del.status, 204, `${what}: ${del.text}`);
    assert.equal((await server.api('GET', item, { token: u.token })).status, 404, `${what}: deleted`);
    const out = await server.api('POST', '/api/auth/sign-out', opts);
    assert.equal(out.status, 204, `${what}: ${out.text}`);
    const session = await server.api('GET', '/api/auth/session', cookieOf(u));
    assert.equal(session.json?.user, null, `${what}: the sign-out ended the session`);
  }
});

test('bearer requests and safe methods are not subject to the check', async () => {
  const u = await server.signUp({ name: 'Csrf Bearer' });
  const base = `/api/${u.user.id}/tasks`;
  for (const [what, headers] of foreignHeaders()) {
    const opts = { token: u.token, headers };
    const created = await server.api('POST', base, { ...opts, body: { title: 'bearer' } });
    assert.equal(created.status, 201, `${what}: ${created.text}`);
    const item = `${base}/${created.json.id}`;
    const patch = await server.api('PATCH', item, { ...opts, body: { title: 'bearer, patched' } });
    assert.equal(patch.status, 200, `${what}: ${patch.text}`);
    const del = await server.api('DELETE', item, opts);
    assert.equal(del.status, 204, `${what}: ${del.text}`);
    // GET with the cookie from a foreign page changes nothing and is answered (a top-level
    // navigation carries the SameSite=Lax cookie; safe methods have no effect to forge).
    const list = await server.api('GET', base, { ...cookieOf(u), headers });
    assert.equal(list.status, 200, `${what}: ${list.text}`);
  }
  const signOut = await server.api('POST', '/api/auth/sign-out', { token: u.token, headers: { Origin: 'http://evil.example' } });
  assert.equal(signOut.status, 204, signOut.text);
  assert.equal((await server.api('GET', base, { token: u.token })).status, 401, 'the bearer sign-out ended the session');
});
