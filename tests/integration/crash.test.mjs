// Crash safety: 8 concurrent writers create tasks; the server is SIGKILLed mid-load and
// restarted on the same data dir (for postgres, the same DATABASE_URL). Every create that
// was answered 201 before the kill must still exist, with its title. Requests in flight at
// the kill may or may not have happened, but not twice.
// Then the same with writers that create, update, complete, un-complete and delete: after
// the restart every acknowledged operation is in the audit trail exactly once, an
// operation in flight at the kill at most once, every committed change has its event
// (the tasks' versions after restart are all audited) and the outbox drains.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { checkEventShape, waitForAudit } from './audit_helpers.mjs';
import { outboxBacklog, startServer, waitUntil } from './harness.mjs';

const WRITERS = 8;
// The kill comes once this many writes were acknowledged (not after a fixed time, which
// on a busy machine may see almost none): mid-load, with every writer still sending.
const ACKED_BEFORE_KILL = 200;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

test('acknowledged creates survive SIGKILL', { timeout: 600_000 }, async (t) => {
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
  await waitUntil(() => acked.size >= ACKED_BEFORE_KILL || unexpected.length, `${ACKED_BEFORE_KILL} acknowledged creates`, { timeoutMs: 300_000 });
  const ackedBeforeKill = acked.size;
  killedAt = Date.now();
  await server.kill();
  stop = true;
  await Promise.all(writers);
  assert.equal(server.exit.signal, 'SIGKILL', 'the server was killed, not stopped');
  assert.deepEqual(unexpected, [], 'every create before the kill was answered 201');
  assert.ok(ackedBeforeKill >= ACKED_BEFORE_KILL, `load was running: ${ackedBeforeKill} creates acknowledged before the kill`);

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
  assert.equal(session.status, 200, session.text);
  assert.equal(session.json.user?.id, u.user.id, 'tokens issued before the crash still work');
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

test('every acknowledged operation is audited exactly once after SIGKILL', { timeout: 600_000 }, async (t) => {
  const users = [await server.signUp({ name: 'Crash audit A' }), await server.signUp({ name: 'Crash audit B' })];
  const acked = [];  // {userIndex, task_id, type, version}
  const inFlight = new Map();  // writer -> {userIndex, task_id (null for a create), type, version}
  const unexpected = [];
  let killed = false;

  async function writer(w) {
    const ui = w % users.length;
    const u = users[ui];
    const base = `/api/${u.user.id}/tasks`;
    // Sends one write; true when it was acknowledged (then recorded), false otherwise.
    const op = async (type, taskId, version, method, path, body, status = 200) => {
      inFlight.set(w, { userIndex: ui, task_id: taskId, type, version });
      const res = await server.api(method, path, { token: u.token, body });
      if (res.status !== status) {
        if (!killed) unexpected.push(`${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
        return null;
      }
      inFlight.delete(w);
      const id = taskId ?? res.json.id;
      acked.push({ userIndex: ui, task_id: id, type, version: res.json?.version ?? version });
      if (res.json && res.json.version !== version) unexpected.push(`${method} ${path}: version ${res.json.version}, expected ${version}`);
      return res.json ?? {};
    };
    try {
      for (let n = 0; !killed; n++) {
        const created = await op('created', null, 1, 'POST', base, { title: `w${w}-n${n}`, tags: [`w${w}`] }, 201);
        if (!created) return;
        const id = created.id;
        const item = `${base}/${id}`;
        let v = 1;
        if (!await op('updated', id, ++v, 'PATCH', item, { description: `n${n}`, priority: 'high' })) return;
        if (n % 3 === 0) {
          if (!await op('completed', id, ++v, 'PUT', item, { title: `w${w}-n${n} done`, completed: true })) return;
        } else if (!await op('completed', id, ++v, 'PATCH', `${item}/complete`)) return;
        if (n % 4 === 1 && !await op('updated', id, ++v, 'PATCH', `${item}/complete`)) return;
        if (n % 2 === 0 && !await op('deleted', id, v, 'DELETE', item, undefined, 204)) return;
      }
    } catch (err) {
      if (!killed) unexpected.push(`writer ${w}: ${err?.cause?.code || err}`);
      // connection refused or reset by the kill: this writer is done
    }
  }

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  const types = ['created', 'updated', 'completed', 'deleted'];
  await waitUntil(() => (acked.length >= ACKED_BEFORE_KILL && types.every((type) => acked.some((a) => a.type === type))) || unexpected.length,
    `${ACKED_BEFORE_KILL} acknowledged operations of every type`, { timeoutMs: 300_000 });
  killed = true;
  await server.kill();
  await Promise.all(writers);
  assert.equal(server.exit.signal, 'SIGKILL');
  assert.deepEqual(unexpected, [], 'every write before the kill was acknowledged as expected');
  assert.ok(acked.length >= ACKED_BEFORE_KILL, `load was running: ${acked.length} operations acknowledged`);
  for (const type of types) {
    assert.ok(acked.some((a) => a.type === type), `${type} operations ran`);
  }

  await server.start();  // same data, new process
  const key = (x) => `${x.task_id}/${x.type}/v${x.version}`;
  let total = 0;
  let extra = 0;
  for (let ui = 0; ui < users.length; ui++) {
    const u = users[ui];
    const mine = acked.filter((a) => a.userIndex === ui);
    const events = (await waitForAudit(server, u, mine.length)).reverse();  // oldest first
    for (const e of events) {
      checkEventShape(e, `user ${ui}`);
      assert.equal(e.user_id, u.user.id);
    }
    assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, `user ${ui}: no duplicate event_id`);
    const seen = new Map();
    for (const e of events) {
      const k = key({ task_id: e.task_id, type: e.event_type, version: e.task_version });
      seen.set(k, (seen.get(k) || 0) + 1);
    }
    const doubled = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(doubled, [], `user ${ui}: operations audited more than once`);
    const missing = mine.filter((a) => !seen.has(key(a)));
    assert.deepEqual(missing, [], `user ${ui}: acknowledged operations missing from the audit (${mine.length} acknowledged, ${events.length} audited)`);

    // Anything else must be an operation that was in flight at the kill, each at most once.
    const ackedKeys = new Set(mine.map(key));
    const knownTasks = new Set(mine.map((a) => a.task_id));
    const pending = [...inFlight.values()].filter((f) => f.userIndex === ui);
    for (const e of events) {
      const k = key({ task_id: e.task_id, type: e.event_type, version: e.task_version });
      if (ackedKeys.has(k)) continue;
      const i = pending.findIndex((f) => f.type === e.event_type && f.version === e.task_version &&
        (f.task_id === null ? !knownTasks.has(e.task_id) : f.task_id === e.task_id));
      assert.ok(i >= 0, `user ${ui}: event ${k} was neither acknowledged nor in flight (in flight: ${JSON.stringify(pending)})`);
      pending.splice(i, 1);
      extra++;
    }

    // Every committed change has its event: each task's audit reads versions 1..n where n
    // is its version after the restart (plus the delete if it is gone).
    const listed = await server.listAll(u);
    const taskIds = new Set([...knownTasks, ...events.map((e) => e.task_id), ...listed.map((x) => x.id)]);
    for (const id of taskIds) {
      const evs = events.filter((e) => e.task_id === id);
      const res = await server.api('GET', `/api/${u.user.id}/tasks/${id}`, { token: u.token });
      let want;
      if (res.status === 200) {
        want = Array.from({ length: res.json.version }, (_, i) => i + 1);
        assert.deepEqual(evs.at(-1)?.task_data, res.json, `task ${id}: the last event carries the task as it is now`);
      } else {
        assert.equal(res.status, 404, res.text);
        const top = evs.filter((e) => e.event_type !== 'deleted').length;
        want = [...Array.from({ length: top }, (_, i) => i + 1), top];
        assert.equal(evs.at(-1)?.event_type, 'deleted', `task ${id} is gone, so its last event is the delete`);
      }
      assert.deepEqual(evs.map((e) => e.task_version), want,
        `task ${id}: audit versions ${JSON.stringify(evs.map((e) => [e.event_type, e.task_version]))}`);
      assert.equal(evs[0].event_type, 'created');
    }
    total += events.length;
  }
  t.diagnostic(`${acked.length} operations acknowledged before the kill, ${inFlight.size} in flight; ${total} audit events after restart (${extra} of in-flight operations)`);

  // The outbox drains: nothing is left waiting, and readiness says so.
  await waitUntil(async () => (await outboxBacklog(server)) === 0, 'no event left in the outbox');
  const ready = await waitUntil(async () => {
    const r = await server.api('GET', '/readyz');
    return r.json?.checks?.outbox === 'ok' && r;
  }, '/readyz: outbox ok');
  assert.equal(ready.status, 200);
});
