// Live updates with two replicas of the role that serves streams (issue 11 item 1): two
// `notification` processes on one PostgreSQL database, each with its own sidecar double (the
// double has no consumer groups: each replica gets every task event, and the consumer
// contract's dedupe row lets only one append it to the user's log). A browser connected to
// either replica sees every change of its user, in the same order with the same ids: the
// appending transaction sends NOTIFY todo_stream '<user_id>' and each replica LISTENs.
// A change that no sidecar carries (marking notifications read, on one replica) reaches the
// other replica's stream only through that NOTIFY, which is what the second test proves.
// The third rolls the replicas behind a real proxy (HAProxy, as the chart's Ingress and
// Service do): the replica holding a browser's stream is taken out of the endpoints and
// SIGTERMed, the stream ends cleanly, EventSource reconnects through the proxy to the other
// replica with Last-Event-ID and gets what was written meanwhile -- nothing missed, nothing
// twice, ids contiguous.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HaproxyProcess } from './haproxy.mjs';
import { openStream } from '../integration/sse_client.mjs';
import { clusterOutput, signUpUsers, skipUnlessDapr, startCluster, startConsumerRole } from './harness.mjs';

let cluster;
let replicas = [];
const streams = [];
before(async () => {
  cluster = await startCluster();
  for (const i of [0, 1]) {
    replicas.push(await startConsumerRole(cluster, { role: 'notification', appId: `todo-notification-${i}` }));
  }
});
after(async () => {
  for (const s of streams) s.close();
  await cluster?.stop();
});

function open(server, u) {
  const s = openStream(server, u);
  streams.push(s);
  return s;
}

test('a change made through the api role reaches a stream on either replica', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  const [s0, s1] = replicas.map((r) => open(r.server, u));
  await Promise.all([s0.opened, s1.opened]);
  const titles = ['one', 'two', 'three', 'four', 'five'];
  for (const title of titles) {
    const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title } });
    assert.equal(res.status, 201, res.text);
  }
  await s0.until(5, `5 events on replica 0\n${clusterOutput(cluster)}`);
  await s1.until(5, `5 events on replica 1\n${clusterOutput(cluster)}`);
  for (const s of [s0, s1]) {
    assert.deepEqual(s.events.map((e) => e.data.task_data.title), titles);
    assert.deepEqual(s.events.map((e) => e.id), [1, 2, 3, 4, 5]);
  }
});

test('a change made on one replica reaches the other one through NOTIFY', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  const [s0, s1] = replicas.map((r) => open(r.server, u));
  await Promise.all([s0.opened, s1.opened]);
  for (const [i, r] of replicas.entries()) {
    const res = await r.server.api('POST', `/api/${u.user.id}/notifications/read-all`, { token: u.token });
    assert.equal(res.status, 200, res.text);
    for (const s of [s0, s1]) await s.until(i + 1, `the unread count on both replicas\n${clusterOutput(cluster)}`);
  }
  for (const s of [s0, s1]) {
    assert.deepEqual(s.events.map((e) => [e.kind, e.id, e.data.unread_count]), [['notifications', 1, 0], ['notifications', 2, 0]]);
  }
});

test('a stream survives a rolling restart behind a proxy: EventSource resumes on the other replica', { timeout: 300_000 }, async (t) => {
  if (skipUnlessDapr(t)) return;
  const [u] = await signUpUsers(cluster.api, 1);
  // Only replica 0 in rotation at first, so the stream is known to start there.
  const proxy = new HaproxyProcess({ slots: replicas.map((r) => r.server.port), enabled: 1 });
  await proxy.start();
  try {
    await proxy.waitState('s0', 'UP');
    const s = open({ baseUrl: proxy.url }, u);
    let opens = 0;
    s.es.addEventListener('open', () => { opens += 1; });
    await s.opened;
    await proxy.setState('s1', 'ready');
    await proxy.waitState('s1', 'UP');
    const titles = [];
    const create = async (title) => {
      const res = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title } });
      assert.equal(res.status, 201, res.text);
      titles.push(title);
    };
    for (let i = 0; i < 5; i++) await create(`before ${i}`);
    await s.until(5, `the first events through the proxy\n${clusterOutput(cluster)}`);
    // The roll, as Kubernetes does it: out of the endpoints, then SIGTERM. The server ends
    // its streams cleanly on SIGTERM and exits 0.
    await proxy.setState('s0', 'maint');
    const exit = await replicas[0].server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `replica 0 exits 0 on SIGTERM\n${replicas[0].server.output}`);
    for (let i = 0; i < 5; i++) await create(`while away ${i}`);
    await s.until(10, `the events written while the stream was down\n${clusterOutput(cluster)}`);
    for (let i = 0; i < 5; i++) await create(`after ${i}`);
    await s.until(15, `the events after the reconnect\n${clusterOutput(cluster)}`);
    assert.ok(opens >= 2, `EventSource reconnected (opened ${opens} times)`);
    assert.deepEqual(s.events.map((e) => e.kind), Array(15).fill('task'));
    assert.deepEqual(s.events.map((e) => e.data.task_data.title), titles);
    const first = s.events[0].id;
    assert.deepEqual(s.events.map((e) => e.id), Array.from({ length: 15 }, (_, i) => first + i));
  } finally {
    await proxy.stop();
  }
});
