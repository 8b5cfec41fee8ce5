// Delivery semantics end to end: every event delivered twice (one after the other, then
// two copies at once) still makes one audit row; poison events go to task-events-dlq and
// the events behind them keep flowing; with APP_API_TOKEN set, deliveries without the
// right dapr-api-token are rejected (401) and write nothing; a bulk delivery gets a status
// per entry.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { readTopic } from '../dapr-double/lib/log.mjs';
import {
  assertAuditExact, auditCount, clusterOutput, compareAudit, DLQ, psql, publishRequests, ROUTE, runWorkload,
  signUpUsers, skipUnlessDapr, sqlString, startCluster, TOPIC, waitForAuditRows, waitUntil,
} from './harness.mjs';

async function withCluster(options, fn) {
  const cluster = await startCluster(options);
  try {
    await fn(cluster);
  } catch (err) {
    err.message += `\n${clusterOutput(cluster)}`;
    throw err;
  } finally {
    await cluster.stop();
  }
}

test('every event delivered twice: still exactly one audit row each', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  await withCluster({}, async (cluster) => {
    const sidecar = cluster.audit.sidecar;
    const clients = 20;
    const users = await signUpUsers(cluster.api, clients);
    const ids = users.map((u) => u.user.id);
    await sidecar.duplicate(true);  // second copy after the first succeeded
    const first = await runWorkload({ servers: [cluster.api], users, clients, perClient: 50, seed: 31 });
    await waitForAuditRows(cluster, ids, first.acked.length);  // quiet: every copy answered
    await sidecar.duplicate(true, true);  // both copies at once: the audit's dedupe races itself
    const second = await runWorkload({ servers: [cluster.api], users, clients, perClient: 50, seed: 32 });
    const acked = [...first.acked, ...second.acked];
    assert.deepEqual([...first.failures, ...second.failures].slice(0, 10), []);
    // Quiet (every copy delivered and answered), so a copy stored twice would be here.
    const rows = await waitForAuditRows(cluster, ids, acked.length);
    // the two phases ran one after the other, so their order holds across the whole list
    assertAuditExact(compareAudit(acked, rows));
    const st = await sidecar.stats();
    assert.ok(st.topics[TOPIC].duplicated >= acked.length, `every event went twice (${st.topics[TOPIC].duplicated} duplicates for ${acked.length} events)`);
    t.diagnostic(`${acked.length} operations, ${st.topics[TOPIC].delivered} successful deliveries, ${rows.length} audit rows`);
  });
});

test('poison events go to task-events-dlq; the events behind them keep flowing', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  await withCluster({}, async (cluster) => {
    const sidecar = cluster.audit.sidecar;
    const clients = 10;
    const users = await signUpUsers(cluster.api, clients);
    const ids = users.map((u) => u.user.id);
    const victim = users[0].user.id;  // the poison shares this user's partition key
    const before = await runWorkload({ servers: [cluster.api], users, clients, perClient: 20, seed: 41 });

    const valid = (over = {}) => ({
      event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: victim,
      task_id: 999_999_999, task_data: { title: 'poison' }, schema_version: 1, task_version: 1, ...over,
    });
    const ce = (id, data) => ({ specversion: '1.0', id, source: 'todo-api', type: 'todo.task.created', datacontenttype: 'application/json', data });
    const poisons = [
      { name: 'missing fields', cloudevent: ce('poison-missing', { event_id: randomUUID(), user_id: victim }) },
      { name: 'wrong types', cloudevent: ce('poison-types', valid({ task_id: 'forty-two', task_version: -1 })) },
      { name: 'unknown event_type', cloudevent: ce('poison-type', valid({ event_type: 'exploded' })) },
      { name: 'data not an object', cloudevent: ce('poison-string', 'garbage') },
      { name: 'body not JSON', raw: '{"event_id": oops', contentType: 'application/json' },
    ];
    for (const p of poisons) {
      await sidecar.inject({ topic: TOPIC, partitionKey: victim, ...(p.cloudevent ? { cloudevent: p.cloudevent } : { raw: p.raw, contentType: p.contentType }) });
    }
    const after = await runWorkload({ servers: [cluster.api], users, clients, perClient: 20, seed: 42 });
    const acked = [...before.acked, ...after.acked];
    assert.deepEqual([...before.failures, ...after.failures].slice(0, 10), []);
    const rows = await waitForAuditRows(cluster, ids, acked.length);
    assertAuditExact(compareAudit(acked, rows), 'audit around the poison');
    await waitUntil(() => readTopic(cluster.logDir, DLQ).length >= poisons.length, 'the poison in the dead-letter topic', { pollMs: 200 });
    const dlq = readTopic(cluster.logDir, DLQ);
    assert.equal(dlq.length, poisons.length, `exactly the poison is dead-lettered: ${JSON.stringify(dlq.map((m) => m.deadLetter))}`);
    const dlqIds = dlq.map((m) => (m.raw ? m.event : m.event.id)).sort();
    assert.deepEqual(dlqIds, poisons.map((p) => p.cloudevent?.id ?? p.raw).sort());
    for (const m of dlq) assert.equal(m.key, victim, 'dead letters keep their partition key');
    const written = await psql(cluster.db.url, `SELECT count(*) FROM audit_log WHERE task_id = 999999999 OR event_id IN (${poisons.filter((p) => p.cloudevent?.data?.event_id).map((p) => sqlString(p.cloudevent.data.event_id)).join(',')})`);
    assert.equal(written.trim(), '0', 'no poison reached the audit');
    const st = await sidecar.stats();
    assert.equal(st.topics[TOPIC].dead_lettered, poisons.length);
    t.diagnostic(`dead-lettered: ${dlq.map((m) => `${m.raw ? 'raw' : m.event.id} (${m.deadLetter.reason})`).join(', ')}`);
  });
});

test('APP_API_TOKEN: deliveries without the right dapr-api-token get 401 and write nothing', { timeout: 600_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const appToken = `app-${randomUUID()}`;
  const daprToken = `dapr-${randomUUID()}`;
  await withCluster({ appApiToken: appToken, daprApiToken: daprToken }, async (cluster) => {
    // the normal path works with both tokens: api -> its sidecar (DAPR_API_TOKEN), sidecar -> audit (APP_API_TOKEN)
    const users = await signUpUsers(cluster.api, 3);
    const ids = users.map((u) => u.user.id);
    const load = await runWorkload({ servers: [cluster.api], users, clients: 3, perClient: 20, seed: 51 });
    assert.deepEqual(load.failures, []);
    assertAuditExact(compareAudit(load.acked, await waitForAuditRows(cluster, ids, load.acked.length)));
    const apiStats = await cluster.apis[0].sidecar.stats();
    assert.equal(publishRequests(apiStats, 401), 0, 'the api role sends DAPR_API_TOKEN to its sidecar');

    const u = users[0];
    const event = {
      event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: u.user.id, task_id: 123_456_789,
      task_data: { id: 123_456_789, user_id: u.user.id, title: 'forged', description: '', completed: false, priority: 'medium', tags: [] },
      schema_version: 1, task_version: 1,
    };
    const body = { specversion: '1.0', id: event.event_id, source: 'todo-api', type: 'todo.task.created', datacontenttype: 'application/json',
      data: event, topic: TOPIC, pubsubname: 'kafka-pubsub' };
    const deliver = (headers) => cluster.audit.server.api('POST', ROUTE, {
      raw: JSON.stringify(body), headers: { 'Content-Type': 'application/cloudevents+json', ...headers },
    });
    const before = await auditCount(cluster.db, ids);
    for (const [what, headers] of [['missing', {}], ['wrong', { 'dapr-api-token': 'not-the-token' }],
      ['the sidecar\'s own token', { 'dapr-api-token': daprToken }], ['empty', { 'dapr-api-token': '' }]]) {
      const res = await deliver(headers);
      assert.equal(res.status, 401, `${what} token -> 401, got ${res.status} ${res.text.slice(0, 200)}`);
    }
    // The answers were final; and should a refused delivery write later after all, the
    // exact count after the accepted one below would show it.
    assert.equal(await auditCount(cluster.db, ids), before, 'nothing written');
    assert.equal((await psql(cluster.db.url, `SELECT count(*) FROM audit_log WHERE event_id = ${sqlString(event.event_id)}`)).trim(), '0');

    // control: the same delivery with the right token is taken
    const ok = await deliver({ 'dapr-api-token': appToken });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(JSON.parse(ok.text).status, 'SUCCESS');
    assert.equal((await psql(cluster.db.url, `SELECT count(*) FROM audit_log WHERE event_id = ${sqlString(event.event_id)}`)).trim(), '1');
    assert.equal(await auditCount(cluster.db, ids), before + 1, 'only the accepted delivery wrote');

    // Bulk subscribe (Dapr's envelope): a status per entry, the valid events stored in the
    // entries' order, poison dropped; events large enough that the bulk passes 1 MiB (the
    // client body limit) must still be taken, or the partition would stall for good.
    const big = 'é'.repeat(10_000);  // the longest description: 20 000 bytes
    const good = Array.from({ length: 60 }, (_, i) => ({
      ...event, event_id: randomUUID(), task_id: 123_456_000 + i,
      task_data: { ...event.task_data, id: 123_456_000 + i, description: big },
    }));
    const entry = (entryId, data) => ({ entryId, event: { ...body, id: data.event_id ?? entryId, data }, contentType: 'application/cloudevents+json', metadata: {} });
    const entries = good.map((e, i) => entry(`ok-${i}`, e));
    entries.splice(10, 0, entry('poison-fields', { event_id: randomUUID(), user_id: u.user.id }));
    entries.splice(20, 0, entry('poison-nul', { ...good[0], event_id: randomUUID(), user_id: 'u\u0000x' }));
    const envelope = { id: randomUUID(), entries, metadata: {}, topic: TOPIC, pubsubname: 'kafka-pubsub', type: 'com.dapr.event.sent.bulk' };
    const raw = JSON.stringify(envelope);
    assert.ok(Buffer.byteLength(raw) > 1024 * 1024, `the bulk is ${Buffer.byteLength(raw)} bytes`);
    const bulk = (headers) => cluster.audit.server.api('POST', ROUTE, { raw, headers: { 'Content-Type': 'application/cloudevents-batch+json', ...headers } });
    const goodIds = good.map((e) => sqlString(e.event_id)).join(',');
    const stored = async () => (await psql(cluster.db.url, `SELECT event_id FROM audit_log WHERE event_id IN (${goodIds}) ORDER BY id`)).trim().split('\n').filter(Boolean);
    const refused = await bulk({});
    assert.equal(refused.status, 401, `a bulk without the token -> 401, got ${refused.status}`);
    assert.deepEqual(await stored(), [], 'nothing written');
    const expected = entries.map((e) => ({ entryId: e.entryId, status: e.entryId.startsWith('poison') ? 'DROP' : 'SUCCESS' }));
    for (const round of ['first delivery', 'redelivery']) {
      const res = await bulk({ 'dapr-api-token': appToken });
      assert.equal(res.status, 200, `${round}: ${res.status} ${res.text.slice(0, 300)}`);
      assert.deepEqual(JSON.parse(res.text), { statuses: expected }, round);
      assert.deepEqual(await stored(), good.map((e) => e.event_id), `${round}: each valid event stored once, in order`);
    }
    // the larger limit is for the sidecar's deliveries only: clients keep the 1 MiB limit
    const tooBig = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, raw, headers: { 'Content-Type': 'application/json' } });
    assert.equal(tooBig.status, 413, `a client body over 1 MiB -> 413, got ${tooBig.status}`);
  });
});

test('single deliveries in every CloudEvents form are stored: data, data as a JSON string, data_base64', { timeout: 120_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  // one event per request (no bulk subscribe): the path that DROPped data_base64 as poison
  await withCluster({ auditEnv: { TODO_DAPR_BULK_MAX_MESSAGES: '0' } }, async (cluster) => {
    const sidecar = cluster.audit.sidecar;
    const [u] = await signUpUsers(cluster.api, 1);
    const event = (taskId) => ({
      event_id: randomUUID(), event_type: 'created', timestamp: new Date().toISOString(), user_id: u.user.id, task_id: taskId,
      task_data: { id: taskId, user_id: u.user.id, title: `form ${taskId}`, description: '', completed: false, priority: 'medium', tags: [] },
      schema_version: 1, task_version: 1,
    });
    const ce = (e, fields) => ({ specversion: '1.0', id: e.event_id, source: 'todo-api', type: 'todo.task.created', ...fields });
    const forms = [
      ['data as an object', (e) => ce(e, { datacontenttype: 'application/json', data: e })],
      ['data as a JSON string', (e) => ce(e, { datacontenttype: 'application/json', data: JSON.stringify(e) })],
      ['data_base64', (e) => ce(e, { datacontenttype: 'application/json', data_base64: Buffer.from(JSON.stringify(e)).toString('base64') })],
      ['data_base64 with a +json type and parameters', (e) => ce(e, { datacontenttype: 'application/vnd.todo+json; charset=utf-8', data_base64: Buffer.from(JSON.stringify(e)).toString('base64') })],
      ['no datacontenttype', (e) => ce(e, { data: e })],
    ];
    const sent = [];
    for (const [i, [name, make]] of forms.entries()) {
      const e = event(777_000 + i);
      sent.push({ name, event_id: e.event_id });
      await sidecar.inject({ topic: TOPIC, partitionKey: u.user.id, cloudevent: make(e) });
    }
    const ids = sent.map((s) => sqlString(s.event_id)).join(',');
    const stored = async () => (await psql(cluster.db.url, `SELECT event_id FROM audit_log WHERE event_id IN (${ids})`)).trim().split('\n').filter(Boolean);
    await waitUntil(async () => (await stored()).length === sent.length, 'every form stored', { timeoutMs: 30_000, pollMs: 100 })
      .catch(async (err) => {
        const got = new Set(await stored());
        err.message += `; missing: ${sent.filter((s) => !got.has(s.event_id)).map((s) => s.name).join(', ')}; dead letters: ${JSON.stringify(readTopic(cluster.logDir, DLQ).map((m) => m.deadLetter))}`;
        throw err;
      });
    await sidecar.waitIdle({ timeoutMs: 30_000 });
    assert.deepEqual(readTopic(cluster.logDir, DLQ), [], 'nothing dead-lettered');
    const st = await sidecar.stats();
    assert.equal(st.topics[TOPIC].bulk_deliveries, 0, 'single deliveries, not bulk');
    // the audit API shows them to their user
    const audit = await cluster.audit.server.api('GET', `/api/${u.user.id}/audit?limit=200`, { token: u.token });
    assert.equal(audit.status, 200, audit.text);
    const listed = new Set(audit.json.items.map((i) => i.event_id));
    for (const s of sent) assert.ok(listed.has(s.event_id), `${s.name}: listed in the audit API`);
  });
});
