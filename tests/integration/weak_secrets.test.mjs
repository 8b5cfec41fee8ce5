// Guessable secrets are refused at start (issue 14, item 7; config/secret_strength.hpp):
// TODO_JWT_SECRET, APP_API_TOKEN and DAPR_API_TOKEN that are whitespace, padded with
// whitespace, or low in entropy stop the binary with one line naming the variable — and
// never the value.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BINARY, freePort, JWT_SECRET, startServer } from './harness.mjs';

// Runs `todo serve` until it exits (it should refuse to start): {code, output}.
function runToExit(env) {
  const dir = mkdtempSync(join(tmpdir(), 'todo-weak-secret-'));
  const base = { ...process.env };
  for (const k of ['APP_API_TOKEN', 'DAPR_API_TOKEN', 'TODO_BUS', 'DATABASE_URL', 'TODO_INSECURE_NO_APP_TOKEN']) delete base[k];
  return new Promise((resolve) => {
    const child = spawn(BINARY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir],
      { env: { ...base, TODO_JWT_SECRET: JWT_SECRET, TODO_LOG_LEVEL: 'trace', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, output });
    });
  });
}

const random = () => randomBytes(32).toString('hex');
const dapr = async () => ({ TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: random() });

const CASES = [
  ['TODO_JWT_SECRET', 'a'.repeat(40), /TODO_JWT_SECRET is too easy to guess/],
  ['TODO_JWT_SECRET', ' '.repeat(32), /TODO_JWT_SECRET is only whitespace/],
  ['TODO_JWT_SECRET', 'abcdefghijklmnopqrstuvwxyz0123456789', /TODO_JWT_SECRET is too easy to guess/],
  ['TODO_JWT_SECRET', 'change-me-change-me-change-me-change-me', /TODO_JWT_SECRET is too easy to guess/],
  ['TODO_JWT_SECRET', `${random()}\n`, /TODO_JWT_SECRET begins or ends with whitespace/],
  ['APP_API_TOKEN', 'changeme-changeme-changeme-changeme', /APP_API_TOKEN is too easy to guess/],
  ['APP_API_TOKEN', '\t \t ', /APP_API_TOKEN is only whitespace/],
  ['DAPR_API_TOKEN', 'qwertyuiopasdfghjklzxcvbnm', /DAPR_API_TOKEN is too easy to guess/],
  ['DAPR_API_TOKEN', ` ${random()}`, /DAPR_API_TOKEN begins or ends with whitespace/],
];

for (const [name, value, expected] of CASES) {
  test(`${name} ${JSON.stringify(value.length > 24 ? `${value.slice(0, 20)}…` : value)}: refused at start, naming the variable, not the value`, async () => {
    const env = name === 'TODO_JWT_SECRET' ? {} : await dapr();
    const { code, output } = await runToExit({ ...env, [name]: value });
    assert.equal(code, 2, `exit code 2 (configuration error); output:\n${output}`);
    assert.match(output, expected);
    assert.match(output, /openssl rand -hex 32|whitespace/, 'says what to do');
    const shown = value.trim();
    if (shown.length > 0) assert.ok(!output.includes(shown), `the value appears in the output:\n${output}`);
    assert.ok(!/listening on/.test(output), 'the server did not start');
  });
}

test('random secrets start the server (and the tokens are not checked when unset)', async () => {
  const server = await startServer({
    env: { TODO_JWT_SECRET: random(), TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(await freePort()), APP_API_TOKEN: random(), DAPR_API_TOKEN: random() },
  });
  await server.cleanup();
  const plain = await startServer({ env: { TODO_JWT_SECRET: random() } });
  await plain.cleanup();
});
