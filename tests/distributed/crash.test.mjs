// The audit process is killed with SIGKILL while events flow and started again on its
// port; later its sidecar double is killed and restarted too (it continues from the
// offsets it persisted). Writes never notice; afterwards every acknowledged operation is
// audited exactly once, each client's in order.
//
// The interesting cases are made to happen, not hoped for: the audit process stays down
// until deliveries to it have failed (so they are retried), and the double is killed at a
// moment it has delivered events whose offsets it has not saved yet (so they come again,
// and the audit role must store them once). The test asserts both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loadOffsets } from '../dapr-double/lib/log.mjs';
import {
  assertClusterAudit, AUDIT_APP_ID, auditCount, CLIENTS, deliveryAttempts, OPS, runWorkload,
  signUpUsers, skipUnlessDapr, sleep, startCluster, successfulDeliveries, TOPIC, waitForAuditRows, waitUntil,
} from './harness.mjs';

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

const retried = async (sidecar) => (await sidecar.stats()).topics[TOPIC]?.retried ?? 0;

// Freezes the double (SIGSTOP: it can neither deliver nor save offsets while we look),
// and SIGKILLs it if its delivery log has successful deliveries at or past the offsets it
// saved: those must come again. Otherwise lets it run on a little and looks again.
// Returns the event ids that must be delivered again.
async function killWithUnsavedDeliveries(cluster, { timeoutMs = 120_000 } = {}) {
  const sidecar = cluster.audit.sidecar;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    process.kill(sidecar.child.pid, 'SIGSTOP');
    const saved = loadOffsets(cluster.logDir, AUDIT_APP_ID, TOPIC);
    const unsaved = deliveryAttempts(cluster)
      .filter((d) => d.topic === TOPIC && d.result === 'success' && d.id && d.offset >= (saved[d.partition]?.offset ?? 0));
    if (unsaved.length) {
      await sidecar.kill();  // SIGKILL ends a stopped process too
      return [...new Set(unsaved.map((d) => d.id))];
    }
    process.kill(sidecar.child.pid, 'SIGCONT');
    if (Date.now() > deadline) throw new Error('the audit double never had unsaved deliveries while events flowed');
    await sleep(10);
  }
}

test('audit role SIGKILLed mid-run and restarted, then its sidecar double: zero loss, zero duplicates', { timeout: 900_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const clients = Math.min(40, CLIENTS);
  const perClient = Math.ceil(Math.min(OPS, 4000) / clients);
  const total = clients * perClient;
  const users = await signUpUsers(cluster.api, clients);
  const ids = users.map((u) => u.user.id);
  const sidecar = cluster.audit.sidecar;
  let acked = 0;
  const loadDone = runWorkload({ servers: [cluster.api], users, clients, perClient, seed: 11, onAck: () => { acked++; } });

  await waitUntil(() => acked >= total * 0.25, 'a quarter of the load', { timeoutMs: 600_000 });
  const auditedAtKill = await auditCount(cluster.db, ids);
  const retriedBefore = await retried(sidecar);
  await cluster.audit.server.kill();
  assert.equal(cluster.audit.server.exit.signal, 'SIGKILL');
  const ackedAtKill = acked;
  // Down until deliveries to it have failed (events keep coming; they are to be retried).
  await waitUntil(async () => (await retried(sidecar)) > retriedBefore, 'failed deliveries to the killed audit role');
  const retriedWhileDown = (await retried(sidecar)) - retriedBefore;
  await cluster.audit.server.start();  // same port, same database

  await waitUntil(() => acked >= total * 0.6, '60 % of the load', { timeoutMs: 600_000 });
  const mustComeAgain = await killWithUnsavedDeliveries(cluster);
  assert.equal(sidecar.exit.signal, 'SIGKILL');
  // Down until more writes were acknowledged: their events wait in the log meanwhile.
  const ackedAtDoubleKill = acked;
  await waitUntil(() => acked >= Math.min(total, ackedAtDoubleKill + 50), 'writes while the audit double is down', { timeoutMs: 600_000 });
  await sidecar.start({ waitSubscribed: true });

  const load = await loadDone;
  assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} writes failed while the audit side crashed`);
  const rows = await waitForAuditRows(cluster, ids, load.acked.length);
  assertClusterAudit(cluster, load.acked, rows);
  // The events the killed double had delivered without saving were delivered again, and
  // (the audit above being exact) stored once.
  const successes = successfulDeliveries(cluster);
  const notAgain = mustComeAgain.filter((id) => (successes.get(id) ?? 0) < 2);
  assert.deepEqual(notAgain, [], `of ${mustComeAgain.length} events delivered before the double's kill but not saved, these did not come again`);
  t.diagnostic(`${load.acked.length} operations; audit killed at ${ackedAtKill} acknowledged / ${auditedAtKill} audited,` +
    ` ${retriedWhileDown} deliveries failed while it was down; double killed at ${ackedAtDoubleKill} acknowledged with` +
    ` ${mustComeAgain.length} delivered events not yet saved, each delivered again and stored once`);
});
