// Concurrency: 32 clients over 4 users run 2 000 mixed operations (fixed-seed PRNG).
// Every acknowledged write is recorded; afterwards every acknowledged create that was not
// deleted exists exactly once, in the state of the write that returned its highest
// version, versions of each task were handed out 1..n without gaps or repeats, and no
// task exists that nobody created.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitForAudit } from './audit_helpers.mjs';
import { prng, startServer } from './harness.mjs';

const CLIENTS = 32;
const USERS = 4;
const OPS = 2000;
const SEED = 20260130;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

test(`${CLIENTS} clients, ${USERS} users, ${OPS} mixed operations`, { timeout: 150_000 }, async (t) => {
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await server.signUp({ name: `Load ${i}` }));
  const state = users.map(() => ({ ids: [] }));
  const records = new Map();  // task id -> {userIndex, acks: [task], deleteSent, deleteAcked}
  const failures = [];
  const counts = {};
  let next = 0;

  const fail = (msg) => { if (failures.length < 50) failures.push(msg); };
  const maxAck = (rec) => rec.acks.reduce((m, t) => (t.version > m.version ? t : m), rec.acks[0]);
  const ack = (rec, task, userIndex, what) => {
    if (task.user_id !== users[userIndex].user.id) fail(`${what}: task of another user ${JSON.stringify(task)}`);
    rec.acks.push(task);
    rec.log.push(`${what} -> v${task.version}`);
  };

  async function client(ci) {
    const rnd = prng(SEED + ci);
    const ui = ci % USERS;
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
          const rec = { userIndex: ui, acks: [], log: [], deleteSent: false, deleteAcked: false, title: body.title };
          if (records.has(res.json.id)) fail(`create ${n}: id ${res.json.id} handed out twice`);
          records.set(res.json.id, rec);
          ack(rec, res.json, ui, `create ${n}`);
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
          if (op === 'delete') { rec.deleteAcked = true; continue; }
          if (res.json?.id !== id) { fail(`${op} ${id}: wrong task ${res.text}`); continue; }
          if (op === 'get') {
            if (res.json.version < seenVersion) fail(`get ${id}: version ${res.json.version} older than acknowledged ${seenVersion}`);
            continue;
          }
          ack(rec, res.json, ui, `${op} ${n}${useIfMatch ? ` If-Match ${seenVersion}` : ''}`);
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
  let audited = 0;
  for (let ui = 0; ui < USERS; ui++) {
    const u = users[ui];
    const mine = [...records.entries()].filter(([, rec]) => rec.userIndex === ui);
    const expected = mine.reduce((n, [, rec]) => n + rec.acks.length + (rec.deleteAcked ? 1 : 0), 0);
    const events = (await waitForAudit(server, u, expected, { timeoutMs: 30_000 })).reverse();
    assert.equal(events.length, expected, `user ${ui}: audit rows = acknowledged writes`);
    assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, `user ${ui}: no duplicate event_id`);
    const byTask = new Map();
    for (const e of events) {
      assert.equal(e.user_id, u.user.id);
      if (!byTask.has(e.task_id)) byTask.set(e.task_id, []);
      byTask.get(e.task_id).push(e);
    }
    for (const [id, rec] of mine) {
      const evs = byTask.get(id) || [];
      const versions = evs.map((e) => e.task_version);
      const top = maxAck(rec).version;
      const want = Array.from({ length: top }, (_, i) => i + 1);
      if (rec.deleteAcked) want.push(top);
      // Commit order per user: a task's events appear in the order of its versions.
      assert.deepEqual(versions, want, `task ${id}: audit versions in commit order (${rec.log.join(', ')})`);
      assert.equal(evs[0].event_type, 'created');
      if (rec.deleteAcked) assert.equal(evs[evs.length - 1].event_type, 'deleted');
      for (const e of evs.slice(0, top)) {
        const acked = rec.acks.find((a) => a.version === e.task_version);
        assert.deepEqual(e.task_data, acked, `task ${id} v${e.task_version}: event snapshot = acknowledged answer`);
      }
      audited += evs.length;
    }
  }
  t.diagnostic(`ops ${JSON.stringify(counts)} in ${elapsed} ms; ${checked} surviving and ${deleted} deleted tasks verified; ${audited} audit events verified`);
  assert.ok(checked > 100, `checked ${checked} surviving tasks`);
  assert.ok(deleted > 10, `checked ${deleted} deleted tasks`);
  // A soft bound that still catches a server that serializes badly or stalls.
  assert.ok(elapsed < 120_000, `2 000 operations took ${elapsed} ms`);
});
