// The Dapr resources (dapr-components/) and Kafka topic manifests (deploy/kafka/): every
// YAML file parses cleanly, has the keys Dapr / Strimzi need, and names what the code and
// the sidecar double use by default (ARCHITECTURE.md §4): pubsub kafka-pubsub, topic
// task-events (6 partitions, 7-day retention), dead-letter topic task-events-dlq, route
// /dapr/task-events, the reminders topic and reminders-dlq (issue 10), app ids todo-api,
// todo-audit, todo-notification and todo-recurrence; build/todo (started with the Dapr bus) subscribes
// exactly as subscription.yaml says.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PARTITIONS as DOUBLE_PARTITIONS } from '../dapr-double/lib/log.mjs';
import { freePort, startServer } from './harness.mjs';
import { finder, loadYamlDocs } from './yaml_docs.mjs';

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
  // ARCHITECTURE.md §4: fired reminders, published by the notification role (keyed by user_id)
  reminders: 'reminders',
  remindersDlq: 'reminders-dlq',
  notificationApp: 'todo-notification',
};

// Every document of every file: {file, doc}. Parse errors and warnings fail here.
const DOCS = loadYamlDocs(['dapr-components', 'deploy/kafka']);
const { find, one } = finder(DOCS, assert);

// Go durations as Dapr reads them ("200ms", "5s", "1h30m").
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const metaMap = (component) => new Map((component.spec.metadata || []).map((m) => [m.name, m]));

test('every YAML file parses and every document names its apiVersion, kind and metadata.name', () => {
  const files = new Set(DOCS.map((d) => d.file));
  for (const f of ['dapr-components/kafka-pubsub.yaml', 'dapr-components/statestore.yaml', 'dapr-components/subscription.yaml',
    'dapr-components/resiliency.yaml', 'deploy/kafka/topics.yaml']) {
    assert.ok(files.has(f), `${f} exists and holds a document`);
  }
  for (const { file, doc } of DOCS) {
    assert.equal(typeof doc, 'object', `${file}: a mapping`);
    assert.match(String(doc.apiVersion), /^[a-z0-9.-]+\/v\d+(alpha\d+|beta\d+)?$/, `${file}: apiVersion`);
    assert.equal(typeof doc.kind, 'string', `${file}: kind`);
    assert.match(String(doc.metadata?.name), /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${file}: metadata.name is a DNS-1123 name`);
  }
  const names = DOCS.map((d) => `${d.doc.kind}/${d.doc.metadata.name}`);
  assert.equal(new Set(names).size, names.length, `no two resources share kind and name: ${names}`);
});

test('Dapr components: metadata entries are well formed, secrets only by secretKeyRef', () => {
  for (const { file, doc } of find('Component')) {
    assert.equal(doc.apiVersion, 'dapr.io/v1alpha1', file);
    assert.match(String(doc.spec?.type), /^[a-z]+\.[a-z0-9.]+$/, `${file}: spec.type`);
    assert.match(String(doc.spec?.version), /^v\d+$/, `${file}: spec.version`);
    assert.ok(Array.isArray(doc.spec.metadata) && doc.spec.metadata.length, `${file}: spec.metadata list`);
    const names = doc.spec.metadata.map((m) => m.name);
    assert.equal(new Set(names).size, names.length, `${file}: metadata names unique`);
    let secrets = 0;
    for (const m of doc.spec.metadata) {
      assert.equal(typeof m.name, 'string', `${file}: metadata entry without name`);
      const hasValue = 'value' in m;
      const hasRef = 'secretKeyRef' in m;
      assert.ok(hasValue !== hasRef, `${file}: ${m.name} has exactly one of value and secretKeyRef`);
      if (hasValue) assert.ok(['string', 'number', 'boolean'].includes(typeof m.value), `${file}: ${m.name} value is a scalar`);
      if (hasRef) {
        secrets++;
        assert.equal(typeof m.secretKeyRef.name, 'string', `${file}: ${m.name}.secretKeyRef.name`);
        assert.equal(typeof m.secretKeyRef.key, 'string', `${file}: ${m.name}.secretKeyRef.key`);
      }
      if (/password|secret|connectionstring|cert$|token|apikey/i.test(m.name)) {
        assert.ok(hasRef, `${file}: ${m.name} must come from a secret (secretKeyRef), not inline`);
      }
    }
    if (secrets) assert.equal(typeof doc.auth?.secretStore, 'string', `${file}: auth.secretStore names where secretKeyRefs are read`);
    for (const app of doc.scopes || []) assert.ok(DEFAULTS.apps.includes(app), `${file}: scope ${app} is one of ${DEFAULTS.apps}`);
  }
});

test('kafka-pubsub.yaml: pubsub.kafka with brokers, consumerGroup, authType, initialOffset oldest, SASL secrets', () => {
  const c = one('Component', DEFAULTS.pubsub);
  assert.equal(c.spec.type, 'pubsub.kafka');
  const m = metaMap(c);
  for (const name of ['brokers', 'consumerGroup', 'authType', 'initialOffset']) assert.ok(m.has(name), `metadata ${name}`);
  assert.match(String(m.get('brokers').value), /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'brokers is host:port[,host:port]');
  assert.equal(m.get('initialOffset').value, 'oldest');
  const auth = m.get('authType').value;
  assert.ok(['none', 'password', 'mtls', 'oidc'].includes(auth), `authType ${auth}`);
  if (auth === 'password') {
    for (const name of ['saslUsername', 'saslPassword']) assert.ok(m.get(name)?.secretKeyRef, `${name} by secretKeyRef`);
  }
  assert.ok(c.scopes.includes('todo-api') && c.scopes.includes(DEFAULTS.auditApp), 'scoped to the publisher and the audit consumer');
  assert.ok(c.scopes.includes(DEFAULTS.notificationApp), 'scoped to the notification role too: it consumes task-events and publishes reminders');
});

test('statestore.yaml: state.postgresql with the connection string from a secret', () => {
  const c = one('Component', 'statestore');
  assert.equal(c.spec.type, 'state.postgresql');
  const ref = metaMap(c).get('connectionString');
  assert.ok(ref?.secretKeyRef, 'connectionString by secretKeyRef');
});

test('subscription.yaml: task-events -> /dapr/task-events in bulk, with task-events-dlq, scoped to the audit app', () => {
  const s = one('Subscription');
  assert.equal(s.apiVersion, 'dapr.io/v2alpha1');
  assert.equal(s.spec.pubsubname, DEFAULTS.pubsub);
  assert.equal(s.spec.topic, DEFAULTS.topic);
  assert.equal(s.spec.routes?.default, DEFAULTS.route);
  assert.equal(s.spec.deadLetterTopic, DEFAULTS.dlq);
  assert.deepEqual(s.scopes, [DEFAULTS.auditApp]);
  // the same entry GET /dapr/subscribe of the audit role answers (the contract)
  const programmatic = { pubsubname: DEFAULTS.pubsub, topic: DEFAULTS.topic, route: DEFAULTS.route, deadLetterTopic: DEFAULTS.dlq, bulkSubscribe: DEFAULTS.bulkSubscribe };
  assert.deepEqual({ pubsubname: s.spec.pubsubname, topic: s.spec.topic, route: s.spec.routes.default, deadLetterTopic: s.spec.deadLetterTopic, bulkSubscribe: s.spec.bulkSubscribe }, programmatic);
  // the audit app may use the component it subscribes through
  assert.ok(one('Component', DEFAULTS.pubsub).scopes.includes(DEFAULTS.auditApp));
});

test('resiliency.yaml: timeouts, exponential retries and circuit breakers on outbound publish and inbound delivery', () => {
  const r = one('Resiliency');
  assert.equal(r.apiVersion, 'dapr.io/v1alpha1');
  const { timeouts = {}, retries = {}, circuitBreakers = {} } = r.spec?.policies || {};
  for (const [name, d] of Object.entries(timeouts)) assert.match(String(d), GO_DURATION, `timeout ${name}`);
  for (const [name, p] of Object.entries(retries)) {
    assert.ok(['constant', 'exponential'].includes(p.policy), `retry ${name}: policy`);
    if (p.policy === 'exponential') assert.match(String(p.maxInterval), GO_DURATION, `retry ${name}: maxInterval`);
    else assert.match(String(p.duration), GO_DURATION, `retry ${name}: duration`);
    assert.ok(Number.isInteger(p.maxRetries), `retry ${name}: maxRetries`);
  }
  for (const [name, cb] of Object.entries(circuitBreakers)) {
    assert.ok(Number.isInteger(cb.maxRequests) && cb.maxRequests >= 1, `breaker ${name}: maxRequests`);
    assert.match(String(cb.timeout), GO_DURATION, `breaker ${name}: timeout`);
    if (cb.interval !== undefined) assert.match(String(cb.interval), GO_DURATION, `breaker ${name}: interval`);
    assert.match(String(cb.trip), /^consecutiveFailures\s*(>=|>)\s*\d+$/, `breaker ${name}: trip`);
  }
  const target = r.spec?.targets?.components?.[DEFAULTS.pubsub];
  assert.ok(target, `targets.components.${DEFAULTS.pubsub}`);
  for (const dir of ['outbound', 'inbound']) {
    const t = target[dir];
    assert.ok(t, `${dir} policies`);
    assert.ok(t.timeout in timeouts, `${dir}.timeout names a timeout policy`);
    assert.ok(t.retry in retries, `${dir}.retry names a retry policy`);
    assert.ok(t.circuitBreaker in circuitBreakers, `${dir}.circuitBreaker names a breaker`);
    assert.equal(retries[t.retry].policy, 'exponential', `${dir} retries back off exponentially`);
  }
  // dead-lettering after the retries: inbound retries are bounded (then Dapr sends the
  // message to the subscription's deadLetterTopic)
  const inbound = retries[target.inbound.retry];
  assert.ok(inbound.maxRetries >= 1, 'inbound retries are bounded, so exhausted messages reach the dead-letter topic');
  assert.equal(one('Subscription').spec.deadLetterTopic, DEFAULTS.dlq);
  for (const app of r.scopes || []) assert.ok(DEFAULTS.apps.includes(app), `scope ${app}`);
});

test('deploy/kafka/topics.yaml: task-events (6 partitions, 7 days) and task-events-dlq as Strimzi KafkaTopics', () => {
  const topics = find('KafkaTopic');
  for (const { file, doc } of topics) {
    assert.match(doc.apiVersion, /^kafka\.strimzi\.io\/v1(beta2)?$/, `${file}: apiVersion`);
    assert.equal(typeof doc.metadata.labels?.['strimzi.io/cluster'], 'string', `${file}: strimzi.io/cluster label`);
    assert.ok(Number.isInteger(doc.spec?.partitions) && doc.spec.partitions >= 1, `${file}: partitions`);
    assert.ok(Number.isInteger(doc.spec?.replicas) && doc.spec.replicas >= 1, `${file}: replicas`);
  }
  const byTopic = new Map(topics.map(({ doc }) => [doc.spec.topicName || doc.metadata.name, doc]));
  const events = byTopic.get(DEFAULTS.topic);
  assert.ok(events, `KafkaTopic ${DEFAULTS.topic}`);
  assert.equal(events.spec.partitions, DEFAULTS.partitions);
  assert.equal(Number(events.spec.config?.['retention.ms']), DEFAULTS.retentionMs, 'retention.ms = 7 days');
  const dlq = byTopic.get(DEFAULTS.dlq);
  assert.ok(dlq, `KafkaTopic ${DEFAULTS.dlq}`);
  assert.ok(Number(dlq.spec.config?.['retention.ms']) >= DEFAULTS.retentionMs, 'the dead-letter topic is kept at least as long');
  // the sidecar double partitions like the real topic
  assert.equal(DOUBLE_PARTITIONS, events.spec.partitions, 'tests/dapr-double uses as many partitions as task-events has');
  // every topic the Dapr resources name exists
  const sub = one('Subscription');
  for (const t of [sub.spec.topic, sub.spec.deadLetterTopic]) assert.ok(byTopic.has(t), `topic ${t} has a KafkaTopic`);
});

test('deploy/kafka/topics.yaml: reminders (keyed by user_id like task-events: 6 partitions, 7 days) and reminders-dlq; every topic has its -dlq', () => {
  const byTopic = new Map(find('KafkaTopic').map(({ doc }) => [doc.spec.topicName || doc.metadata.name, doc]));
  const reminders = byTopic.get(DEFAULTS.reminders);
  assert.ok(reminders, `KafkaTopic ${DEFAULTS.reminders}`);
  assert.equal(reminders.metadata.name, DEFAULTS.reminders);
  assert.equal(reminders.spec.partitions, DEFAULTS.partitions, 'as many partitions as task-events (and the double)');
  assert.equal(Number(reminders.spec.config?.['retention.ms']), DEFAULTS.retentionMs, 'retention.ms = 7 days');
  assert.equal(reminders.metadata.labels['strimzi.io/cluster'], byTopic.get(DEFAULTS.topic).metadata.labels['strimzi.io/cluster'], 'in the same Kafka cluster');
  const dlq = byTopic.get(DEFAULTS.remindersDlq);
  assert.ok(dlq, `KafkaTopic ${DEFAULTS.remindersDlq}`);
  assert.ok(Number(dlq.spec.config?.['retention.ms']) >= Number(reminders.spec.config['retention.ms']), 'the dead-letter topic is kept at least as long');
  // ARCHITECTURE.md §4: dead-letter topics are <topic>-dlq, one for every topic
  for (const name of byTopic.keys()) {
    if (!name.endsWith('-dlq')) assert.ok(byTopic.has(`${name}-dlq`), `${name} has ${name}-dlq`);
    else assert.ok(byTopic.has(name.slice(0, -'-dlq'.length)), `${name} dead-letters a topic that exists`);
  }
});

// The running code agrees: build/todo with the Dapr bus and its default settings answers
// GET /dapr/subscribe with exactly the subscription the manifest declares (no grep of the
// sources, which a rename or a derived name would fool; no skip when something is missing).
test('build/todo\'s defaults are the names the manifests use: its GET /dapr/subscribe is subscription.yaml', async () => {
  const s = one('Subscription');
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
