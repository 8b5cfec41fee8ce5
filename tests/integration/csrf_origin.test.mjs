// The CSRF check of cookie-authenticated writes compares scheme, host and port
// (auth/authenticate.hpp; issue 14, item 7): our own origin is http://<Host> unless
// --cookie-secure or a trusted proxy's X-Forwarded-Proto says https; default ports are
// filled in; "null", other schemes, hosts and ports are refused with 403. A bearer request
// is not subject to it, nor is a safe method.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { requestFrom } from './from_address.mjs';
import { problemOf, startServer } from './harness.mjs';

// A cookie-authenticated write with these headers (Host defaults to what a browser sends
// for http://127.0.0.1:<port>).
function write(server, user, { headers = {}, from, method = 'POST', path, body } = {}) {
  return requestFrom(server, {
    from, method, path: path ?? `/api/${user.user.id}/tasks`, cookie: user.cookie,
    body: body ?? (method === 'POST' ? { title: 'from a form' } : undefined),
    headers: { Host: `127.0.0.1:${server.port}`, ...headers },
  });
}

describe('plain http (no --cookie-secure, no trusted proxy)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.cleanup(); });

  test('our own origin is accepted, with or without the default port written out', async () => {
    const user = await server.signUp();
    const own = await write(server, user, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    assert.equal(own.status, 201, own.text);
    // A site on the default port: Origin and Host may each leave :80 out.
    for (const [origin, host] of [['http://todo.example', 'todo.example'], ['http://todo.example:80', 'todo.example'],
      ['http://todo.example', 'todo.example:80'], ['HTTP://Todo.Example', 'todo.example']]) {
      const res = await write(server, user, { headers: { Origin: origin, Host: host } });
      assert.equal(res.status, 201, `Origin ${origin}, Host ${host}: ${res.text}`);
    }
  });

  test('null, another scheme, another host and another port are refused with 403', async () => {
    const user = await server.signUp();
    const port = server.port;
    for (const origin of ['null', `https://127.0.0.1:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port + 1}`,
      'http://127.0.0.1', `http://evil.example:${port}`, `http://127.0.0.1:${port}.evil.example`, `http://127.0.0.1:${port}/`,
      `ws://127.0.0.1:${port}`]) {
      const res = await write(server, user, { headers: { Origin: origin } });
      const body = problemOf(res, 403);
      assert.match(body.detail, /cross-site/, origin);
    }
    // The old check compared only what follows "://" with Host.
    problemOf(await write(server, user, { headers: { Origin: 'https://todo.example', Host: 'todo.example' } }), 403);
    problemOf(await write(server, user, { headers: { Origin: 'http://todo.example', Host: 'todo.example:8080' } }), 403);
    // Nothing was created by the refused writes.
    const list = await server.api('GET', `/api/${user.user.id}/tasks`, { token: user.token });
    assert.deepEqual(list.json.items, []);
  });

  test('every cookie-authenticated write is checked: update, delete, account routes', async () => {
    const user = await server.signUp();
    const created = await server.api('POST', `/api/${user.user.id}/tasks`, { token: user.token, body: { title: 'mine' } });
    const task = `/api/${user.user.id}/tasks/${created.json.id}`;
    const foreign = { Origin: 'https://127.0.0.1' };
    problemOf(await write(server, user, { method: 'PATCH', path: task, body: { title: 'forged' }, headers: foreign }), 403);
    problemOf(await write(server, user, { method: 'DELETE', path: task, headers: foreign }), 403);
    problemOf(await write(server, user, { method: 'POST', path: '/api/auth/sign-out-all', body: {}, headers: foreign }), 403);
    problemOf(await write(server, user, {
      method: 'POST', path: '/api/auth/change-password', body: { current_password: 'x', new_password: 'y' }, headers: foreign,
    }), 403);
    const still = await server.api('GET', task, { token: user.token });
    assert.equal(still.json.title, 'mine');
  });

  test('without Origin, Fetch metadata decides: cross-site and same-site refused, same-origin accepted', async () => {
    const user = await server.signUp();
    problemOf(await write(server, user, { headers: { 'Sec-Fetch-Site': 'cross-site' } }), 403);
    problemOf(await write(server, user, { headers: { 'Sec-Fetch-Site': 'same-site' } }), 403);
    assert.equal((await write(server, user, { headers: { 'Sec-Fetch-Site': 'same-origin' } })).status, 201);
  });

  test('a bearer request and a safe method are not subject to the check', async () => {
    const user = await server.signUp();
    const bearer = await requestFrom(server, {
      method: 'POST', path: `/api/${user.user.id}/tasks`, token: user.token, body: { title: 'api client' }, headers: { Origin: 'null' },
    });
    assert.equal(bearer.status, 201, bearer.text);
    const read = await write(server, user, { method: 'GET', headers: { Origin: 'https://evil.example' } });
    assert.equal(read.status, 200, read.text);
  });

  test('X-Forwarded-Proto from an untrusted client is ignored', async () => {
    const user = await server.signUp();
    const res = await write(server, user, { headers: { Origin: `https://127.0.0.1:${server.port}`, 'X-Forwarded-Proto': 'https' } });
    problemOf(res, 403);
  });
});

describe('behind a trusted TLS proxy (X-Forwarded-Proto)', () => {
  let server;
  before(async () => { server = await startServer({ env: { TODO_TRUSTED_PROXIES: '127.0.0.1' } }); });
  after(async () => { await server?.cleanup(); });

  test('https://<host> is our origin when the proxy says https; http:// is then refused', async () => {
    const user = await server.signUp();
    const viaTls = { Host: 'todo.example', 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.9' };
    const ok = await write(server, user, { headers: { ...viaTls, Origin: 'https://todo.example' } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await write(server, user, { headers: { ...viaTls, Origin: 'https://todo.example:443' } })).status, 201);
    problemOf(await write(server, user, { headers: { ...viaTls, Origin: 'http://todo.example' } }), 403);
    problemOf(await write(server, user, { headers: { ...viaTls, Origin: 'https://todo.example:8443' } }), 403);
    // The proxy says http: our origin is http.
    const plain = { ...viaTls, 'X-Forwarded-Proto': 'http' };
    assert.equal((await write(server, user, { headers: { ...plain, Origin: 'http://todo.example' } })).status, 201);
    problemOf(await write(server, user, { headers: { ...plain, Origin: 'https://todo.example' } }), 403);
  });

  test('the same header from a peer that is not a trusted proxy is ignored', async () => {
    const user = await server.signUp();
    const res = await write(server, user, {
      from: '127.0.0.2', headers: { Host: 'todo.example', 'X-Forwarded-Proto': 'https', Origin: 'https://todo.example' },
    });
    problemOf(res, 403);
  });
});

describe('--cookie-secure (the site is served over HTTPS)', () => {
  let server;
  before(async () => { server = await startServer({ env: { TODO_COOKIE_SECURE: 'true' } }); });
  after(async () => { await server?.cleanup(); });

  test('the cookie is Secure and our origin is https://', async () => {
    const user = await server.signUp();
    const signIn = await server.api('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password } });
    assert.match(signIn.setCookies.find((c) => c.startsWith('todo_session=')), /;\s*Secure/i);
    const ok = await write(server, user, { headers: { Host: 'todo.example', Origin: 'https://todo.example' } });
    assert.equal(ok.status, 201, ok.text);
    problemOf(await write(server, user, { headers: { Host: 'todo.example', Origin: 'http://todo.example' } }), 403);
  });
});
