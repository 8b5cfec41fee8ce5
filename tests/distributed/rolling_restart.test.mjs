// Zero downtime, proven (issue 13, item 4): two api processes (PostgreSQL, each with its
// sidecar double) behind a real reverse proxy (HAProxy, haproxy.mjs) that health-checks
// /readyz as a Service does, and a rolling restart done as Kubernetes does it -- start a
// new process, wait until the proxy sends it traffic (ready), take an old one out of the
// endpoints, wait the preStop delay, SIGTERM it -- then a second rolling restart with
// SIGTERM at once, while the proxy still routes to the old process (2 replicas -> 2 new
// -> 2 newer), under a steady, open-loop load of TODO_ROLL_RATE operations/s (1 000) for
// TODO_ROLL_SECONDS (60). Asserted: no failed request (every answer the expected 2xx, no
// 5xx, no reset or refused connection), every SIGTERMed process exits 0 within its grace
// period, and the audit holds every acknowledged operation exactly once and in order
// (zero lost, zero doubled events). Latency p50/p99 before, during and after the restarts
// is printed, not asserted (a shared machine's speed is not the code's behaviour; the
// target, p99 < 100 ms, is reported in bench/RESULTS.md). Then the deploy pipeline's smoke
// test (scripts/deploy/smoke-test.mjs) runs through the same proxy.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { freePort, SidecarProcess } from '../dapr-double/client.mjs';
import { AppClient } from '../dapr-double/lib/app_client.mjs';
import { HaproxyProcess, KEEP_ALIVE_MS } from './haproxy.mjs';
import {
  API_APP_ID, assertClusterAudit, clusterOutput, DAPR, DEFAULT_APP_TOKEN, prng, publishedEvents,
  RoleProcess, signUpUsers, skipUnlessDapr, sleep, startCluster, waitForAuditRows,
} from './harness.mjs';

const envNum = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const RATE = envNum('TODO_ROLL_RATE', 1000);          // operations per second, open loop
const SECONDS = envNum('TODO_ROLL_SECONDS', 60);      // how long the load runs
const PRESTOP_MS = envNum('TODO_ROLL_PRESTOP_MS', 2000);  // the chart's preStop sleep, shortened
const CLIENTS = 100;                                  // users, each with sequential operations

let cluster;
let proxy;
const slots = [];  // slot i: {port, server, sidecar} or null (haproxy server s<i>)

before(async () => {
  if (!DAPR) return;
  cluster = await startCluster({ apiReplicas: 2 });
  // Slots 0 and 1 hold the cluster's replicas, 2 and 3 are where the first restart puts
  // the new processes; the second restart goes back to 0 and 1 (ports free again).
  for (const { server, sidecar } of cluster.apis) slots.push({ port: server.port, server, sidecar });
  slots.push({ port: await freePort() }, { port: await freePort() });
  proxy = new HaproxyProcess({ slots: slots.map((s) => s.port), enabled: 2, audit: cluster.audit.server.port });
  await proxy.start();
  await proxy.waitState('s0', 'UP');
  await proxy.waitState('s1', 'UP');
});
after(async () => {
  loadClient?.destroy();
  await proxy?.stop();
  // processes started here are in cluster.started too, so stopCluster ends them all
  await cluster?.stop();
});

// A new api "pod" in slot i: its sidecar double, then the process; once it is ready it
// joins the endpoints (the slot leaves maintenance) and, when the proxy's own /readyz
// check passed, gets traffic: that is when this resolves.
async function startPod(i, n) {
  const appId = `${API_APP_ID}-r${n}`;
  const sidecar = new SidecarProcess({ appId, logDir: cluster.logDir, args: ['--quiet'] });
  await sidecar.start();
  cluster.started.push(sidecar);
  const server = new RoleProcess({
    role: 'api', databaseUrl: cluster.db.url, port: slots[i].port, name: `api-r${n}`,
    env: { TODO_BUS: 'dapr', DAPR_HTTP_PORT: String(sidecar.daprPort), APP_API_TOKEN: DEFAULT_APP_TOKEN },
  });
  await server.start();
  cluster.started.push(server);
  await proxy.setState(`s${i}`, 'ready');
  await proxy.waitState(`s${i}`, 'UP');
  slots[i] = { ...slots[i], server, sidecar };
  cluster.apis.push({ server, sidecar });
}

// The old "pod" in slot i goes. As Kubernetes does it (endpointsFirst): out of the
// endpoints, the preStop delay, then SIGTERM -- nothing new reaches it by then. Without
// (the second restart): SIGTERM at once while the proxy still sends it requests, which
// it learns only from refused connections and its next /readyz check; then the server's
// own graceful stop is what keeps requests whole (in-flight ones finish, idle keep-alive
// connections close, the listener closes so the proxy retries elsewhere).
// TODO_ROLL_BREAK=sigkill replaces SIGTERM with SIGKILL: the test must then fail.
async function stopPod(i, { endpointsFirst }) {
  const { server, sidecar } = slots[i];
  if (endpointsFirst) {
    await proxy.setState(`s${i}`, 'maint');
    await sleep(PRESTOP_MS);  // the preStop hook's sleep: part of the behaviour under test
  }
  const exit = process.env.TODO_ROLL_BREAK === 'sigkill' ? await server.kill() : await server.stop();
  await sidecar.stop();
  await proxy.setState(`s${i}`, 'maint');  // the slot waits for the next restart
  cluster.apis = cluster.apis.filter((a) => a.server !== server);
  return { name: server.name, exit, output: server.output };
}

// The load's HTTP client: keep-alive connections to the proxy through the doubles' lean
// client (tests/dapr-double/lib/app_client.mjs). Not fetch(): undici's fetch cost this
// generator ~60 % of a core at 1 000 operations/s on these 2 cores, CPU taken from the
// processes under test, and its event-loop delay was counted as their latency (p99 130-690
// ms before, during and after the restarts alike; ~20-40 ms with this client). Errors
// (reset, refused, the 30 s timeout) reject, as fetch's did. A pooled connection is not
// reused once idle for a second less than the proxy's keep-alive timeout: one written on as
// the proxy closed it failed this test as ECONNRESET (5 requests in a CI run, as many again
// here with the proxy's timeout shortened to 300 ms; none with the client closing first).
let loadClient;
function request(method, path, payload, headers) {
  loadClient ??= new AppClient({ port: proxy.port, maxIdle: CLIENTS, idleTimeoutMs: Math.min(4000, KEEP_ALIVE_MS - 1000) });
  return loadClient.request(method, path, payload ?? null, headers, 30_000);
}

// One operation of client c (one user, sequential): create, PATCH, complete/un-complete,
// delete, chosen by a seeded PRNG, as tests/distributed/harness.mjs runWorkload does.
function makeClient(c, user, acked, failures) {
  const rnd = prng(1300 + c);
  const base = `/api/${user.user.id}/tasks`;
  const live = new Map();
  const api = async (method, path, body) => {
    const payload = body && JSON.stringify(body);
    const res = await request(method, path, payload, {
      authorization: `Bearer ${user.token}`, ...(payload ? { 'content-type': 'application/json' } : {}),
    });
    const text = res.body;
    return { status: res.status, json: text && String(res.headers['content-type']).includes('json') ? JSON.parse(text) : undefined, text };
  };
  let n = 0;
  return async () => {
    n++;
    let op = 'create';
    let id;
    if (live.size && rnd.next() >= 0.3) {
      const ids = [...live.keys()];
      id = ids[rnd.int(ids.length)];
      const r = rnd.next();
      op = r < 0.45 ? 'update' : r < 0.85 ? 'complete' : 'delete';
    }
    const ack = (task_id, type, version) => acked.push({ client: c, user: user.user.id, task_id, type, version });
    try {
      if (op === 'create') {
        const res = await api('POST', base, { title: `roll c${c} n${n}`, tags: [`c${c}`] });
        if (res.status !== 201) return failures.push({ c, op, status: res.status, text: res.text.slice(0, 200) });
        live.set(res.json.id, res.json);
        ack(res.json.id, 'created', res.json.version);
      } else if (op === 'update') {
        const res = await api('PATCH', `${base}/${id}`, { description: `n${n}` });
        if (res.status !== 200) return failures.push({ c, op, status: res.status, text: res.text.slice(0, 200) });
        live.set(id, res.json);
        ack(id, 'updated', res.json.version);
      } else if (op === 'complete') {
        const was = live.get(id).completed;
        const res = await api('PATCH', `${base}/${id}/complete`);
        if (res.status !== 200) return failures.push({ c, op, status: res.status, text: res.text.slice(0, 200) });
        live.set(id, res.json);
        ack(id, was ? 'updated' : 'completed', res.json.version);
      } else {
        const { version } = live.get(id);
        const res = await api('DELETE', `${base}/${id}`);
        if (res.status !== 204) return failures.push({ c, op, status: res.status, text: res.text.slice(0, 200) });
        live.delete(id);
        ack(id, 'deleted', version);
      }
    } catch (err) {
      // when (seconds into the load): before, during or after the restarts
      const at = Number(((performance.now() - loadStart) / 1000).toFixed(2));
      failures.push({ c, op, at, error: String(err?.code || err?.cause?.code || err?.message || err) });
    }
    return undefined;
  };
}

// Open-loop load: operations are scheduled at RATE/s whatever the answers; each client
// runs its own in order. Latency counts from the scheduled time, so time spent queued
// behind a slow answer is included (no coordinated omission).
let loadStart = 0;
function runLoad(clients, { rate, seconds }) {
  const samples = [];  // [scheduledAt, latencyMs]
  const queues = clients.map(() => []);
  const busy = clients.map(() => false);
  const t0 = performance.now();
  loadStart = t0;
  let issued = 0;
  let next = 0;
  const total = Math.round(rate * seconds);
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  let finished = 0;
  const pump = async (c) => {
    if (busy[c]) return;
    busy[c] = true;
    while (queues[c].length) {
      const at = queues[c].shift();
      await clients[c]();
      samples.push([at - t0, performance.now() - at]);
      if (++finished === total) resolveDone();
    }
    busy[c] = false;
  };
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; issued < due; issued++) {
      const c = next++ % clients.length;
      queues[c].push(t0 + (issued / rate) * 1000);
      pump(c);
    }
    if (issued >= total) clearInterval(timer);
  }, 5);
  return { t0, done: done.then(() => samples), issuedSoFar: () => issued };
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
function phaseStats(samples, from, to) {
  const xs = samples.filter(([at]) => at >= from && at < to).map(([, l]) => l).sort((a, b) => a - b);
  if (!xs.length) return 'no samples';
  return `${xs.length} ops, p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms, max ${xs[xs.length - 1].toFixed(1)} ms`;
}

test(`rolling restart of the api role twice behind HAProxy under ${RATE} ops/s: no failed request, no lost or doubled event`,
  { timeout: 900_000 }, async (t) => {
    if (skipUnlessDapr(t)) return;
    const users = await signUpUsers(cluster.api, CLIENTS, { concurrency: 8 });
    const acked = [];
    const failures = [];
    const clients = users.map((u, c) => makeClient(c, u, acked, failures));
    const load = runLoad(clients, { rate: RATE, seconds: SECONDS });
    const since = () => performance.now() - load.t0;
    // Some steady load first, then the two rolling restarts back to back, then load on
    // the new processes until the end.
    const warm = Math.min(10_000, (SECONDS * 1000) / 6);
    while (since() < warm) await sleep(50);
    const restartFrom = since();
    const stopped = [];
    let n = 0;
    // each a rolling restart of 2 replicas: the first as Kubernetes does it, the second
    // with SIGTERM straight away (see stopPod)
    for (const [from, to, endpointsFirst] of [[[0, 1], [2, 3], true], [[2, 3], [0, 1], false]]) {
      for (let k = 0; k < 2; k++) {
        await startPod(to[k], ++n);
        stopped.push(await stopPod(from[k], { endpointsFirst }));
      }
    }
    const restartTo = since();
    t.diagnostic(`restarts: ${(restartFrom / 1000).toFixed(1)} s to ${(restartTo / 1000).toFixed(1)} s of ${SECONDS} s`);
    assert.ok(restartTo < SECONDS * 1000, 'both rolling restarts happened while the load ran');
    const samples = await load.done;
    const end = SECONDS * 1000 + 1;
    // The first seconds are the start-up (connections opened, caches and the JIT cold):
    // reported on their own, so that "before" is the steady state the restarts are compared to.
    const startup = Math.min(3000, restartFrom / 2);
    t.diagnostic(`latency start-up (first ${(startup / 1000).toFixed(0)} s): ${phaseStats(samples, 0, startup)}`);
    t.diagnostic(`latency before: ${phaseStats(samples, startup, restartFrom)}`);
    t.diagnostic(`latency during: ${phaseStats(samples, restartFrom, restartTo)}`);
    t.diagnostic(`latency after:  ${phaseStats(samples, restartTo, end)}`);
    t.diagnostic(`load generator (this process): ${(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(1)} s CPU in all`);
    const achieved = samples.length / ((Math.max(...samples.map(([at, l]) => at + l))) / 1000);
    t.diagnostic(`${samples.length} operations, ${acked.length} acknowledged, ${failures.length} failed; ${achieved.toFixed(0)} ops/s completed`);

    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} requests failed during the rolling restarts`);
    for (const s of stopped) {
      assert.deepEqual(s.exit, { code: 0, signal: null }, `${s.name} exits 0 on SIGTERM`);
      assert.doesNotMatch(s.output, /grace period over/, `${s.name} finished its requests within the grace period`);
    }
    const ids = users.map((u) => u.user.id);
    const rows = await waitForAuditRows(cluster, ids, acked.length);
    assertClusterAudit(cluster, acked, rows);
    const pub = publishedEvents(cluster);
    t.diagnostic(`published ${pub.messages} messages, ${pub.distinct} distinct, ${pub.duplicates.length} published twice (${JSON.stringify(pub.byProducer)})`);
    assert.deepEqual(pub.violations.slice(0, 10), []);
  });

test('the deploy smoke test (scripts/deploy/smoke-test.mjs) passes through the proxy, and fails when the audit is down', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const run = promisify(execFile);
  const script = new URL('../../scripts/deploy/smoke-test.mjs', import.meta.url).pathname;
  const ok = await run(process.execPath, [script, proxy.url, '--timeout-s', '120']).catch((err) => err);
  assert.equal(ok.code ?? 0, 0, `smoke test failed:\n${ok.stdout}\n${ok.stderr}\n${clusterOutput(cluster)}`);
  assert.match(ok.stdout, /smoke: passed/);
  // The same script must be able to fail (it decides a rollback): with the audit
  // consumer's sidecar frozen, the task never reaches the audit.
  cluster.audit.sidecar.child.kill('SIGSTOP');
  try {
    const bad = await run(process.execPath, [script, proxy.url, '--timeout-s', '5']).catch((err) => err);
    assert.equal(bad.code, 1, `smoke test passed with the audit frozen:\n${bad.stdout}`);
    assert.match(bad.stderr, /the task is in the audit: not within 5 s/);
  } finally {
    cluster.audit.sidecar.child.kill('SIGCONT');
  }
});
