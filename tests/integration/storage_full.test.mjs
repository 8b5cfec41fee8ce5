// Storage that refuses writes (issue 14 item 8), for real, on SQLite: the data directory on a
// small tmpfs this test mounts (as root) and fills. Writes answer 503 problem+json
// ("storage full", Retry-After), never 500; /readyz says not ready; once space is freed the
// server recovers by itself (no restart, no request needed) and nothing acknowledged is
// lost. Sibling: the database file deleted under the running server -> 503 storage-read-only
// and not ready, instead of acknowledging writes into a file that is gone.
//
// PostgreSQL's disk_full (53100) and read-only states are covered at the storage level
// (tests/storage/storage_fault_test.cpp); this file skips itself on that backend.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BACKEND, TodoServer, problemOf, sleep } from './harness.mjs';

// Mounts a tmpfs of `size` at a fresh directory; returns it, or throws why it cannot.
function mountTmpfs(size) {
  const dir = mkdtempSync(join(tmpdir(), 'todo-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs (run as root): ${err.stderr || err.message}`);
  }
  return dir;
}

function unmount(dir) {
  try { execFileSync('umount', [dir], { stdio: 'pipe' }); } catch { /* not mounted */ }
  rmSync(dir, { recursive: true, force: true });
}

// Why this machine cannot run the test (not root, no mount in this container), or false.
function cannotMount() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root to mount a small tmpfs';
  try {
    unmount(mountTmpfs('1m'));
    return false;
  } catch (err) {
    return err.message;
  }
}

const SKIP = BACKEND !== 'sqlite'
  ? 'SQLite only: PostgreSQL storage faults are tested in tests/storage'
  : cannotMount();
if (SKIP) console.log(`# storage_full.test.mjs skipped: ${SKIP}`);

// Appends zeros to `path` until the file system has at most `leave` bytes left (0: none).
function fillUp(path, leave = 0) {
  const fd = openSync(path, 'a');
  try {
    if (leave > 0) {
      const { bavail, bsize } = statfsSync(path);
      const free = bavail * bsize;
      if (free > leave) writeSync(fd, Buffer.alloc(free - leave));
      return;
    }
    for (const size of [1 << 20, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try { writeSync(fd, chunk); } catch (err) {
          if (err.code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

async function waitFor(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last.ok) return last;
    await sleep(50);
  }
  assert.fail(`${what} within ${ms} ms; last: ${JSON.stringify(last)}`);
}

const readyz = async (server) => {
  const res = await server.api('GET', '/readyz');
  return { ok: res.status === 200, status: res.status, body: res.json };
};

describe('a full disk', { skip: SKIP }, () => {
  let mount;
  let server;
  before(async () => {
    mount = mountTmpfs('16m');
    server = new TodoServer({ dataDir: join(mount, 'data') });
    await server.start();
  });
  after(async () => {
    await server?.stop();
    if (mount) unmount(mount);
  });

  test('writes answer 503 storage-full with Retry-After, /readyz is not ready; freeing space recovers by itself and nothing acknowledged is lost', async () => {
    const u = await server.signUp();
    const path = `/api/${u.user.id}/tasks`;
    const acknowledged = [];
    const create = (title) => server.api('POST', path, { token: u.token, body: { title, description: 'x'.repeat(500) } });
    for (let i = 0; i < 20; i++) {
      const res = await create(`before ${i}`);
      assert.equal(res.status, 201, res.text);
      acknowledged.push(res.json.id);
    }
    assert.equal((await readyz(server)).status, 200);

    // Nearly full (under the 4 MiB reserve) before any write failed: already not ready, as a
    // batch of creates would not fit.
    fillUp(join(mount, 'filler'), 1 << 20);
    const nearlyFull = await readyz(server);
    assert.equal(nearlyFull.status, 503, JSON.stringify(nearlyFull.body));
    assert.equal(nearlyFull.body.checks.storage, 'full');

    fillUp(join(mount, 'filler'));
    let refused;
    for (let i = 0; i < 500 && !refused; i++) {
      const res = await create(`while full ${i}`);
      assert.ok(res.status === 201 || res.status === 503, `create on a full disk: ${res.status} ${res.text}`);
      if (res.status === 201) acknowledged.push(res.json.id);
      else refused = res;
    }
    assert.ok(refused, 'a create was refused once the disk was full');
    const problem = problemOf(refused, 503);
    assert.equal(problem.type, '/problems/storage-full');
    assert.equal(problem.title, 'Storage full');
    assert.match(refused.headers.get('retry-after') || '', /^[1-9]\d*$/, 'Retry-After in seconds');

    // Every kind of write: 503 or done, never a 500.
    const other = [
      await server.api('PATCH', `${path}/${acknowledged[0]}`, { token: u.token, body: { title: 'x'.repeat(400) } }),
      await server.api('PATCH', `${path}/${acknowledged[1]}/complete`, { token: u.token }),
      await server.api('DELETE', `${path}/${acknowledged[2]}`, { token: u.token }),
      await server.api('POST', '/api/auth/sign-up/email', { body: { email: `full${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'F' } }),
    ];
    for (const res of other) assert.ok([200, 201, 204, 503].includes(res.status), `${res.status} ${res.text}`);
    if (other[2].status === 204) acknowledged.splice(2, 1);  // that delete was acknowledged

    const notReady = await readyz(server);
    assert.equal(notReady.status, 503, JSON.stringify(notReady.body));
    assert.equal(notReady.body.status, 'not ready');
    assert.equal(notReady.body.checks.storage, 'full');
    // Reads go on.
    assert.equal((await server.api('GET', `${path}/${acknowledged[0]}`, { token: u.token })).status, 200);

    // Space returns: ready again without any write having to succeed first.
    unlinkSync(join(mount, 'filler'));
    const ready = await waitFor('/readyz ready after space was freed', () => readyz(server));
    assert.equal(ready.body.checks.storage, 'ok');
    const after = await create('after');
    assert.equal(after.status, 201, after.text);
    acknowledged.push(after.json.id);

    const ids = new Set((await server.listAll(u)).map((t) => t.id));
    for (const id of acknowledged) assert.ok(ids.has(id), `acknowledged task ${id} is there`);
    // …and after a restart on the same directory (committed, not just cached).
    await server.restart();
    const again = new Set((await server.listAll(u)).map((t) => t.id));
    for (const id of acknowledged) assert.ok(again.has(id), `acknowledged task ${id} survives a restart`);
  });
});

describe('the database file deleted under the running server', { skip: SKIP }, () => {
  let server;
  before(async () => { server = new TodoServer(); await server.start(); });
  after(async () => { await server?.cleanup(); });

  test('writes answer 503 storage-read-only instead of being acknowledged into a file that is gone; /readyz is not ready', async () => {
    const u = await server.signUp();
    const path = `/api/${u.user.id}/tasks`;
    assert.equal((await server.api('POST', path, { token: u.token, body: { title: 'kept' } })).status, 201);
    unlinkSync(join(server.dataDir, 'todo.db'));
    const res = await server.api('POST', path, { token: u.token, body: { title: 'would be lost' } });
    const problem = problemOf(res, 503);
    assert.equal(problem.type, '/problems/storage-read-only');
    assert.match(res.headers.get('retry-after') || '', /^[1-9]\d*$/);
    const r = await readyz(server);
    assert.equal(r.status, 503);
    assert.equal(r.body.checks.storage, 'read_only');
  });
});
