// The api role's sidecar fails mid-run: first it answers 500 (Kafka down), then it
// refuses connections (sidecar down), TODO_DIST_OUTAGE_MS in all (default 20 s, half
// each). Writes keep succeeding; the outbox holds the events (backlog on /metrics,
// /readyz degraded past its threshold) and drains once the sidecar is back: zero loss,
// zero duplicates, order kept. Also: a configuration error (unknown pubsub -> 404) is not
// retried in a tight loop.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readTopic } from '../dapr-double/lib/log.mjs';
import {
  assertClusterAudit, OUTAGE_MS, publishedEvents, publishRequests, runWorkload,
  signUpUsers, skipUnlessDapr, sleep, startCluster, TOPIC, waitForAuditRows, waitUntil,
} from './harness.mjs';

const READY_MAX_AGE_S = 5;

test(`publisher sidecar 500 then refusing connections for ${OUTAGE_MS / 1000} s mid-run: writes succeed, outbox drains, zero loss`, { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const cluster = await startCluster({ apiEnv: { TODO_OUTBOX_READY_MAX_AGE: String(READY_MAX_AGE_S) } });
  try {
    const sidecar = cluster.apis[0].sidecar;
    const api = cluster.api;
    const clients = 20;
    const users = await signUpUsers(api, clients);
    const ids = users.map((u) => u.user.id);
    let stop = false;
    let acked = 0;
    const loadDone = runWorkload({ servers: [api], users, clients, stop: () => stop, seed: 23, onAck: () => { acked++; } });

    // watch the api role during the outage
    const seen = { readyz: {}, maxPending: 0, pendingMetric: false };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          const r = await api.api('GET', '/readyz');
          const key = `${r.status} ${r.json?.status}`;
          seen.readyz[key] = (seen.readyz[key] || 0) + 1;
          const pending = await api.metric('todo_outbox_pending');
          if (pending !== undefined) {
            seen.pendingMetric = true;
            seen.maxPending = Math.max(seen.maxPending, pending);
          }
        } catch { /* keep watching */ }
        await sleep(500);
      }
    })();

    await sleep(3000);
    const s0 = await sidecar.stats();
    const ackedAtStart = acked;
    const outageStart = Date.now();
    await sidecar.fault({ publish: '500' });
    await sleep(OUTAGE_MS / 2);
    const s1 = await sidecar.stats();
    await sidecar.fault({ publish: 'refuse' });
    await sleep(OUTAGE_MS / 2);
    const s2 = await sidecar.stats();
    await sidecar.fault({ publish: 'ok' });
    const outageEnd = Date.now();
    const ackedDuringOutage = acked - ackedAtStart;
    await sleep(3000);
    const s3 = await sidecar.stats();
    stop = true;
    const load = await loadDone;
    assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} writes failed during the outage`);
    assert.ok(ackedDuringOutage > 100, `writes kept being acknowledged during the outage (${ackedDuringOutage})`);
    assert.equal(s2.topics[TOPIC].published, s1.topics[TOPIC].published, 'nothing was accepted while refusing');

    const rows = await waitForAuditRows(cluster.db, ids, load.acked.length, { timeoutMs: 180_000 });
    watching = false;
    await watcher;
    assertClusterAudit(cluster, load.acked, rows);
    // the backlog was visible, and is gone
    assert.ok(seen.pendingMetric, 'the api role exposes todo_outbox_pending');
    assert.ok(seen.maxPending > 0, 'the outbox held events during the outage');
    await waitUntil(async () => (await api.metric('todo_outbox_pending')) === 0, 'the outbox to drain', { timeoutMs: 60_000, pollMs: 200 });
    if (OUTAGE_MS / 2000 > READY_MAX_AGE_S + 2) {
      // degraded, yet still 200: the api keeps taking writes into the outbox
      assert.ok(seen.readyz['200 degraded'] > 0, `/readyz reported degraded during the outage: ${JSON.stringify(seen.readyz)}`);
    }
    assert.deepEqual(Object.keys(seen.readyz).filter((k) => !k.startsWith('200 ')), [], `/readyz stayed 200 during the outage: ${JSON.stringify(seen.readyz)}`);
    await waitUntil(async () => (await api.api('GET', '/readyz')).json?.status === 'ready', '/readyz ready again', { timeoutMs: 60_000, pollMs: 200 });

    // broker failures are retried with backoff, not in a tight loop
    const failedRequests = publishRequests(s1, 500) - publishRequests(s0, 500);
    assert.ok(failedRequests >= 1, 'the relay kept trying during the 500s');
    assert.ok(failedRequests < 20 * (OUTAGE_MS / 2000), `publish attempts during the 500s back off (${failedRequests} in ${OUTAGE_MS / 2} ms)`);
    // The publisher asks the sidecar's health endpoint only after calls that got no answer:
    // not while it answered 500 (it was up), but once it listens again after refusing.
    const probes = (st) => st.requests?.other?.[204] || 0;
    assert.equal(probes(s1) - probes(s0), 0, 'no health probes while the sidecar answered (500)');
    assert.ok(probes(s3) - probes(s2) >= 1, 'a health probe let publishing resume once the sidecar listened again');
    const pub = publishedEvents(cluster);
    t.diagnostic(`${load.acked.length} operations, ${ackedDuringOutage} acknowledged during the outage; backlog peaked at ${seen.maxPending};` +
      ` audit complete ${rows.reachedAt - outageEnd} ms after the sidecar came back; ${failedRequests} publish requests got 500;` +
      ` /readyz during the run ${JSON.stringify(seen.readyz)}; ${pub.duplicates.length} events published twice`);
    assert.ok(outageEnd - outageStart >= OUTAGE_MS);
  } finally {
    await cluster.stop();
  }
});

test('a configuration error (pubsub unknown to the sidecar -> 404) does not spin and does not block writes', { timeout: 120_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const cluster = await startCluster({ apiEnv: { TODO_PUBSUB_NAME: 'no-such-pubsub' } });
  try {
    const [u] = await signUpUsers(cluster.api, 1);
    for (let i = 0; i < 20; i++) {
      const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `cfg ${i}` } });
      assert.equal(res.status, 201, res.text);
    }
    const t0 = Date.now();
    await sleep(6000);
    const st = await cluster.apis[0].sidecar.stats();
    const notFound = publishRequests(st, 404);
    assert.ok(notFound >= 1, 'the relay tried to publish');
    assert.ok(notFound <= 30, `no tight retry loop on a 404 (${notFound} requests in ~${Date.now() - t0} ms)`);
    assert.equal(readTopic(cluster.logDir, TOPIC).length, 0, 'nothing published');
    t.diagnostic(`${notFound} publish requests answered 404 in ~6 s`);
  } finally {
    await cluster.stop();
  }
});
