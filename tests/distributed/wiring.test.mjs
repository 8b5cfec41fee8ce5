// The distributed deployment starts and is wired as the contract says: a fresh database
// (dropped afterwards), each role alone with its ops endpoints, the audit role's
// subscription, the CloudEvents the api role publishes, the audit API on the audit role
// with tokens the api role issued.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkEvent } from '../integration/audit_helpers.mjs';
import {
  BASE_URL, clusterOutput, DEFAULT_APP_TOKEN, DAPR, DLQ, psql, publishedEvents, PUBSUB, ROUTE, skipUnlessDapr, startCluster,
  TOPIC, waitQuiet, waitUntil, walkPages,
} from './harness.mjs';

test('harness: fresh database, sidecar doubles and role processes start; the database is dropped after', { timeout: 600_000 }, async () => {
  const cluster = await startCluster();
  try {
    assert.equal((await psql(cluster.db.url, 'SELECT current_database()')).trim(), cluster.db.name);
    assert.equal((await psql(cluster.db.url, "SELECT to_regclass('audit_log') IS NOT NULL")).trim(), 't', 'migrations applied');
    for (const s of [cluster.apis[0].sidecar, cluster.audit.sidecar]) {
      assert.equal((await fetch(`${s.daprUrl}/v1.0/healthz`)).status, 204, `${s.opts.appId} double healthy`);
    }
    for (const server of [cluster.api, cluster.audit.server]) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const res = await server.api('GET', path);
        assert.equal(res.status, 200, `${server.name} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
      }
    }
    const stats = await cluster.audit.sidecar.stats();
    assert.equal(stats.consumer.ready, true);
  } catch (err) {
    err.message += `\n${clusterOutput(cluster)}`;
    throw err;
  } finally {
    await cluster.stop();
  }
  const left = await psql(BASE_URL, `SELECT count(*) FROM pg_database WHERE datname = '${cluster.db.name}'`);
  assert.equal(left.trim(), '0', 'database dropped');
});

describe('contract', () => {
  let cluster;
  before(async () => { cluster = await startCluster(); });
  after(async () => { await cluster?.stop(); });

  test('GET /dapr/subscribe on the audit role: task-events -> /dapr/task-events in bulk, dead letters to task-events-dlq', async (t) => {
    if (skipUnlessDapr(t)) return;
    const anonymous = await cluster.audit.server.api('GET', '/dapr/subscribe');
    assert.equal(anonymous.status, 401, 'the subscription list is the sidecar\'s, asked with its token');
    const res = await cluster.audit.server.api('GET', '/dapr/subscribe', { headers: { 'dapr-api-token': DEFAULT_APP_TOKEN } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), [{ pubsubname: PUBSUB, topic: TOPIC, route: ROUTE, deadLetterTopic: DLQ,
      bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 50 } }]);
    const stats = await cluster.audit.sidecar.stats();
    assert.deepEqual(stats.consumer.subscriptions.map((s) => [s.pubsubname, s.topic, s.route, s.deadLetterTopic]), [[PUBSUB, TOPIC, ROUTE, DLQ]]);
  });

  test('each operation is published as the contract\'s CloudEvent, audited once, and served by the audit role', { timeout: 600_000 }, async () => {
    const u = await cluster.api.signUp({ prefix: 'wire' });
    const base = `/api/${u.user.id}/tasks`;
    const writes = [];
    const t0 = Date.now();
    let res = await cluster.api.api('POST', base, { token: u.token, body: { title: 'wire', tags: ['x'] } });
    assert.equal(res.status, 201, res.text);
    writes.push({ type: 'created', task: res.json });
    const id = res.json.id;
    res = await cluster.api.api('PATCH', `${base}/${id}`, { token: u.token, body: { description: 'more' } });
    writes.push({ type: 'updated', task: res.json });
    res = await cluster.api.api('PATCH', `${base}/${id}/complete`, { token: u.token });
    writes.push({ type: 'completed', task: res.json });
    const before = res.json;
    res = await cluster.api.api('DELETE', `${base}/${id}`, { token: u.token });
    assert.equal(res.status, 204);
    writes.push({ type: 'deleted', task: before });
    const window = [t0, Date.now()];

    // the audit role serves the audit API, with the api role's token
    const audit = cluster.audit.server;
    await waitUntil(async () => (await walkPages(audit, u, `/api/${u.user.id}/audit`)).length >= 4, 'four audited events');
    await waitQuiet(cluster);  // nothing more on its way: a fifth event would be seen now
    const events = (await walkPages(audit, u, `/api/${u.user.id}/audit`)).reverse();
    assert.equal(events.length, 4, `4 events audited: ${JSON.stringify(events.map((e) => e.event_type))}\n${clusterOutput(cluster)}`);
    events.forEach((e, i) => checkEvent(e, { ...writes[i], user: u, window }, `event ${i}`));
    assert.equal((await audit.api('GET', `/api/${u.user.id}/audit`)).status, 401, 'no token -> 401 on the audit role');
    const other = await cluster.api.signUp({ prefix: 'wire-other' });
    assert.equal((await audit.api('GET', `/api/${u.user.id}/audit`, { token: other.token })).status, 403, 'another user -> 403 on the audit role');

    if (!DAPR) return;
    // what went through the sidecar: whole CloudEvents, keyed by user, data = the event
    const pub = publishedEvents(cluster);
    assert.deepEqual(pub.violations, [], 'published CloudEvents follow the contract');
    assert.deepEqual(pub.duplicates, []);
    const { readTopic } = await import('../dapr-double/lib/log.mjs');
    const mine = readTopic(cluster.logDir, TOPIC).filter((m) => m.key === u.user.id);
    assert.deepEqual(mine.map((m) => m.event.data), events, 'the published data is the audited event, in order');
    for (const m of mine) {
      assert.equal(m.contentType, 'application/cloudevents+json');
      assert.equal(m.event.partitionkey, u.user.id, 'the CloudEvent carries partitionkey too');
    }
  });
});
