// Crash safety: 8 concurrent writers create tasks; the server is SIGKILLed mid-load and
// restarted on the same data dir (for postgres, the same DATABASE_URL). Every create that
// was answered 201 before the kill must still exist, with its title. Requests in flight at
// the kill may or may not have happened, but not twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { sleep, startServer } from './harness.mjs';

const WRITERS = 8;
const LOAD_MS = 3000;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

test('acknowledged creates survive SIGKILL', { timeout: 90_000 }, async (t) => {
  const users = [await server.signUp({ name: 'Crash A' }), await server.signUp({ name: 'Crash B' })];
  const acked = new Map();  // id -> {title, userIndex}
  const inFlight = new Set();  // titles sent but not answered 201
  const unexpected = [];
  let stop = false;
  let killedAt = 0;

  async function writer(w) {
    const ui = w % users.length;
    const u = users[ui];
    for (let n = 0; !stop; n++) {
      const title = `w${w}-n${n}`;
      inFlight.add(title);
      try {
        const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title, tags: [`w${w}`] } });
        if (res.status === 201) {
          // an answer read after the kill is still an acknowledgement the server sent
          acked.set(res.json.id, { title, userIndex: ui });
          inFlight.delete(title);
        } else if (!killedAt) {
          unexpected.push(`${title}: ${res.status} ${res.text.slice(0, 200)}`);
        }
      } catch (err) {
        if (!killedAt) unexpected.push(`${title}: ${err?.cause?.code || err}`);
        return;  // connection refused/reset after the kill: this writer is done
      }
    }
  }

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await sleep(LOAD_MS);
  const ackedBeforeKill = acked.size;
  killedAt = Date.now();
  await server.kill();
  stop = true;
  await Promise.all(writers);
  assert.equal(server.exit.signal, 'SIGKILL', 'the server was killed, not stopped');
  assert.deepEqual(unexpected, [], 'every create before the kill was answered 201');
  assert.ok(ackedBeforeKill > 50, `load was running: ${ackedBeforeKill} creates acknowledged before the kill`);

  await server.start();  // same data dir, same DATABASE_URL, new process
  const found = new Map();
  for (let ui = 0; ui < users.length; ui++) {
    const listed = await server.listAll(users[ui]);
    const titles = listed.map((t) => t.title);
    assert.equal(new Set(titles).size, titles.length, 'no task was created twice');
    for (const t of listed) found.set(t.id, { title: t.title, userIndex: ui });
  }
  const missing = [];
  for (const [id, a] of acked) {
    const f = found.get(id);
    if (!f || f.title !== a.title || f.userIndex !== a.userIndex) missing.push({ id, ...a, found: f });
  }
  t.diagnostic(`${ackedBeforeKill} creates acknowledged before the kill, ${acked.size} in all; ${found.size} found after restart`);
  assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged creates are missing after restart`);
  // whatever else exists must be a request that was in flight at the kill
  for (const [id, f] of found) {
    if (!acked.has(id)) assert.ok(inFlight.has(f.title), `task ${id} "${f.title}" exists but was neither acknowledged nor in flight`);
  }
  assert.ok(found.size - acked.size <= WRITERS, 'at most one in-flight create per writer survived');

  // the restarted server works normally
  const u = users[0];
  const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'after restart' } });
  assert.equal(res.status, 201, res.text);
  assert.ok(!acked.has(res.json.id) && !found.has(res.json.id), 'ids are not reused after the crash');
  const session = await server.api('GET', '/api/auth/session', { token: u.token });
  assert.equal(session.status, 200, 'tokens issued before the crash still work');
});

test('graceful stop (SIGTERM) exits cleanly and keeps the data', { timeout: 60_000 }, async () => {
  const u = await server.signUp();
  const res = await server.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'before SIGTERM' } });
  assert.equal(res.status, 201, res.text);
  const exit = await server.stop();
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit after SIGTERM; output:\n${server.output}`);
  await server.start();
  assert.deepEqual((await server.listAll(u)).map((t) => t.title), ['before SIGTERM']);
});
