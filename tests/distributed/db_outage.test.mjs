// The audit role when its database goes away: deliveries are answered RETRY (Dapr then
// redelivers), /readyz says not ready, nothing is lost or doubled, and once the database
// is back the same delivery is stored exactly once. The database is cut with a TCP proxy
// between the audit process and PostgreSQL (closing every connection, refusing new ones).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';

import { freePort } from '../dapr-double/client.mjs';
import { BASE_URL, createDatabase, DEFAULT_APP_TOKEN, psql, RoleProcess, ROUTE, skipUnlessDapr, sleep, sqlString, TOPIC } from './harness.mjs';

// A TCP proxy to PostgreSQL that can be cut and restored on the same port.
class CuttableProxy {
  constructor(target) {
    this.target = target;
    this.sockets = new Set();
  }
  async start(port) {
    this.port = port ?? (await freePort());
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise((res, rej) => this.server.listen(this.port, '127.0.0.1', res).once('error', rej));
  }
  async cut() {
    await new Promise((res) => { this.server.close(() => res()); for (const s of this.sockets) s.destroy(); });
  }
  restore() { return this.start(this.port); }
}

function delivery(userId) {
  const event = {
    event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: userId, task_id: 42,
    task_data: { id: 42, user_id: userId, title: 'written while the database was away', description: '', completed: false },
    schema_version: 1, task_version: 1,
  };
  return { event, body: JSON.stringify({ specversion: '1.0', id: event.event_id, source: 'todo-api', type: 'todo.task.created',
    datacontenttype: 'application/json', data: event, topic: TOPIC, pubsubname: 'kafka-pubsub' }) };
}

test('audit role with its database down: RETRY, not ready; stored exactly once when it is back', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const db = await createDatabase();
  const pg = new URL(BASE_URL);
  const proxy = new CuttableProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const audit = new RoleProcess({ role: 'audit', databaseUrl: viaProxy.href, env: { TODO_BUS: 'dapr', APP_API_TOKEN: DEFAULT_APP_TOKEN } });
  try {
    await audit.start();
    const deliver = (body) => audit.api('POST', ROUTE, { raw: body, headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': DEFAULT_APP_TOKEN } });
    const rows = async (id) => Number((await psql(db.url, `SELECT count(*) FROM audit_log WHERE event_id = ${sqlString(id)}`)).trim());

    const before = delivery('u_db_outage');
    const first = await deliver(before.body);
    assert.equal(first.json?.status, 'SUCCESS', first.text);

    await proxy.cut();
    const during = delivery('u_db_outage');
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await deliver(during.body);
      answers.push(`${res.status} ${res.json?.status}`);
    }
    assert.deepEqual(answers, ['200 RETRY', '200 RETRY', '200 RETRY'], 'a delivery the database cannot take is to be redelivered');
    // a bulk delivery: every valid entry RETRY (not DROP: the database is away, not refusing)
    const bulkEvents = [delivery('u_db_outage'), delivery('u_db_outage')];
    const bulkBody = JSON.stringify({ id: randomUUID(), topic: TOPIC, pubsubname: 'kafka-pubsub', type: 'com.dapr.event.sent.bulk', metadata: {},
      entries: [...bulkEvents.map((d, i) => ({ entryId: `e${i}`, event: JSON.parse(d.body), contentType: 'application/cloudevents+json', metadata: {} })),
        { entryId: 'poison', event: { specversion: '1.0', id: 'p', data: 42 }, contentType: 'application/cloudevents+json', metadata: {} }] });
    const bulk = await audit.api('POST', ROUTE, { raw: bulkBody, headers: { 'Content-Type': 'application/cloudevents-batch+json', 'dapr-api-token': DEFAULT_APP_TOKEN } });
    assert.equal(bulk.status, 200, bulk.text);
    assert.deepEqual(bulk.json, { statuses: [{ entryId: 'e0', status: 'RETRY' }, { entryId: 'e1', status: 'RETRY' }, { entryId: 'poison', status: 'DROP' }] });
    const ready = await audit.api('GET', '/readyz');
    assert.equal(ready.status, 503, `readyz while the database is away: ${ready.text}`);
    assert.equal(ready.json?.checks?.database, 'unreachable');
    assert.equal(await rows(during.event.event_id), 0, 'nothing was stored');

    await proxy.restore();
    let stored;
    const deadline = Date.now() + 120_000;  // a safety net for a busy machine
    do {  // the pool reconnects on its next use
      stored = await deliver(during.body);
      if (stored.json?.status === 'SUCCESS') break;
      await sleep(250);
    } while (Date.now() < deadline);
    assert.equal(stored.json?.status, 'SUCCESS', `after the database came back: ${stored.text}`);
    // Dapr may redeliver what it had already sent: still one row.
    assert.equal((await deliver(during.body)).json?.status, 'SUCCESS');
    assert.equal(await rows(during.event.event_id), 1);
    assert.equal(await rows(before.event.event_id), 1);
    const bulkAgain = await audit.api('POST', ROUTE, { raw: bulkBody, headers: { 'Content-Type': 'application/cloudevents-batch+json', 'dapr-api-token': DEFAULT_APP_TOKEN } });
    assert.deepEqual(bulkAgain.json?.statuses?.map((s) => s.status), ['SUCCESS', 'SUCCESS', 'DROP'], bulkAgain.text);
    for (const d of bulkEvents) assert.equal(await rows(d.event.event_id), 1);
    const metrics = (await audit.api('GET', '/metrics')).text;
    assert.match(metrics, /todo_dapr_deliveries_total\{outcome="retry"\} [3-9]/);
  } catch (err) {
    err.message += `\naudit output:\n${audit.output}`;
    throw err;
  } finally {
    await audit.stop();
    await proxy.cut().catch(() => {});
    await db.drop();
  }
});

// A database that refuses an event (here: a CHECK constraint the test adds; in life a
// value the schema cannot hold) is not a database that is away: retrying would stall the
// event's partition for good, so that event is dropped (to the dead-letter topic) and the
// others of its bulk are stored.
test('an event the database refuses is dropped, alone: the rest of its bulk is stored', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const db = await createDatabase();
  const audit = new RoleProcess({ role: 'audit', databaseUrl: db.url, env: { TODO_BUS: 'dapr', APP_API_TOKEN: DEFAULT_APP_TOKEN } });
  try {
    await audit.start();
    await psql(db.url, 'ALTER TABLE audit_log ADD CONSTRAINT test_refuses CHECK (task_id <> 424242)');
    const rows = async (id) => Number((await psql(db.url, `SELECT count(*) FROM audit_log WHERE event_id = ${sqlString(id)}`)).trim());
    const good = [delivery('u_refused'), delivery('u_refused')];
    const refused = delivery('u_refused');
    refused.event.task_id = 424242;
    const ce = (d) => ({ ...JSON.parse(d.body), data: d.event });
    const entries = [good[0], refused, good[1]].map((d, i) => ({ entryId: `e${i}`, event: ce(d), contentType: 'application/cloudevents+json', metadata: {} }));
    const res = await audit.api('POST', ROUTE, {
      raw: JSON.stringify({ id: randomUUID(), topic: TOPIC, pubsubname: 'kafka-pubsub', type: 'com.dapr.event.sent.bulk', metadata: {}, entries }),
      headers: { 'Content-Type': 'application/cloudevents-batch+json', 'dapr-api-token': DEFAULT_APP_TOKEN },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json?.statuses?.map((s) => `${s.entryId} ${s.status}`), ['e0 SUCCESS', 'e1 DROP', 'e2 SUCCESS']);
    assert.equal(await rows(good[0].event.event_id), 1);
    assert.equal(await rows(good[1].event.event_id), 1);
    assert.equal(await rows(refused.event.event_id), 0);
    // a single delivery of it: DROP too, not RETRY
    const single = await audit.api('POST', ROUTE, { raw: JSON.stringify(ce(refused)), headers: { 'Content-Type': 'application/cloudevents+json', 'dapr-api-token': DEFAULT_APP_TOKEN } });
    assert.equal(single.json?.status, 'DROP', single.text);
    assert.match((await audit.api('GET', '/metrics')).text, /todo_dapr_deliveries_total\{outcome="dropped"\} 2\n/);
  } catch (err) {
    err.message += `\naudit output:\n${audit.output}`;
    throw err;
  } finally {
    await audit.stop();
    await db.drop();
  }
});
