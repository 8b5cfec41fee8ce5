// The api role's sidecar fails mid-run: first it answers 500 (Kafka down), then it
// refuses connections (sidecar down), each at least half of TODO_DIST_OUTAGE_MS (default
// 20 s; at least 5 s each) and until writes were acknowledged meanwhile and, during the
// 500s, /readyz said degraded. Writes keep succeeding; the outbox holds the events (backlog on /metrics,
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
// Each half of the outage lasts at least this long: the publisher's longest pause between
// calls (the circuit breaker's 4 s at most, the relay's 500 ms backoff) fits in it, so it
// meets each fault. A property of the code's schedule, not of the machine's speed.
const HALF_MS = Math.max(OUTAGE_MS / 2, 5000);
const PER_PHASE_ACKS = 20;

test(`publisher sidecar 500 then refusing connections (at least ${(2 * HALF_MS) / 1000} s) mid-run: writes succeed, outbox drains, zero loss`, { timeout: 900_000 }, async (t) => {
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

    // Watch the api role throughout. A probe that fails (no answer, an error) is recorded
    // as such, never swallowed: /readyz must answer 200 all along.
    const seen = { readyz: {}, maxPending: 0, pendingMetric: false };
    const note = (key) => { seen.readyz[key] = (seen.readyz[key] || 0) + 1; };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          const r = await api.api('GET', '/readyz');
          note(`${r.status} ${r.json?.status}`);
        } catch (err) {
          note(`no answer: ${err?.cause?.code || err?.name || err}`);
        }
        try {
          const pending = await api.metric('todo_outbox_pending');
          if (pending !== undefined) {
            seen.pendingMetric = true;
            seen.maxPending = Math.max(seen.maxPending, pending);
          }
        } catch (err) {
          note(`/metrics failed: ${err?.message || err}`);
        }
        await sleep(200);
      }
    })();
    const phase = async (what, minMs, extra = () => true) => {
      const t0 = Date.now();
      const acked0 = acked;
      await waitUntil(async () => Date.now() - t0 >= minMs && acked - acked0 >= PER_PHASE_ACKS && (await extra()),
        `${what}: at least ${minMs} ms and ${PER_PHASE_ACKS} acknowledged writes`, { timeoutMs: 600_000, pollMs: 100 });
      return { ms: Date.now() - t0, acked: acked - acked0 };
    };

    await waitUntil(() => acked >= 50, 'the load to run');
    const s0 = await sidecar.stats();
    const outageStart = Date.now();
    await sidecar.fault({ publish: '500' });
    // Until /readyz has said degraded (the oldest event waited past READY_MAX_AGE_S), or
    // failed to answer 200 (then the assertions below say so at once).
    const probeFailed = () => Object.keys(seen.readyz).some((k) => !k.startsWith('200 '));
    const p500 = await phase('500s', HALF_MS, () => seen.readyz['200 degraded'] > 0 || probeFailed());
    const s1 = await sidecar.stats();
    await sidecar.fault({ publish: 'refuse' });
    const pRefuse = await phase('refused connections', HALF_MS);
    const s2 = await sidecar.stats();
    await sidecar.fault({ publish: 'ok' });
    const outageEnd = Date.now();
    // Publishing resumes through a health probe (the publisher asks /v1.0/healthz/outbound
    // after calls that got no answer), then more writes flow through.
    await waitUntil(async () => probes(await sidecar.stats()) > probes(s2), 'a health probe once the sidecar listens again');
    await phase('after the outage', 0);
    const s3 = await sidecar.stats();
    stop = true;
    const load = await loadDone;
    assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} writes failed during the outage`);
    assert.equal(s2.topics[TOPIC].published, s1.topics[TOPIC].published, 'nothing was accepted while refusing');

    const rows = await waitForAuditRows(cluster, ids, load.acked.length);
    watching = false;
    await watcher;
    assertClusterAudit(cluster, load.acked, rows);
    // the backlog was visible, and is gone
    assert.ok(seen.pendingMetric, 'the api role exposes todo_outbox_pending');
    assert.ok(seen.maxPending > 0, 'the outbox held events during the outage');
    assert.equal(await api.metric('todo_outbox_pending'), 0, 'the outbox drained');
    // degraded, yet still 200: the api keeps taking writes into the outbox
    assert.ok(seen.readyz['200 degraded'] > 0, `/readyz reported degraded during the outage: ${JSON.stringify(seen.readyz)}`);
    assert.deepEqual(Object.keys(seen.readyz).filter((k) => !k.startsWith('200 ')), [], `/readyz answered 200 all along: ${JSON.stringify(seen.readyz)}`);
    await waitUntil(async () => (await api.api('GET', '/readyz')).json?.status === 'ready', '/readyz ready again', { pollMs: 200 });

    // broker failures are retried with backoff, not in a tight loop (a bound on the rate,
    // measured over the phase's real length: a busy machine only lowers it)
    const failedRequests = publishRequests(s1, 500) - publishRequests(s0, 500);
    assert.ok(failedRequests >= 1, 'the relay kept trying during the 500s');
    assert.ok(failedRequests < 10 * (p500.ms / 1000) + 5, `publish attempts during the 500s back off (${failedRequests} in ${p500.ms} ms)`);
    // no health probes while the sidecar answered (500: it was up)
    assert.equal(probes(s1) - probes(s0), 0, 'no health probes while the sidecar answered (500)');
    const pub = publishedEvents(cluster);
    t.diagnostic(`${load.acked.length} operations; during the 500s ${p500.acked} acknowledged in ${p500.ms} ms, while refused ${pRefuse.acked} in ${pRefuse.ms} ms;` +
      ` backlog peaked at ${seen.maxPending}; audit complete ${rows.reachedAt - outageEnd} ms after the sidecar came back;` +
      ` ${failedRequests} publish requests got 500; ${probes(s3) - probes(s2)} health probes after it; /readyz during the run ${JSON.stringify(seen.readyz)};` +
      ` ${pub.duplicates.length} events published twice; outage ${outageEnd - outageStart} ms`);
  } finally {
    await cluster.stop();
  }
});

// Health probes the double answered (GET /v1.0/healthz[/outbound]: 204, counted as "other").
const probes = (st) => st.requests?.other?.[204] || 0;

test('a configuration error (pubsub unknown to the sidecar -> 404) does not spin and does not block writes', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const cluster = await startCluster({ apiEnv: { TODO_PUBSUB_NAME: 'no-such-pubsub' } });
  try {
    const [u] = await signUpUsers(cluster.api, 1);
    for (let i = 0; i < 20; i++) {
      const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: `cfg ${i}` } });
      assert.equal(res.status, 201, res.text);
    }
    const t0 = Date.now();
    const notFound = async () => publishRequests(await cluster.apis[0].sidecar.stats(), 404);
    await waitUntil(async () => (await notFound()) >= 2, 'the relay to try, and try again');
    // A window to measure the rate of retries in (not a wait for something to happen);
    // the bound is per second of the window's real length: a busy machine only lowers it.
    await sleep(5000);
    const n = await notFound();
    const ms = Date.now() - t0;
    assert.ok(n <= 5 * (ms / 1000) + 5, `no tight retry loop on a 404 (${n} requests in ${ms} ms)`);
    assert.equal(readTopic(cluster.logDir, TOPIC).length, 0, 'nothing published');
    t.diagnostic(`${n} publish requests answered 404 in ${ms} ms`);
  } finally {
    await cluster.stop();
  }
});
