// The chart's workloads run: build/todo is started with exactly the args and environment
// each rendered Deployment (and the migration Job) gives its container — nothing inherited
// from this process, secretKeyRefs resolved to test values, DAPR_HTTP_PORT set as the Dapr
// injector sets it — against PostgreSQL. So a variable the binary requires and the chart
// forgets fails here (the binary refuses to start), as do wrong args. Each role then answers
// GET /dapr/subscribe exactly as the chart's declarative Subscriptions say, and serves the
// paths the Ingress sends it (a path routed to the wrong role would be its 404).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { CASES, render } from './chart.mjs';
import { BACKEND, BINARY, freePort, JWT_SECRET, waitUntil } from './harness.mjs';

const DB = process.env.TODO_TEST_DATABASE_URL;
const skip = BACKEND !== 'postgres' || !DB ? 'the roles run on PostgreSQL: runs in the PostgreSQL pass (TODO_TEST_BACKEND=postgres)' : false;

// The values of the Secrets the chart names (what `kubectl create secret` would hold).
const token = () => randomBytes(24).toString('base64url');
const SECRETS = {
  'todo-secrets/database-url': DB,
  'todo-secrets/jwt-secret': JWT_SECRET,
  'todo-app-api-token/token': token(),
  'todo-dapr-api-token/token': token(),
  // e-mail: a server nobody needs to reach (the roles only start here)
  'todo-smtp/url': 'smtp://mail.example.com:587',
  'todo-smtp/user': 'todo',
  'todo-smtp/password': token(),
};

// The container's environment as the kubelet would give it (only what the chart sets).
function containerEnv(container, extra = {}) {
  const env = {};
  for (const e of container.env || []) {
    if ('value' in e) env[e.name] = String(e.value);
    else {
      const ref = e.valueFrom.secretKeyRef;
      const value = SECRETS[`${ref.name}/${ref.key}`];
      assert.ok(value !== undefined, `${e.name}: the test knows no Secret ${ref.name} key ${ref.key}`);
      env[e.name] = value;
    }
  }
  return { ...env, ...extra };
}

// A concrete request for an Ingress regex path or an OpenAPI path template.
const probePath = (path) => path.replace(/\[\^\/\]\+/g, 'u_chart_probe').replace(/\{[^}]+\}/g, '1').replace(/\\/g, '');

// Starts one workload as its container would run; -> {name, base, env, stop()}.
async function startWorkload(deployment) {
  const c = deployment.spec.template.spec.containers[0];
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'todo-chart-'));
  // the pod's addresses become this machine's loopback; the data dir a temporary one
  const args = c.args.map((a, i) => (c.args[i - 1] === '--listen' ? `127.0.0.1:${port}` : c.args[i - 1] === '--data-dir' ? dataDir : a));
  const dapr = deployment.spec.template.metadata.annotations?.['dapr.io/enabled'] === 'true';
  const env = containerEnv(c, dapr ? { DAPR_HTTP_PORT: String(await freePort()) } : {});
  const child = spawn(BINARY, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const w = {
    name: deployment.metadata.name, dapr, env, base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`${w.name} exited ${child.exitCode}: ${stderr}`);
      try { return (await fetch(`${w.base}/readyz`)).status === 200; } catch { return false; }
    }, `${w.name} ready with the chart's environment`);
  } catch (e) {
    await w.stop();
    throw e;
  }
  return w;
}

const serves = async (w, method, path) => (await fetch(`${w.base}${probePath(path)}`, { method })).status !== 404;

for (const [caseName, c] of Object.entries({ doks: CASES['doks, declarative subscriptions, e-mail, ServiceMonitor'], single: CASES['minikube, single binary'] })) {
  test(`${caseName}: each Deployment starts with the chart's args and env, answers /dapr/subscribe as declared, and the Ingress sends every route to a role serving it`, { skip }, async (t) => {
    const docs = render(c).map((d) => d.doc);
    const ingress = docs.find((d) => d.kind === 'Ingress');
    const subscriptions = docs.filter((d) => d.kind === 'Subscription');
    const job = docs.find((d) => d.kind === 'Job');
    // the migration hook runs first, with its own environment only
    const jc = job.spec.template.spec.containers[0];
    const m = spawnSync(BINARY, jc.args, { env: containerEnv(jc), encoding: 'utf8' });
    assert.equal(m.status, 0, `todo ${jc.args.join(' ')}: ${m.stderr}`);
    const workloads = [];
    try {
      for (const d of docs.filter((x) => x.kind === 'Deployment')) workloads.push(await startWorkload(d));
      for (const w of workloads.filter((x) => x.dapr)) {
        const res = await fetch(`${w.base}/dapr/subscribe`, { headers: { 'dapr-api-token': w.env.APP_API_TOKEN } });
        const programmatic = res.status === 200 ? await res.json() : [];
        const declared = subscriptions.filter((s) => s.scopes.includes(w.name)).map((s) => ({
          pubsubname: s.spec.pubsubname, topic: s.spec.topic, route: s.spec.routes.default, deadLetterTopic: s.spec.deadLetterTopic, bulkSubscribe: s.spec.bulkSubscribe,
        }));
        const byTopic = (list) => [...list].sort((x, y) => x.topic.localeCompare(y.topic));
        assert.deepEqual(byTopic(programmatic), byTopic(declared), `${w.name}: GET /dapr/subscribe = the chart's Subscriptions scoped to it`);
      }
      if (caseName === 'doks') assert.ok(subscriptions.length >= 4, 'declarative subscriptions of audit, notification (task-events; reminders with e-mail on) and recurrence');
      // ingress-nginx regex paths: the longest match wins
      const paths = ingress.spec.rules.flatMap((r) => r.http.paths).sort((a, b) => b.path.length - a.path.length);
      const backend = (url) => paths.find((p) => (p.pathType === 'Prefix' ? url.startsWith(p.path) : new RegExp(`^${p.path}`).test(url))).backend.service.name;
      // every public route of the OpenAPI document reaches a role that serves it
      let doc;
      for (const w of workloads) {
        const res = await fetch(`${w.base}/openapi.json`);
        if (res.status === 200) { doc = await res.json(); break; }
      }
      assert.ok(doc?.paths, 'a role serves /openapi.json');
      let checked = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        const method = Object.keys(ops).find((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).toUpperCase();
        const servedBy = [];
        for (const w of workloads) if (await serves(w, method, path)) servedBy.push(w.name);
        if (!servedBy.length) continue;  // answered 404 everywhere (e.g. a lookup of a missing id)
        const target = backend(probePath(path));
        assert.ok(servedBy.includes(target), `${method} ${path}: the Ingress sends it to ${target}, but ${servedBy.join(', ')} serve(s) it`);
        checked++;
      }
      // routes for features this build does not serve yet (no OpenAPI path under them)
      const openapiUrls = Object.keys(doc.paths).map(probePath);
      for (const p of paths.filter((x) => x.path !== '/')) {
        if (!openapiUrls.some((u) => new RegExp(`^${p.path}`).test(u))) t.diagnostic(`${p.path} -> ${p.backend.service.name}: no route of this build under it yet`);
      }
      t.diagnostic(`${workloads.length} workloads ran; ${checked} OpenAPI routes reached a role serving them`);
      assert.ok(checked >= 10, `${checked} routes checked`);
    } finally {
      for (const w of workloads) await w.stop();
    }
  });
}

test('a chart that forgot a required variable would not start: without APP_API_TOKEN the audit role refuses', { skip }, async () => {
  const docs = render(CASES.doks).map((d) => d.doc);
  const audit = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'todo-audit');
  const c = audit.spec.template.spec.containers[0];
  c.env = c.env.filter((e) => e.name !== 'APP_API_TOKEN');
  const env = containerEnv(c, { DAPR_HTTP_PORT: String(await freePort()) });
  const r = spawnSync(BINARY, c.args.map((a) => (a.startsWith('0.0.0.0:') ? `127.0.0.1:${0}` : a)), { env, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /APP_API_TOKEN/);
});
