// Personal access tokens (issue 12, item 1): create, list and revoke them; the secret is shown
// once, stored only as its SHA-256 and never logged; a token works on the REST API within its
// scopes and gets a 403 naming the scope outside them; revoked or expired tokens are 401 at
// once; the token routes take only a session; bad input is a problem naming the field. On
// PostgreSQL also: a revocation in one process is honoured by another on the same database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { BACKEND, RFC3339_UTC, TodoServer, problemOf, startServer, waitUntil } from './harness.mjs';

const run = promisify(execFile);
const ALL_SCOPES = ['tasks:read', 'tasks:write', 'audit:read', 'notifications:read', 'chat'];
const TOKEN_FORM = /^tdp_[A-Za-z0-9_-]{43}$/;

let server;
// Debug logging: the secret must not appear in the most talkative output either.
before(async () => { server = await startServer({ env: { TODO_LOG_LEVEL: 'debug' } }); });
after(async () => { await server?.cleanup(); });

const tokensPath = (u) => `/api/${u.user.id}/tokens`;

async function createToken(srv, u, body, cred = { token: u.token }) {
  const res = await srv.api('POST', tokensPath(u), { ...cred, body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function listTokens(srv, u) {
  const res = await srv.api('GET', tokensPath(u), { token: u.token });
  assert.equal(res.status, 200, res.text);
  return res;
}

async function dbRows(sql) {
  if (BACKEND === 'postgres') {
    const { stdout } = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, process.env.TODO_TEST_DATABASE_URL]);
    return stdout.trim();
  }
  const { stdout } = await run('sqlite3', ['-readonly', join(server.dataDir, 'todo.db'), sql]);
  return stdout.trim();
}

describe('creating, listing and revoking', () => {
  test('the secret is shown once: in the creation answer, never in lists, the database or the log', async () => {
    const u = await server.signUp();
    const expires = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const created = await createToken(server, u, { name: '  CI script ', scopes: ['tasks:read', 'tasks:write'], expires_at: expires });
    assert.match(created.token, TOKEN_FORM);
    assert.match(created.id, /^pat_[0-9a-f]{32}$/);
    assert.equal(created.name, 'CI script');
    assert.deepEqual(created.scopes, ['tasks:read', 'tasks:write']);
    assert.equal(created.prefix, created.token.slice(0, 8));
    assert.match(created.created_at, RFC3339_UTC);
    assert.equal(Date.parse(created.expires_at), Date.parse(expires));
    assert.equal(created.last_used_at, null);

    const list = await listTokens(server, u);
    assert.equal(list.json.items.length, 1);
    const [item] = list.json.items;
    assert.deepEqual(Object.keys(item).sort(), ['created_at', 'expired', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'scopes']);
    assert.equal(item.id, created.id);
    assert.equal(item.prefix, created.prefix);
    assert.equal(item.expired, false);
    assert.ok(!list.text.includes(created.token.slice(8)), 'the list must not carry the secret');

    // Stored as its SHA-256 only.
    const row = await dbRows(`SELECT id || '|' || token_hash || '|' || prefix || '|' || name || '|' || scopes FROM access_tokens WHERE id = '${created.id}'`);
    assert.ok(!row.includes(created.token.slice(8)), `the secret is stored in clear: ${row}`);
    assert.equal(row.split('|')[1], createHash('sha256').update(created.token).digest('hex'));

    // Used once (so that the verifying path logs whatever it logs), then the whole output
    // must not contain it.
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: created.token })).status, 200);
    assert.ok(!server.output.includes(created.token.slice(4)), 'the secret appears in the server output');
  });

  test('last use is recorded', async () => {
    const u = await server.signUp();
    const created = await createToken(server, u, { name: 'reader', scopes: ['tasks:read'] });
    const before = Date.now() - 1000;
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: created.token })).status, 200);
    const used = await waitUntil(async () => {
      const [item] = (await listTokens(server, u)).json.items;
      return item.last_used_at && item;
    }, 'last_used_at to be set', { timeoutMs: 30_000 });
    assert.ok(Date.parse(used.last_used_at) >= before, used.last_used_at);
    assert.equal(used.expires_at, null);
  });

  test('revoked at once: 204, gone from the list, 401 with error="invalid_token"; a second revoke is 404', async () => {
    const u = await server.signUp();
    const keep = await createToken(server, u, { name: 'keep', scopes: ['tasks:read'] });
    const gone = await createToken(server, u, { name: 'gone', scopes: ['tasks:read'] });
    // Cached by a use before the revocation: the cache must not outlive it.
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: gone.token })).status, 200);
    const res = await server.api('DELETE', `${tokensPath(u)}/${gone.id}`, { token: u.token });
    assert.equal(res.status, 204, res.text);
    const refused = await server.api('GET', `/api/${u.user.id}/tasks`, { token: gone.token });
    const p = problemOf(refused, 401);
    assert.match(p.detail, /revoked/);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.deepEqual((await listTokens(server, u)).json.items.map((t) => t.id), [keep.id]);
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: keep.token })).status, 200);
    problemOf(await server.api('DELETE', `${tokensPath(u)}/${gone.id}`, { token: u.token }), 404);
    problemOf(await server.api('DELETE', `${tokensPath(u)}/pat_nonexistent`, { token: u.token }), 404);
  });

  test('an expired token is 401 and the list says it expired', async () => {
    const u = await server.signUp();
    const created = await createToken(server, u, { name: 'short', scopes: ['tasks:read'], expires_at: new Date(Date.now() + 1500).toISOString() });
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: created.token })).status, 200);
    const refused = await waitUntil(async () => {
      const res = await server.api('GET', `/api/${u.user.id}/tasks`, { token: created.token });
      return res.status === 401 && res;
    }, 'the token to expire', { timeoutMs: 60_000, pollMs: 200 });
    assert.match(problemOf(refused, 401).detail, /expired/);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const [item] = (await listTokens(server, u)).json.items;
    assert.equal(item.expired, true);
  });

  test('unknown and malformed tokens are 401', async () => {
    const u = await server.signUp();
    for (const token of [`tdp_${'A'.repeat(43)}`, 'tdp_short', `tdp_${'!'.repeat(43)}`]) {
      const res = await server.api('GET', `/api/${u.user.id}/tasks`, { token });
      problemOf(res, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    }
  });
});

describe('scopes on the REST API', () => {
  test('a token works within its scopes and gets 403 naming the scope outside them', async () => {
    const u = await server.signUp();
    const reader = await createToken(server, u, { name: 'reader', scopes: ['tasks:read'] });
    const writer = await createToken(server, u, { name: 'writer', scopes: ['tasks:write', 'audit:read'] });
    const tasks = `/api/${u.user.id}/tasks`;

    const made = await server.api('POST', tasks, { token: writer.token, body: { title: 'by token' } });
    assert.equal(made.status, 201, made.text);
    const list = await server.api('GET', tasks, { token: reader.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((t) => t.title), ['by token']);
    assert.equal((await server.api('GET', `${tasks}/${made.json.id}`, { token: reader.token })).status, 200);

    const refusals = [
      [reader, 'POST', tasks, { title: 'no' }, 'tasks:write'],
      [reader, 'PATCH', `${tasks}/${made.json.id}`, { title: 'no' }, 'tasks:write'],
      [reader, 'PATCH', `${tasks}/${made.json.id}/complete`, undefined, 'tasks:write'],
      [reader, 'DELETE', `${tasks}/${made.json.id}`, undefined, 'tasks:write'],
      [reader, 'GET', `/api/${u.user.id}/audit`, undefined, 'audit:read'],
      [reader, 'GET', `/api/${u.user.id}/notifications`, undefined, 'notifications:read'],
      [writer, 'GET', tasks, undefined, 'tasks:read'],
      [writer, 'GET', `${tasks}/${made.json.id}`, undefined, 'tasks:read'],
    ];
    for (const [tok, method, path, body, scope] of refusals) {
      const res = await server.api(method, path, { token: tok.token, body });
      const p = problemOf(res, 403);
      assert.equal(p.required_scope, scope, `${method} ${path}`);
      assert.ok(p.detail.includes(scope), p.detail);
      assert.equal(res.headers.get('www-authenticate'), `Bearer error="insufficient_scope", scope="${scope}"`);
    }
    // Nothing changed by the refused writes.
    const after = await server.api('GET', `${tasks}/${made.json.id}`, { token: u.token });
    assert.equal(after.json.title, 'by token');
    assert.equal(after.json.completed, false);
    // audit:read works for the writer.
    assert.equal((await server.api('GET', `/api/${u.user.id}/audit`, { token: writer.token })).status, 200);
  });

  test('routes that declare no scope refuse every token, even one with all scopes', async () => {
    const u = await server.signUp();
    const all = await createToken(server, u, { name: 'all', scopes: ALL_SCOPES });
    assert.deepEqual(all.scopes, ALL_SCOPES);
    const checks = [
      ['GET', `/api/${u.user.id}/export`, undefined],
      ['DELETE', `/api/${u.user.id}`, { password: u.password }],
      ['POST', '/api/auth/sign-out-all', undefined],
      ['POST', '/api/auth/change-password', { current_password: u.password, new_password: 'another passphrase 42' }],
    ];
    for (const [method, path, body] of checks) {
      const p = problemOf(await server.api(method, path, { token: all.token, body }), 403);
      assert.match(p.detail, /session/, `${method} ${path}`);
    }
    // The account is still there and its session works.
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: u.token })).status, 200);
  });

  test('a token cannot create, list or revoke tokens', async () => {
    const u = await server.signUp();
    const all = await createToken(server, u, { name: 'all', scopes: ALL_SCOPES });
    const p = problemOf(await server.api('POST', tokensPath(u), { token: all.token, body: { name: 'minted', scopes: ['tasks:read'] } }), 403);
    assert.match(p.detail, /session/);
    problemOf(await server.api('GET', tokensPath(u), { token: all.token }), 403);
    problemOf(await server.api('DELETE', `${tokensPath(u)}/${all.id}`, { token: all.token }), 403);
    assert.equal((await listTokens(server, u)).json.items.length, 1);
  });

  test("another user's paths: 403 for their token routes and for their tasks", async () => {
    const a = await server.signUp();
    const b = await server.signUp();
    const tokenA = await createToken(server, a, { name: 'a', scopes: ALL_SCOPES });
    problemOf(await server.api('GET', tokensPath(a), { token: b.token }), 403);
    problemOf(await server.api('POST', tokensPath(a), { token: b.token, body: { name: 'x', scopes: ['tasks:read'] } }), 403);
    problemOf(await server.api('DELETE', `${tokensPath(a)}/${tokenA.id}`, { token: b.token }), 403);
    // b cannot revoke a's token through b's own path either.
    problemOf(await server.api('DELETE', `${tokensPath(b)}/${tokenA.id}`, { token: b.token }), 404);
    problemOf(await server.api('GET', `/api/${b.user.id}/tasks`, { token: tokenA.token }), 403);
    assert.equal((await server.api('GET', `/api/${a.user.id}/tasks`, { token: tokenA.token })).status, 200);
  });
});

describe('bad input', () => {
  test('each bad field is a 422 problem naming it; nothing is created', async () => {
    const u = await server.signUp();
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const cases = [
      [{ scopes: ['tasks:read'] }, 'name'],
      [{ name: '', scopes: ['tasks:read'] }, 'name'],
      [{ name: '   ', scopes: ['tasks:read'] }, 'name'],
      [{ name: 'x'.repeat(101), scopes: ['tasks:read'] }, 'name'],
      [{ name: 7, scopes: ['tasks:read'] }, 'name'],
      [{ name: 'n' }, 'scopes'],
      [{ name: 'n', scopes: [] }, 'scopes'],
      [{ name: 'n', scopes: 'tasks:read' }, 'scopes'],
      [{ name: 'n', scopes: ['tasks:read', 'admin'] }, 'scopes[1]'],
      [{ name: 'n', scopes: ['TASKS:READ'] }, 'scopes[0]'],
      [{ name: 'n', scopes: ['tasks:read'], expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'n', scopes: ['tasks:read'], expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
      [{ name: 'n', scopes: ['tasks:read'], expires_at: new Date(Date.now() + 400 * 86400_000).toISOString() }, 'expires_at'],
      [{ name: 'n', scopes: ['tasks:read'], expires_at: soon, admin: true }, 'admin'],
      [['n'], 'body'],
    ];
    for (const [body, field] of cases) {
      problemOf(await server.api('POST', tokensPath(u), { token: u.token, body }), 422, field);
    }
    problemOf(await server.api('POST', tokensPath(u), { token: u.token, raw: '{"name":' }), 400);
    assert.equal((await listTokens(server, u)).json.items.length, 0);
    // 100 characters is fine, and a null expiry means none.
    const ok = await createToken(server, u, { name: 'é'.repeat(100), scopes: ['chat'], expires_at: null });
    assert.equal(ok.expires_at, null);
  });

  test('at most 50 tokens in force per user; revoking one makes room', async () => {
    const u = await server.signUp();
    const made = [];
    for (let i = 0; i < 50; i++) made.push(await createToken(server, u, { name: `t${i}`, scopes: ['tasks:read'] }));
    problemOf(await server.api('POST', tokensPath(u), { token: u.token, body: { name: 'one more', scopes: ['tasks:read'] } }), 409);
    assert.equal((await server.api('DELETE', `${tokensPath(u)}/${made[0].id}`, { token: u.token })).status, 204);
    await createToken(server, u, { name: 'one more', scopes: ['tasks:read'] });
  });
});

describe('metrics', () => {
  test('created tokens and token authentications by outcome are counted', async () => {
    const u = await server.signUp();
    const metric = async (re) => {
      const text = (await server.api('GET', '/metrics')).text;
      const m = re.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const created0 = await metric(/^todo_tokens_created_total (\S+)$/m);
    const scope0 = await metric(/^todo_token_auth_total\{outcome="scope"\} (\S+)$/m);
    const ok0 = await metric(/^todo_token_auth_total\{outcome="ok"\} (\S+)$/m);
    const t = await createToken(server, u, { name: 'm', scopes: ['tasks:read'] });
    await server.api('GET', `/api/${u.user.id}/tasks`, { token: t.token });
    await server.api('GET', `/api/${u.user.id}/audit`, { token: t.token });
    assert.equal(await metric(/^todo_tokens_created_total (\S+)$/m), created0 + 1);
    assert.equal(await metric(/^todo_token_auth_total\{outcome="ok"\} (\S+)$/m), ok0 + 1);
    assert.equal(await metric(/^todo_token_auth_total\{outcome="scope"\} (\S+)$/m), scope0 + 1);
  });
});

describe('account deletion', () => {
  test("the account's tokens are 401 at once and their rows are gone", async () => {
    const u = await server.signUp();
    const t = await createToken(server, u, { name: 'd', scopes: ['tasks:read'] });
    assert.equal((await server.api('GET', `/api/${u.user.id}/tasks`, { token: t.token })).status, 200);
    const res = await server.api('DELETE', `/api/${u.user.id}`, { token: u.token, body: { password: u.password } });
    assert.ok(res.status === 204 || res.status === 200, res.text);
    problemOf(await server.api('GET', `/api/${u.user.id}/tasks`, { token: t.token }), 401);
    assert.equal(await dbRows(`SELECT COUNT(*) FROM access_tokens WHERE user_id = '${u.user.id}'`), '0');
  });
});

describe('several processes (PostgreSQL)', { skip: BACKEND !== 'postgres' && 'one process on SQLite' }, () => {
  test('a revocation in one process is honoured by another on the same database', async () => {
    const other = await startServer();
    try {
      const u = await server.signUp();
      const t = await createToken(server, u, { name: 'shared', scopes: ['tasks:read'] });
      // The other process has it cached from a use.
      assert.equal((await other.api('GET', `/api/${u.user.id}/tasks`, { token: t.token })).status, 200);
      assert.equal((await server.api('DELETE', `${tokensPath(u)}/${t.id}`, { token: u.token })).status, 204);
      const refused = await waitUntil(async () => {
        const res = await other.api('GET', `/api/${u.user.id}/tasks`, { token: t.token });
        return res.status === 401 && res;
      }, 'the other process to refuse the revoked token');
      assert.match(problemOf(refused, 401).detail, /revoked/);
    } finally {
      await other.cleanup();
    }
  });
});
