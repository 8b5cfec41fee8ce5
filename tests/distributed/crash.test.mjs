// The audit process is killed with SIGKILL while events flow and started again on its
// port; later its sidecar double is killed and restarted too (it continues from the
// offsets it persisted). Writes never notice; afterwards every acknowledged operation is
// audited exactly once, each client's in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertClusterAudit, auditCount, CLIENTS, OPS, redeliveries, runWorkload,
  signUpUsers, skipUnlessDapr, sleep, startCluster, waitForAuditRows, waitUntil,
} from './harness.mjs';

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

test('audit role SIGKILLed mid-run and restarted, then its sidecar double: zero loss, zero duplicates', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const clients = Math.min(40, CLIENTS);
  const perClient = Math.ceil(Math.min(OPS, 4000) / clients);
  const total = clients * perClient;
  const users = await signUpUsers(cluster.api, clients);
  const ids = users.map((u) => u.user.id);
  let acked = 0;
  const loadDone = runWorkload({ servers: [cluster.api], users, clients, perClient, seed: 11, onAck: () => { acked++; } });

  await waitUntil(() => acked >= total * 0.25, 'a quarter of the load', { timeoutMs: 300_000 });
  const auditedAtKill = await auditCount(cluster.db, ids);
  await cluster.audit.server.kill();
  assert.equal(cluster.audit.server.exit.signal, 'SIGKILL');
  const ackedAtKill = acked;
  await sleep(2000);  // events keep coming; deliveries fail and are retried
  await cluster.audit.server.start();  // same port, same database

  await waitUntil(() => acked >= total * 0.6, '60 % of the load', { timeoutMs: 300_000 });
  await cluster.audit.sidecar.kill();
  assert.equal(cluster.audit.sidecar.exit.signal, 'SIGKILL');
  await sleep(1000);
  await cluster.audit.sidecar.start({ waitSubscribed: true });

  const load = await loadDone;
  assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} writes failed while the audit side crashed`);
  const rows = await waitForAuditRows(cluster.db, ids, load.acked.length, { timeoutMs: 180_000 });
  assertClusterAudit(cluster, load.acked, rows);
  t.diagnostic(`${load.acked.length} operations; audit killed at ${ackedAtKill} acknowledged / ${auditedAtKill} audited;` +
    ` ${redeliveries(cluster)} events delivered successfully more than once (deduplicated by the audit)`);
});
