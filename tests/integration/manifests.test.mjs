// The Dapr resources and Kafka topics, wherever they live: the chart's (charts/todo-platform,
// rendered like `helm template`) name what the code and the sidecar double use by default
// (ARCHITECTURE.md §4): pubsub kafka-pubsub, topic task-events (6 partitions, 7-day
// retention), dead-letter topic task-events-dlq, route /dapr/task-events, the reminders topic
// and reminders-dlq, app ids todo-<role>; dapr-components/ (the local `dapr run` set) is
// exactly what scripts/gen-dapr-components.mjs makes from the chart; dapr.yaml (the multi-app
// run file) runs every role of build/todo under the chart's app ids; build/todo (started with
// the Dapr bus) subscribes exactly as the chart's Subscription says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { parse } from 'yaml';

import { generate } from '../../scripts/gen-dapr-components.mjs';
import { PARTITIONS as DOUBLE_PARTITIONS } from '../dapr-double/lib/log.mjs';
import { CASES, render } from './chart.mjs';
import { BINARY, freePort, startServer } from './harness.mjs';
import { finder, loadYamlDocs, ROOT } from './yaml_docs.mjs';

export const DEFAULTS = {
  pubsub: 'kafka-pubsub',
  topic: 'task-events',
  dlq: 'task-events-dlq',
  route: '/dapr/task-events',
  // --dapr-bulk-max-messages / --dapr-bulk-await-ms defaults (src/config/config.hpp)
  bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 50 },
  partitions: 6,
  retentionMs: 7 * 24 * 3600 * 1000,
  apps: ['todo-api', 'todo-audit', 'todo-notification', 'todo-recurrence'],
  auditApp: 'todo-audit',
  reminders: 'reminders',
  remindersDlq: 'reminders-dlq',
  notificationApp: 'todo-notification',
};

// doks with declarative subscriptions, plus minikube's Strimzi topics
const CHART = [...render(CASES['doks, declarative subscriptions, e-mail, ServiceMonitor']), ...render(CASES.minikube).filter((d) => d.doc.kind === 'KafkaTopic')];
const { find, one } = finder(CHART, assert);
const LOCAL = loadYamlDocs(['dapr-components']);

test('dapr-components/ is what scripts/gen-dapr-components.mjs makes from the chart (no second source of truth)', () => {
  const expected = generate();
  for (const [file, text] of Object.entries(expected)) {
    const path = join(ROOT, 'dapr-components', file);
    assert.ok(existsSync(path), `dapr-components/${file} exists`);
    assert.equal(readFileSync(path, 'utf8'), text, `dapr-components/${file} differs from the chart: run node scripts/gen-dapr-components.mjs`);
  }
  const files = new Set(LOCAL.map((d) => d.file.replace('dapr-components/', '')));
  for (const f of files) assert.ok(f in expected, `dapr-components/${f} is generated (nothing hand-written beside the chart)`);
  // the local pub/sub has no secret to read (no secret store outside Kubernetes)
  const pubsub = LOCAL.find((d) => d.doc.kind === 'Component').doc;
  assert.ok(pubsub.spec.metadata.every((m) => !m.secretKeyRef) && !pubsub.auth, 'local: no secretKeyRefs');
  assert.deepEqual(pubsub.scopes, DEFAULTS.apps);
});

test('the chart\'s pub/sub, subscriptions and resiliency use the code\'s default names', () => {
  const pubsub = one('Component', DEFAULTS.pubsub);
  assert.equal(pubsub.spec.type, 'pubsub.kafka');
  const meta = new Map(pubsub.spec.metadata.map((m) => [m.name, m]));
  assert.equal(meta.get('initialOffset').value, 'oldest');
  assert.match(String(meta.get('brokers').value), /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
  for (const name of ['saslUsername', 'saslPassword']) assert.ok(meta.get(name)?.secretKeyRef, `${name} by secretKeyRef`);
  assert.deepEqual([...pubsub.scopes].sort(), DEFAULTS.apps);
  const subs = find('Subscription').map((d) => d.doc).filter((s) => s.spec.topic === DEFAULTS.topic);
  assert.deepEqual(subs.flatMap((s) => s.scopes).sort(), ['todo-audit', 'todo-notification', 'todo-recurrence']);
  // with e-mail on, the notification role also takes reminders (ARCHITECTURE.md §4), dead letters to reminders-dlq
  const reminders = find('Subscription').map((d) => d.doc).filter((s) => s.spec.topic === DEFAULTS.reminders);
  assert.deepEqual(reminders.map((s) => [s.scopes, s.spec.routes.default, s.spec.deadLetterTopic]), [[[DEFAULTS.notificationApp], '/dapr/reminders', DEFAULTS.remindersDlq]]);
  for (const s of subs) {
    assert.deepEqual({ pubsubname: s.spec.pubsubname, topic: s.spec.topic, route: s.spec.routes.default, deadLetterTopic: s.spec.deadLetterTopic, bulkSubscribe: s.spec.bulkSubscribe },
      { pubsubname: DEFAULTS.pubsub, topic: DEFAULTS.topic, route: DEFAULTS.route, deadLetterTopic: DEFAULTS.dlq, bulkSubscribe: DEFAULTS.bulkSubscribe });
  }
  const r = one('Resiliency');
  const target = r.spec.targets.components[DEFAULTS.pubsub];
  const { retries } = r.spec.policies;
  assert.equal(retries[target.inbound.retry].policy, 'exponential');
  assert.ok(retries[target.inbound.retry].maxRetries >= 1, 'inbound retries are bounded, so exhausted messages reach the dead-letter topic');
});

test('the chart\'s Strimzi topics: every topic the resources name exists, with its -dlq; the sidecar double partitions like task-events', () => {
  const byTopic = new Map(find('KafkaTopic').map(({ doc }) => [doc.spec.topicName, doc]));
  for (const t of [DEFAULTS.topic, DEFAULTS.dlq, DEFAULTS.reminders, DEFAULTS.remindersDlq]) assert.ok(byTopic.has(t), `KafkaTopic ${t}`);
  assert.equal(byTopic.get(DEFAULTS.topic).spec.partitions, DEFAULTS.partitions);
  assert.equal(Number(byTopic.get(DEFAULTS.topic).spec.config['retention.ms']), DEFAULTS.retentionMs);
  assert.equal(DOUBLE_PARTITIONS, byTopic.get(DEFAULTS.topic).spec.partitions, 'tests/dapr-double uses as many partitions as task-events has');
  for (const s of find('Subscription').map((d) => d.doc)) {
    for (const t of [s.spec.topic, s.spec.deadLetterTopic]) assert.ok(byTopic.has(t), `topic ${t} has a KafkaTopic`);
  }
  for (const name of byTopic.keys()) {
    if (!name.endsWith('-dlq')) assert.ok(byTopic.has(`${name}-dlq`), `${name} has ${name}-dlq`);
  }
});

test('dapr.yaml runs every role of build/todo under the chart\'s app ids, on the generated resources', () => {
  const run = parse(readFileSync(join(ROOT, 'dapr.yaml'), 'utf8'));
  assert.equal(run.version, 1);
  const resources = run.common?.resourcesPath || run.common?.resourcesPaths?.[0];
  assert.equal(resources, './dapr-components');
  const help = execFileSync(BINARY, ['serve', '--help'], { encoding: 'utf8' });
  const roles = /--role TEXT:\{([^}]*)\}/.exec(help)[1].split(',').map((r) => r.trim()).filter((r) => r !== 'all');
  const known = new Set([...help.matchAll(/\(Env:([A-Z0-9_]+)\)/g)].map((m) => m[1]));
  const chartIds = find('Deployment').map((d) => d.doc.metadata.name).sort();
  assert.deepEqual(run.apps.map((a) => a.appID).sort(), chartIds, 'the app ids of the chart');
  const ports = new Set();
  for (const app of run.apps) {
    const cmd = app.command.join(' ');
    assert.equal(`todo-${/--role=(\S+)/.exec(cmd)?.[1]}`, app.appID, `${app.appID} runs its role`);
    assert.equal(Number(/--listen \S+:(\d+)/.exec(cmd)?.[1]), app.appPort, `${app.appID}: the sidecar calls the port the app listens on`);
    ports.add(app.appPort);
    for (const name of Object.keys({ ...run.common.env, ...app.env })) assert.ok(known.has(name), `${app.appID}: ${name} is read by build/todo`);
    for (const v of Object.values({ ...run.common.env, ...app.env })) assert.doesNotMatch(String(v), /secret|password/i, 'no secret in the file');
  }
  assert.equal(ports.size, run.apps.length, 'one port per app');
  assert.deepEqual(run.apps.map((a) => /--role=(\S+)/.exec(a.command.join(' '))[1]).sort(), roles.sort(), 'every distributed role');
});

// The running code agrees: build/todo with the Dapr bus and its default settings answers
// GET /dapr/subscribe with exactly the audit role's Subscription in the chart.
test('build/todo\'s defaults are the names the chart uses: its GET /dapr/subscribe is the chart\'s Subscription', async () => {
  const s = find('Subscription').map((d) => d.doc).find((x) => x.scopes.includes(DEFAULTS.auditApp));
  const declared = { pubsubname: s.spec.pubsubname, topic: s.spec.topic, route: s.spec.routes.default, deadLetterTopic: s.spec.deadLetterTopic, bulkSubscribe: s.spec.bulkSubscribe };
  const token = 'manifests-test-app-token-5d1e8c27b9f4a063';  // random enough for the start-up check
  // SQLite, role all: the one process that both publishes and takes deliveries. No
  // sidecar is needed to answer /dapr/subscribe (DAPR_HTTP_PORT points nowhere useful).
  const server = await startServer({
    env: { DATABASE_URL: '', TODO_BUS: 'dapr', APP_API_TOKEN: token, DAPR_HTTP_PORT: String(await freePort()), TODO_PUBSUB_NAME: '', TODO_TOPIC: '' },
  });
  try {
    const res = await server.api('GET', '/dapr/subscribe', { headers: { 'dapr-api-token': token } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [declared]);
  } finally {
    await server.cleanup();
  }
});
