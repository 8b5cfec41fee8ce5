// What `todo serve` does with its configuration at start (config/config.cpp): without
// TODO_JWT_SECRET the signing key is generated once into <data-dir>/jwt-secret (owner-only)
// and reused, so sessions survive a restart and `make run` needs no setup; a bad --listen,
// --pubsub-name, --topic, a short TODO_JWT_SECRET, a separate role without a shared secret, an
// option out of its range, not a number or unknown stop the start with exit code 2 and one
// line that names the setting.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BACKEND, BINARY, freePort, JWT_SECRET, startServer } from './harness.mjs';

// Runs `todo serve ARGS` until it exits (it should refuse to start): {code, output}.
function runToExit(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'todo-config-'));
  const base = { ...process.env };
  for (const k of ['APP_API_TOKEN', 'DAPR_API_TOKEN', 'TODO_BUS', 'DATABASE_URL', 'TODO_INSECURE_NO_APP_TOKEN']) delete base[k];
  return new Promise((resolve) => {
    const child = spawn(BINARY, ['serve', '--data-dir', dir, ...args],
      { env: { ...base, TODO_JWT_SECRET: JWT_SECRET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);  // a safety net only
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, output });
    });
  });
}

test('without TODO_JWT_SECRET: a key is made once, owner-only, and a session outlives a restart', { skip: BACKEND !== 'sqlite' && 'the SQLite single binary (make run)' }, async () => {
  const server = await startServer({ env: { TODO_JWT_SECRET: '' } });
  try {
    const keyFile = join(server.dataDir, 'jwt-secret');
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.match(key, /^[0-9a-f]{64}$/, 'a random 256-bit key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'readable by the owner only');
    const { token, user } = await server.signUp();
    const userId = user.id;
    await server.restart();
    assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the same key after a restart');
    const res = await server.api('GET', `/api/${userId}/tasks`, { token });
    assert.equal(res.status, 200, 'the token issued before the restart still works');
    // The key of another data directory signs different tokens: not accepted here.
    const other = await startServer({ env: { TODO_JWT_SECRET: '' } });
    try {
      assert.notEqual(readFileSync(join(other.dataDir, 'jwt-secret'), 'utf8').trim(), key);
      assert.equal((await other.api('GET', `/api/${userId}/tasks`, { token })).status, 401);
    } finally {
      await other.cleanup();
    }
  } finally {
    await server.cleanup();
  }
});

const REFUSED = [
  ['--listen without a port', ['--listen', '127.0.0.1'], {}, /--listen must be HOST:PORT, got '127\.0\.0\.1'/],
  ['--listen with a port out of range', ['--listen', '127.0.0.1:70000'], {}, /--listen port must be 0\.\.65535/],
  ['--listen with a port that is no number', ['--listen', '127.0.0.1:http'], {}, /--listen port must be 0\.\.65535/],
  ['--pubsub-name with a slash', ['--listen', '127.0.0.1:0', '--pubsub-name', 'a/b'], {}, /--pubsub-name may hold letters, digits/],
  ['--topic with a space', ['--listen', '127.0.0.1:0', '--topic', 'task events'], {}, /--topic may hold letters, digits/],
  ['--db-writers above its range', ['--listen', '127.0.0.1:0', '--db-writers', '33'], {}, /--db-writers: Value 33 not in range 0 to 32/],
  ['TODO_DB_WRITERS below its range', ['--listen', '127.0.0.1:0'], { TODO_DB_WRITERS: '-1' }, /--db-writers: Value -1 not in range 0 to 32/],
  ['--db-readers that is no number', ['--listen', '127.0.0.1:0', '--db-readers', 'lots'], {}, /--db-readers.*lots/],
  ['TODO_DB_PIPELINED_READS that is no boolean', ['--listen', '127.0.0.1:0'], { TODO_DB_PIPELINED_READS: 'sometimes' }, /--db-pipelined-reads.*sometimes/],
  ['an option that does not exist', ['--listen', '127.0.0.1:0', '--no-such-option'], {}, /--no-such-option/],
  ['a TODO_JWT_SECRET under 32 characters', ['--listen', '127.0.0.1:0'], { TODO_JWT_SECRET: randomBytes(8).toString('hex') }, /TODO_JWT_SECRET must be at least 32 characters/],
];

for (const [what, args, env, expected] of REFUSED) {
  test(`${what}: refused at start with exit code 2 and a line naming it`, async () => {
    const { code, output } = await runToExit(args, env);
    assert.equal(code, 2, `exit code 2 (configuration error); output:\n${output}`);
    assert.match(output, expected);
    assert.ok(!/listening on/.test(output), 'the server did not start');
  });
}

test('a separate role without TODO_JWT_SECRET is refused: every role must verify the same tokens', { skip: BACKEND !== 'postgres' && 'roles need PostgreSQL' }, async () => {
  const { code, output } = await runToExit(
    ['--role=api', '--listen', '127.0.0.1:0', '--bus=dapr', '--database-url', process.env.TODO_TEST_DATABASE_URL],
    { TODO_JWT_SECRET: '', APP_API_TOKEN: randomBytes(32).toString('hex'), DAPR_HTTP_PORT: String(await freePort()) });
  assert.equal(code, 2, `exit code 2; output:\n${output}`);
  assert.match(output, /--role=api needs TODO_JWT_SECRET/);
});
