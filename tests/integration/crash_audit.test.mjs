// Crash safety of the event pipeline: writers create, update, complete and delete tasks;
// the server is SIGKILLed mid-load and restarted on the same data. Every acknowledged
// operation must then be in the audit trail exactly once; an operation in flight at the
// kill may appear (once) or not at all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitForAudit } from './audit_helpers.mjs';
import { sleep, startServer } from './harness.mjs';

const WRITERS = 8;
const LOAD_MS = 3000;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.cleanup(); });

test('every acknowledged operation is audited exactly once after SIGKILL', { timeout: 120_000 }, async (t) => {
  const users = [await server.signUp({ name: 'Crash A' }), await server.signUp({ name: 'Crash B' })];
  const acked = [];  // {userIndex, task_id, type, version}
  let killed = false;

  async function writer(w) {
    const ui = w % users.length;
    const u = users[ui];
    const base = `/api/${u.user.id}/tasks`;
    const call = async (method, path, body) => {
      const res = await server.api(method, path, { token: u.token, body });
      return res;
    };
    try {
      for (let n = 0; !killed; n++) {
        const created = await call('POST', base, { title: `w${w}-n${n}` });
        if (created.status !== 201) return;
        const id = created.json.id;
        acked.push({ userIndex: ui, task_id: id, type: 'created', version: 1 });
        const patched = await call('PATCH', `${base}/${id}`, { description: `n${n}` });
        if (patched.status !== 200) return;
        acked.push({ userIndex: ui, task_id: id, type: 'updated', version: patched.json.version });
        const done = await call('PATCH', `${base}/${id}/complete`);
        if (done.status !== 200) return;
        acked.push({ userIndex: ui, task_id: id, type: 'completed', version: done.json.version });
        if (n % 2 === 0) {
          const del = await call('DELETE', `${base}/${id}`);
          if (del.status !== 204) return;
          acked.push({ userIndex: ui, task_id: id, type: 'deleted', version: done.json.version });
        }
      }
    } catch {
      // connection refused or reset by the kill: this writer is done
    }
  }

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await sleep(LOAD_MS);
  killed = true;
  await server.kill();
  await Promise.all(writers);
  assert.equal(server.exit.signal, 'SIGKILL');
  assert.ok(acked.length > 100, `load was running: ${acked.length} operations acknowledged`);

  await server.start();
  let total = 0;
  for (let ui = 0; ui < users.length; ui++) {
    const mine = acked.filter((a) => a.userIndex === ui);
    const events = await waitForAudit(server, users[ui], mine.length, { timeoutMs: 20_000 });
    assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'no duplicate event_id');
    const key = (e) => `${e.task_id}/${e.type}/${e.version}`;
    const seen = new Map();
    for (const e of events) {
      const k = key({ task_id: e.task_id, type: e.event_type, version: e.task_version });
      seen.set(k, (seen.get(k) || 0) + 1);
    }
    for (const [k, n] of seen) assert.equal(n, 1, `operation ${k} audited ${n} times`);
    const missing = mine.filter((a) => !seen.has(key(a)));
    assert.deepEqual(missing, [], `user ${ui}: acknowledged operations missing from the audit`);
    // Anything else was in flight at the kill: at most one operation per writer.
    assert.ok(events.length - mine.length <= WRITERS, `user ${ui}: ${events.length - mine.length} unacknowledged events`);
    total += events.length;
  }
  t.diagnostic(`${acked.length} operations acknowledged before the kill; ${total} audit events after restart`);
  // The outbox drained: nothing is left waiting.
  const ready = await server.api('GET', '/readyz');
  assert.equal(ready.json.checks.outbox, 'ok');
  const metrics = (await server.api('GET', '/metrics')).text;
  assert.match(metrics, /^todo_outbox_pending 0$/m, 'no event left in the outbox');
});
