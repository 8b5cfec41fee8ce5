// Secrets never reach the output: the binary is started with every secret-bearing setting
// in each form it can take, each holding a unique marker, at the most verbose log level,
// and its whole stdout and stderr -- and every --help text -- is searched for the marker.
// A DATABASE_URL that cannot connect is fine: what matters is what was printed on the way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { BACKEND, BINARY, freePort, sleep } from './harness.mjs';

const MARK = `Mk${randomUUID().replaceAll('-', '')}`;  // unique per run, never a real value
const dirs = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function baseEnv(extra) {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'TODO_JWT_SECRET', 'DAPR_API_TOKEN', 'APP_API_TOKEN', 'TODO_BUS']) delete env[k];
  return { ...env, TODO_LOG_LEVEL: 'trace', TODO_JWT_SECRET: `jwt-${MARK}-at-least-32-characters`, ...extra };
}

// Runs the binary to its end (or SIGTERM after `untilMs`), keeping all of its output.
function run(args, env, { untilMs = 15_000, whileRunning } = {}) {
  return new Promise((resolve) => {
    const child = spawn(BINARY, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => child.kill('SIGTERM'), untilMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), untilMs + 15_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(kill);
      resolve({ code, signal, output: () => output });
    });
    if (whileRunning) whileRunning(child, () => output).finally(() => child.kill('SIGTERM'));
  });
}

function assertNoMarker(output, what) {
  const at = output.indexOf(MARK);
  assert.equal(at, -1, `${what}: the secret appears in the output: ...${output.slice(Math.max(0, at - 200), at + 100)}...`);
}

function serveArgs() {
  const dir = mkdtempSync(join(tmpdir(), 'todo-secrets-'));
  dirs.push(dir);
  return ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir];
}

// DATABASE_URL forms that cannot connect (port 1 refuses at once); every way a password
// can sit in one, well-formed or not.
const UNREACHABLE = {
  'user:password@': `postgres://todo:${MARK}@127.0.0.1:1/todo`,
  'postgresql:// user:password@': `postgresql://todo:${MARK}@127.0.0.1:1/todo`,
  '?password=': `postgres://todo@127.0.0.1:1/todo?password=${MARK}`,
  '?sslpassword=': `postgres://todo@127.0.0.1:1/todo?sslmode=disable&sslpassword=${MARK}`,
  'both': `postgres://todo:${MARK}@127.0.0.1:1/todo?password=${MARK}`,
  'an unescaped @ in the password': `postgres://todo:pa@ss${MARK}@127.0.0.1:1/todo`,
  'an unescaped / in the password': `postgres://todo:pa/ss${MARK}@127.0.0.1:1/todo`,
  'a malformed percent-escape in the password': `postgres://todo:${MARK}%zz@127.0.0.1:1/todo`,
  'a malformed percent-escape in ?password=': `postgres://todo@127.0.0.1:1/todo?password=%zz${MARK}`,
  'an unknown secret-looking parameter': `postgres://todo@127.0.0.1:1/todo?auth_token=${MARK}`,
  'several hosts': `postgres://todo:${MARK}@127.0.0.1:1,127.0.0.1:2/todo`,
  'conninfo key=value': `host=127.0.0.1 port=1 password=${MARK}`,
  'conninfo quoted with spaces': `host=127.0.0.1 port=1 password='a ${MARK} b'`,
};

describe('DATABASE_URL in every form', () => {
  for (const [name, url] of Object.entries(UNREACHABLE)) {
    test(`${name}: serve and migrate print no secret`, async () => {
      for (const args of [serveArgs(), ['migrate']]) {
        const res = await run(args, baseEnv({ DATABASE_URL: url }));
        const out = res.output();
        assert.ok(/starting todo: |configuration error|cannot connect/.test(out), `${args[0]} printed what it did: ${out.slice(0, 500)}`);
        assertNoMarker(out, `${args[0]} with ${name}`);
      }
    });
  }

  test('the start-up line shows the URL with its password masked', async () => {
    const res = await run(serveArgs(), baseEnv({ DATABASE_URL: `postgres://todo:${MARK}@127.0.0.1:1/todo?sslmode=disable&password=${MARK}` }));
    assert.match(res.output(), /storage=postgres:\/\/todo:\*\*\*@127\.0\.0\.1:1\/todo\?sslmode=disable&password=\*\*\* /);
  });

  test('a server that connects and runs logs no secret (PostgreSQL only)', { skip: BACKEND !== 'postgres' && 'needs TODO_TEST_BACKEND=postgres' }, async () => {
    // The throwaway server trusts every client, so a password is accepted and ignored.
    const base = new URL(process.env.TODO_TEST_DATABASE_URL);
    const withPassword = new URL(base);
    withPassword.password = MARK;
    withPassword.searchParams.set('sslpassword', MARK);
    const withQuery = new URL(base);
    withQuery.searchParams.set('password', MARK);
    for (const url of [withPassword.href, withQuery.href]) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'todo-secrets-'));
      dirs.push(dir);
      let answered = 0;
      const res = await run(['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], baseEnv({ DATABASE_URL: url }), {
        untilMs: 60_000,
        whileRunning: async () => {
          answered = await exercise(port);
        },
      });
      assert.ok(answered > 0, `the server answered (${res.output().slice(-500)})`);
      assert.match(res.output(), /storage=postgres:\/\/.*\*\*\*/);
      assertNoMarker(res.output(), url.replace(MARK, '<marker>'));
    }
  });
});

// Waits for the server on `port`, then signs up, creates and changes a task, posts a Dapr
// delivery with a wrong token and one with the right token, and reads /metrics: the paths
// that log. Returns how many requests were answered.
async function exercise(port, { appToken } = {}) {
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200) break;
    } catch { /* not yet */ }
    await sleep(100);
  }
  let answered = 0;
  const call = async (method, path, { body, headers = {} } = {}) => {
    const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    answered += 1;
    const text = await res.text();
    return { status: res.status, json: text && /json/.test(res.headers.get('content-type') || '') ? JSON.parse(text) : undefined };
  };
  const up = await call('POST', '/api/auth/sign-up/email', { body: { email: `s_${randomUUID()}@example.com`, password: 'correct horse battery', name: 'S' } });
  if (up.status === 201) {
    const auth = { Authorization: `Bearer ${up.json.token}` };
    const t = await call('POST', `/api/${up.json.user.id}/tasks`, { body: { title: 'secret test' }, headers: auth });
    if (t.status === 201) await call('PATCH', `/api/${up.json.user.id}/tasks/${t.json.id}`, { body: { title: 'x' }, headers: { ...auth, 'If-Match': '"9"' } });
    await call('GET', `/api/${up.json.user.id}/tasks`, { headers: { Authorization: 'Bearer not-a-token' } });
  }
  if (appToken) {
    await call('POST', '/dapr/task-events', { body: { specversion: '1.0' }, headers: { 'dapr-api-token': 'wrong' } });
    await call('POST', '/dapr/task-events', { body: { specversion: '1.0', id: 'x', source: 's', type: 't' }, headers: { 'dapr-api-token': appToken } });
  }
  await call('GET', '/metrics');
  await sleep(700);  // let the relay try (and fail) to publish: its errors are logged too
  return answered;
}

describe('TODO_JWT_SECRET, DAPR_API_TOKEN and APP_API_TOKEN', () => {
  test('a running server with the Dapr bus (sidecar unreachable) logs none of them', async () => {
    const port = await freePort();
    const appToken = `app-${MARK}`;
    const env = baseEnv({ TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), DAPR_API_TOKEN: `dapr-${MARK}`, APP_API_TOKEN: appToken });
    let answered = 0;
    const dir = mkdtempSync(join(tmpdir(), 'todo-secrets-'));
    dirs.push(dir);
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir];
    if (BACKEND === 'postgres') args.push('--database-url', process.env.TODO_TEST_DATABASE_URL);
    const res = await run(args, env, { untilMs: 60_000, whileRunning: async () => { answered = await exercise(port, { appToken }); } });
    const out = res.output();
    assert.ok(answered >= 5, `the server answered ${answered} requests: ${out.slice(-500)}`);
    assert.match(out, /jwt_secret=\*\*\* /, 'the configuration line was logged');
    assert.match(out, /dapr_api_token=\*\*\* app_api_token=\*\*\* /);
    assertNoMarker(out, 'serve');
  });
});

describe('--help and command-line errors', () => {
  const env = baseEnv({ DATABASE_URL: `postgres://todo:${MARK}@127.0.0.1:1/todo?password=${MARK}`, DAPR_API_TOKEN: `dapr-${MARK}`, APP_API_TOKEN: `app-${MARK}` });
  const url = `postgres://todo:${MARK}@127.0.0.1:1/todo?password=${MARK}`;
  for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help'], ['serve', '--database-url', url, '--help'],
    ['migrate', `--database-url=${url}`, '--help']]) {
    test(`todo ${args.join(' ').replaceAll(MARK, '<marker>')}`, async () => {
      const res = await run(args, env);
      const out = res.output();
      assert.match(out, /--database-url|serve/, 'the help was printed');
      assertNoMarker(out, args.join(' '));
    });
  }
  for (const args of [['serve', '--database-url', url, '--listen', 'nonsense'], ['serve', '--database-url', url, '--bogus'],
    ['serve', '--database-url', url, '--role', 'api'], ['serve', '--database-url', url, '--dapr-http-port', '0'], ['serve', '--database-url']]) {
    test(`an error: todo ${args.join(' ').replaceAll(MARK, '<marker>')}`, async () => {
      const res = await run(args, env);
      assert.notEqual(res.code, 0, 'refused');
      assertNoMarker(res.output(), args.join(' '));
    });
  }
});
