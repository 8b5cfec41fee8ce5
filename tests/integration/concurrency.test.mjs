// Concurrency: 32 clients over 8 users run 2 000 mixed operations (fixed-seed PRNG). Four
// users are shared by 7 concurrent clients each; four more each have one sequential client
// of their own. Every acknowledged write is recorded; afterwards every acknowledged create
// that was not deleted exists exactly once, in the state of the write that returned its
// highest version, versions of each task were handed out 1..n without gaps or repeats, and
// no task exists that nobody created. The audit trail then holds exactly one event per
// acknowledged write (none doubled, none missing), each task's events carry versions 1..n
// in order with the right types and snapshots, and for the users with one sequential
// client the audit order is exactly the order of their acknowledged writes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { checkEventShape, waitForAudit } from './audit_helpers.mjs';
import { prng, startServer } from './harness.mjs';

const SHARED_USERS = 4;
const CLIENTS_PER_SHARED_USER = 7;
const SOLO_USERS = 4;
const USERS = SHARED_USERS + SOLO_USERS;
const CLIENTS = SHARED_USERS * CLIENTS_PER_SHARED_USER + SOLO_USERS;
const OPS = 2000;
const SEED = 20260130;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

// The test's timeout is a safety net for a busy machine; how long the run took is printed, never asserted.
test(`${CLIENTS} clients, ${USERS} users, ${OPS} mixed operations`, { timeout: 900_000 }, async (t) => {
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await server.signUp({ name: `Load ${i}` }));
  const state = users.map(() => ({ ids: [] }));
  const records = new Map();  // task id -> {userIndex, acks: [task], ops: {version: op}, deleteSent, deleteAcked}
  const userLog = users.map(() => []);  // per user, in the order answered: {id, op, version}
  const failures = [];
  const counts = {};
  let next = 0;

  const fail = (msg) => { if (failures.length < 50) failures.push(msg); };
  const maxAck = (rec) => rec.acks.reduce((m, t) => (t.version > m.version ? t : m), rec.acks[0]);
  const ack = (rec, task, userIndex, what, op) => {
    if (task.user_id !== users[userIndex].user.id) fail(`${what}: task of another user ${JSON.stringify(task)}`);
    rec.acks.push(task);
    rec.ops[task.version] = op;
    rec.log.push(`${what} -> v${task.version}`);
    userLog[userIndex].push({ id: task.id, op, version: task.version });
  };

  async function client(ci) {
    const rnd = prng(SEED + ci);
    // clients 0..27 share users 0..3 (7 each); clients 28..31 have users 4..7 to themselves
    const ui = ci < SHARED_USERS * CLIENTS_PER_SHARED_USER ? ci % SHARED_USERS : SHARED_USERS + (ci - SHARED_USERS * CLIENTS_PER_SHARED_USER);
    const u = users[ui];
    const base = `/api/${u.user.id}/tasks`;
    while (next < OPS) {
      const n = next++;
      const r = rnd.next();
      const ids = state[ui].ids;
      const pickTarget = () => ids[rnd.int(ids.length)];
      let op = r < 0.25 || ids.length === 0 ? 'create' : r < 0.37 ? 'put' : r < 0.55 ? 'patch' : r < 0.65 ? 'complete' : r < 0.72 ? 'delete' : r < 0.87 ? 'get' : 'list';
      if (op === 'list' && ids.length === 0) op = 'create';
      counts[op] = (counts[op] || 0) + 1;
      try {
        if (op === 'create') {
          const body = {
            title: `c${ci}-n${n}`, priority: rnd.pick(['low', 'medium', 'high']),
            tags: rnd.next() < 0.5 ? [rnd.pick(['a', 'b', 'c'])] : [],
            due_at: rnd.next() < 0.5 ? new Date(Date.UTC(2030, 0, 1 + rnd.int(300))).toISOString() : null,
          };
          const res = await server.api('POST', base, { token: u.token, body });
          if (res.status !== 201) { fail(`create ${n}: ${res.status} ${res.text}`); continue; }
          const rec = { userIndex: ui, acks: [], ops: {}, log: [], deleteSent: false, deleteAcked: false, title: body.title };
          if (records.has(res.json.id)) fail(`create ${n}: id ${res.json.id} handed out twice`);
          records.set(res.json.id, rec);
          ack(rec, res.json, ui, `create ${n}`, 'create');
          if (res.json.title !== body.title || res.json.version !== 1) fail(`create ${n}: ${res.text}`);
          ids.push(res.json.id);
          continue;
        }
        if (op === 'list') {
          const qs = rnd.pick(['', '?status=pending', '?sort=title&order=asc&limit=20', '?tag=a', '?sort=due_at&order=asc', '?priority=high&limit=5']);
          const res = await server.api('GET', `${base}${qs}`, { token: u.token });
          if (res.status !== 200) { fail(`list ${qs}: ${res.status} ${res.text}`); continue; }
          for (const t of res.json.items) {
            if (t.user_id !== u.user.id) fail(`list ${qs}: foreign task ${t.id}`);
          }
          continue;
        }
        const id = pickTarget();
        const rec = records.get(id);
        const path = `${base}/${id}`;
        const seenVersion = maxAck(rec).version;
        const useIfMatch = op !== 'get' && rnd.next() < 0.3;
        const headers = useIfMatch ? { 'If-Match': `"${seenVersion}"` } : {};
        let res;
        if (op === 'get') res = await server.api('GET', path, { token: u.token });
        else if (op === 'put') {
          res = await server.api('PUT', path, { token: u.token, headers, body: {
            title: `c${ci}-n${n}-put`, priority: rnd.pick(['low', 'medium', 'high']), completed: rnd.next() < 0.3,
            tags: rnd.next() < 0.5 ? ['b'] : [], description: `put ${n}` } });
        } else if (op === 'patch') {
          const body = { description: `patch ${n}` };
          if (rnd.next() < 0.5) body.priority = rnd.pick(['low', 'medium', 'high']);
          if (rnd.next() < 0.3) body.due_at = rnd.next() < 0.5 ? null : new Date(Date.UTC(2031, 0, 1 + rnd.int(100))).toISOString();
          res = await server.api('PATCH', path, { token: u.token, headers, body });
        } else if (op === 'complete') {
          res = await server.api('PATCH', `${path}/complete`, { token: u.token, headers });  // toggle: always a change
        } else {
          rec.deleteSent = true;
          res = await server.api('DELETE', path, { token: u.token, headers });
        }

        const okStatus = op === 'delete' ? 204 : 200;
        if (res.status === okStatus) {
          if (op === 'delete') {
            rec.deleteAcked = true;
            rec.log.push(`delete ${n}`);
            userLog[ui].push({ id, op: 'delete', version: null });
            continue;
          }
          if (res.json?.id !== id) { fail(`${op} ${id}: wrong task ${res.text}`); continue; }
          if (op === 'get') {
            if (res.json.version < seenVersion) fail(`get ${id}: version ${res.json.version} older than acknowledged ${seenVersion}`);
            continue;
          }
          ack(rec, res.json, ui, `${op} ${n}${useIfMatch ? ` If-Match ${seenVersion}` : ''}`, op);
          if (useIfMatch && res.json.version !== seenVersion + 1) fail(`${op} ${id} If-Match ${seenVersion}: answered version ${res.json.version}`);
          if (op === 'put' && res.json.title !== `c${ci}-n${n}-put`) fail(`put ${id}: ${res.text}`);
          if (op === 'patch' && res.json.description !== `patch ${n}`) fail(`patch ${id}: ${res.text}`);
        } else if (res.status === 404) {
          if (!rec.deleteSent) fail(`${op} ${id}: 404 but no delete was ever sent`);
        } else if (res.status === 412) {
          if (!useIfMatch) fail(`${op} ${id}: 412 without If-Match`);
        } else {
          fail(`${op} ${id}: unexpected ${res.status} ${res.text.slice(0, 300)}`);
        }
      } catch (err) {
        fail(`${op} (op ${n}): ${err?.cause?.code || err}`);
      }
    }
  }

  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, ci) => client(ci)));
  const elapsed = Date.now() - started;
  assert.deepEqual(failures, [], `failures during the run (${JSON.stringify(counts)})`);
  for (const op of ['create', 'put', 'patch', 'complete', 'delete', 'get', 'list']) assert.ok(counts[op] > 20, `op ${op} ran (${JSON.stringify(counts)})`);

  // ---- verification ----
  let checked = 0;
  let deleted = 0;
  for (let ui = 0; ui < USERS; ui++) {
    const u = users[ui];
    const listed = await server.listAll(u);
    const byId = new Map();
    for (const t of listed) {
      assert.ok(!byId.has(t.id), `task ${t.id} listed twice`);
      byId.set(t.id, t);
    }
    const titles = listed.map((t) => t.title);
    assert.equal(new Set(titles).size, titles.length, 'no duplicate titles, so no duplicate tasks');
    for (const [id, rec] of records) {
      if (rec.userIndex !== ui) continue;
      const versions = rec.acks.map((t) => t.version).sort((a, b) => a - b);
      const top = maxAck(rec);
      assert.deepEqual(versions, Array.from({ length: top.version }, (_, i) => i + 1),
        `task ${id}: acknowledged versions must be 1..n without gaps or repeats; acknowledged writes: ${rec.log.join(', ')}`);
      if (rec.deleteAcked) {
        deleted++;
        assert.ok(!byId.has(id), `task ${id} was deleted (acknowledged) but is still listed`);
        const res = await server.api('GET', `/api/${u.user.id}/tasks/${id}`, { token: u.token });
        assert.equal(res.status, 404, `deleted task ${id}`);
      } else {
        assert.ok(byId.has(id), `acknowledged task ${id} (${rec.title}) is missing`);
        assert.deepEqual(byId.get(id), top, `task ${id} is in the state of its last acknowledged write (version ${top.version})`);
        byId.delete(id);
        checked++;
      }
    }
    assert.deepEqual([...byId.keys()], [], `user ${ui} has tasks nobody created`);
  }
  // ---- the audit trail: one event per acknowledged write, none doubled, in commit order ----
  // The event type each acknowledged version must have: v1 created; complete: completed
  // when it completed the task, else updated; PUT/PATCH: completed when it turned
  // completed from false to true, else updated.
  const typeOf = (rec, version) => {
    if (version === 1) return 'created';
    const task = rec.acks.find((a) => a.version === version);
    const prev = rec.acks.find((a) => a.version === version - 1);
    if (rec.ops[version] === 'complete') return task.completed ? 'completed' : 'updated';
    return !prev.completed && task.completed ? 'completed' : 'updated';
  };
  let audited = 0;
  let typedChecks = 0;
  const allEventIds = new Set();
  for (let ui = 0; ui < USERS; ui++) {
    const u = users[ui];
    const mine = [...records.entries()].filter(([, rec]) => rec.userIndex === ui);
    const expected = mine.reduce((n, [, rec]) => n + rec.acks.length + (rec.deleteAcked ? 1 : 0), 0);
    assert.equal(expected, userLog[ui].length);
    const events = (await waitForAudit(server, u, expected)).reverse();  // oldest first
    assert.equal(events.length, expected, `user ${ui}: audit rows (${events.length}) = acknowledged writes (${expected})`);
    for (const e of events) {
      checkEventShape(e, `user ${ui}`);
      assert.ok(!allEventIds.has(e.event_id), `event_id ${e.event_id} appears twice`);
      allEventIds.add(e.event_id);
    }
    const byTask = new Map();
    for (const e of events) {
      assert.equal(e.user_id, u.user.id);
      assert.ok(records.get(e.task_id)?.userIndex === ui, `user ${ui}: event of a task the user never created: ${JSON.stringify(e).slice(0, 300)}`);
      if (!byTask.has(e.task_id)) byTask.set(e.task_id, []);
      byTask.get(e.task_id).push(e);
    }
    for (const [id, rec] of mine) {
      const evs = byTask.get(id) || [];
      const top = maxAck(rec);
      const want = Array.from({ length: top.version }, (_, i) => i + 1);
      if (rec.deleteAcked) want.push(top.version);
      // A task's events are in commit order: their versions read 1..n.
      assert.deepEqual(evs.map((e) => e.task_version), want, `task ${id}: audit versions in commit order (${rec.log.join(', ')})`);
      evs.forEach((e, i) => {
        if (i < top.version) {
          const acked = rec.acks.find((a) => a.version === e.task_version);
          assert.equal(e.event_type, typeOf(rec, e.task_version), `task ${id} v${e.task_version}: event type (${rec.log.join(', ')})`);
          assert.deepEqual(e.task_data, acked, `task ${id} v${e.task_version}: event snapshot = acknowledged answer`);
          typedChecks++;
        } else {
          assert.equal(e.event_type, 'deleted', `task ${id}: the last event is the delete`);
          assert.deepEqual(e.task_data, top, `task ${id}: the deleted event carries the task as it was`);
        }
      });
      audited += evs.length;
    }
    if (ui >= SHARED_USERS) {
      // One sequential client: the audit is exactly its acknowledged writes, in order.
      const key = (x) => `${x.id}/${x.version}/${x.type}`;
      const acked = userLog[ui].map((a) => {
        const rec = records.get(a.id);
        return a.op === 'delete'
          ? { id: a.id, version: maxAck(rec).version, type: 'deleted' }
          : { id: a.id, version: a.version, type: typeOf(rec, a.version) };
      });
      assert.deepEqual(events.map((e) => key({ id: e.task_id, version: e.task_version, type: e.event_type })), acked.map(key),
        `user ${ui} (one sequential client): audit order = order of the acknowledged writes`);
      assert.ok(events.length > 20, `user ${ui}: ${events.length} writes`);
    }
  }
  assert.equal(audited, allEventIds.size);
  t.diagnostic(`ops ${JSON.stringify(counts)} in ${elapsed} ms; ${checked} surviving and ${deleted} deleted tasks verified; ${audited} audit events verified (${typedChecks} typed and compared with the acknowledged answer)`);
  assert.ok(checked > 100, `checked ${checked} surviving tasks`);
  assert.ok(deleted > 10, `checked ${deleted} deleted tasks`);
});
