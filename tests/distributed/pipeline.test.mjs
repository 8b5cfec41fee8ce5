// The whole pipeline under load: 10 000 operations from 100 concurrent clients (one user
// each) through the api role, its sidecar double, the shared log, the audit double and
// the audit role. Every acknowledged operation is audited exactly once, each user's in
// commit order; the commit -> audit-row latency p50/p99 is printed.
// TODO_DIST_OPS / TODO_DIST_CLIENTS shrink it for a quick local run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertAuditExact, auditLatencies, CLIENTS, clusterOutput, compareAudit, DAPR, OPS, publishedEvents,
  formatLatency, runWorkload, signUpUsers, startCluster, waitForAuditRows, walkPages,
} from './harness.mjs';

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

test(`${OPS} operations from ${CLIENTS} concurrent clients: audit rows = operations, no duplicates, per-user order`, { timeout: 900_000 }, async (t) => {
  const users = await signUpUsers(cluster.api, CLIENTS);
  const perClient = Math.ceil(OPS / CLIENTS);
  const load = await runWorkload({ servers: [cluster.api], users, clients: CLIENTS, perClient, seed: 7 });
  assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} operations failed`);
  assert.equal(load.acked.length, perClient * CLIENTS);
  const rate = (load.acked.length / (load.elapsedMs / 1000)).toFixed(0);

  const ids = users.map((u) => u.user.id);
  const rows = await waitForAuditRows(cluster, ids, load.acked.length);
  const cmp = compareAudit(load.acked, rows);
  try {
    assertAuditExact(cmp);
  } catch (err) {
    err.message += `\n${clusterOutput(cluster)}`;
    throw err;
  }
  const types = {};
  for (const a of load.acked) types[a.type] = (types[a.type] || 0) + 1;
  for (const type of ['created', 'updated', 'completed', 'deleted']) assert.ok(types[type] > 0, `${type} operations ran`);

  // the audit role serves the same trail through its API (a sample of users)
  for (const u of users.slice(0, 3)) {
    const items = await walkPages(cluster.audit.server, u, `/api/${u.user.id}/audit`);
    assert.equal(items.length, load.acked.filter((a) => a.user === u.user.id).length, `audit API of ${u.user.id}`);
  }

  const lines = [
    `${load.acked.length} operations (${JSON.stringify(types)}) from ${CLIENTS} clients in ${load.elapsedMs} ms = ${rate} ops/s;` +
      ` audit complete ${rows.reachedAt - Math.max(...load.acked.map((a) => a.at))} ms after the last answer (polled every 200 ms)`,
  ];
  if (DAPR) {
    const pub = publishedEvents(cluster);
    assert.deepEqual(pub.violations.slice(0, 10), [], 'published CloudEvents follow the contract');
    lines.push(`published ${pub.messages} messages, ${pub.distinct} distinct, ${pub.duplicates.length} published twice`);
    const lat = auditLatencies(cluster, rows);
    assert.ok(lat, 'latencies measured');
    lines.push(`commit -> audit row latency over ${lat.n} events: ${formatLatency(lat)}`);
    lines.push(`  of which commit -> published: ${formatLatency(lat.stages.publish)}`);
    lines.push(`  published -> delivery started: ${formatLatency(lat.stages.queue)}`);
    lines.push(`  delivery (audit role's answer): ${formatLatency(lat.stages.handle)}`);
    const st = await cluster.audit.sidecar.stats();
    lines.push(`audit double: ${JSON.stringify(st.topics['task-events'])}`);
    const { bulk_deliveries: bulks, delivered } = st.topics['task-events'];
    assert.ok(bulks > 0 && bulks < delivered, `the audit role took the events in bulk (${bulks} requests for ${delivered} events)`);
  }
  for (const l of lines) t.diagnostic(l);
});
