// Two api replicas on one database, each with its own sidecar double, clients spread
// over both: they share one outbox, so no event may be published by both (counted in the
// shared log) and the audit holds exactly one row per operation, each client's in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertClusterAudit, CLIENTS, DAPR, OPS, publishedEvents, runWorkload,
  signUpUsers, startCluster, waitForAuditRows,
} from './harness.mjs';

let cluster;
// The audit role here takes one event per delivery (bulk subscribe off), so that path runs
// end to end too; every other file uses the default bulk deliveries.
before(async () => { cluster = await startCluster({ apiReplicas: 2, auditEnv: { TODO_DAPR_BULK_MAX_MESSAGES: '0' } }); });
after(async () => { await cluster?.stop(); });

test('two api replicas on one database: no event published twice, exactly one audit row each', { timeout: 600_000 }, async (t) => {
  const clients = Math.min(30, CLIENTS);
  const perClient = Math.ceil(Math.min(OPS, 3000) / clients);
  const servers = cluster.apis.map((a) => a.server);
  const users = await signUpUsers(servers[0], clients);
  const ids = users.map((u) => u.user.id);
  // client c goes through replica c % 2; a user's events are written by one replica but
  // may be relayed by either
  const load = await runWorkload({ servers, users, clients, perClient, seed: 61 });
  assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} writes failed`);
  const rows = await waitForAuditRows(cluster, ids, load.acked.length);
  assertClusterAudit(cluster, load.acked, rows);
  if (!DAPR) return;
  const pub = publishedEvents(cluster);
  const stats = await Promise.all(cluster.apis.map((a) => a.sidecar.stats()));
  t.diagnostic(`${load.acked.length} operations; published ${pub.messages} messages (${JSON.stringify(pub.byProducer)}),` +
    ` ${pub.distinct} distinct, ${pub.duplicates.length} published twice${pub.duplicates.length ? `: ${pub.duplicates.slice(0, 5).join(', ')}` : ''};` +
    ` publish requests per replica ${JSON.stringify(stats.map((s) => s.requests))}`);
  assert.deepEqual(pub.violations.slice(0, 10), []);
  assert.equal(pub.distinct, load.acked.length, 'every operation was published');
  assert.deepEqual(pub.duplicates, [], 'no event published by both replicas');
  const auditStats = (await cluster.audit.sidecar.stats()).topics['task-events'];
  assert.equal(auditStats.bulk_deliveries ?? 0, 0, 'bulk subscribe off: one event per delivery');
  assert.ok(auditStats.delivered >= load.acked.length);
});
