// Every inbound surface is authenticated by default (issue 14, item 5): with --bus=dapr the
// binary refuses to start without APP_API_TOKEN — the token the sidecar sends with every
// delivery, callback and subscription request — unless --insecure-no-app-token is asked for,
// and then it warns at every start. With the token, calls without it get 401 and change
// nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BINARY, freePort, JWT_SECRET, startServer } from './harness.mjs';

// Runs the binary to completion (it is expected to refuse to start); resolves {code, output}.
function runToExit(env) {
  const dir = mkdtempSync(join(tmpdir(), 'todo-inbound-'));
  return new Promise((resolve) => {
    const base = { ...process.env };
    for (const k of ['APP_API_TOKEN', 'TODO_INSECURE_NO_APP_TOKEN', 'DATABASE_URL']) delete base[k];
    const child = spawn(BINARY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir],
      { env: { ...base, TODO_JWT_SECRET: JWT_SECRET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

test('--bus=dapr without APP_API_TOKEN refuses to start, with one clear line', async () => {
  const { code, output } = await runToExit({ TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()) });
  assert.equal(code, 2, output);
  assert.match(output, /needs APP_API_TOKEN/);
  assert.match(output, /--insecure-no-app-token/);
});

test('--insecure-no-app-token starts, warns, and then takes unauthenticated deliveries', async () => {
  const server = await startServer({
    env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), TODO_INSECURE_NO_APP_TOKEN: 'true', TODO_LOG_LEVEL: 'info' },
  });
  try {
    assert.match(server.output, /INSECURE: --insecure-no-app-token/);
    const res = await server.api('GET', '/dapr/subscribe');
    assert.equal(res.status, 200, 'asked for: no token checked');
  } finally {
    await server.cleanup();
  }
});

test('with APP_API_TOKEN, the subscription list and deliveries need the token; nothing is stored without it', async () => {
  const token = `app-${randomUUID()}`;
  const server = await startServer({ env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: token } });
  try {
    const u = await server.signUp();
    assert.equal((await server.api('GET', '/dapr/subscribe')).status, 401);
    assert.equal((await server.api('GET', '/dapr/subscribe', { headers: { 'dapr-api-token': 'wrong' } })).status, 401);
    assert.equal((await server.api('GET', '/dapr/subscribe', { headers: { 'dapr-api-token': token } })).status, 200);
    const event = {
      event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: u.user.id, task_id: 4242,
      task_data: { id: 4242, title: 'forged' }, schema_version: 1, task_version: 1,
    };
    for (const headers of [{}, { 'dapr-api-token': '' }, { 'dapr-api-token': `${token}x` }]) {
      const res = await server.api('POST', '/dapr/task-events', { body: event, headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
    }
    const audit = await server.api('GET', `/api/${u.user.id}/audit`, { token: u.token });
    assert.equal(audit.status, 200);
    assert.ok(!audit.json.items.some((e) => e.event_id === event.event_id), 'a forged event reached the audit');
  } finally {
    await server.cleanup();
  }
});
