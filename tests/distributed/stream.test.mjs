// Live updates with two replicas of the role that serves streams (issue 11 item 1): two
// `notification` processes on one PostgreSQL database, each with its own sidecar double (the
// double has no consumer groups: each replica gets every task event, and the consumer
// contract's dedupe row lets only one append it to the user's log). A browser connected to
// either replica sees every change of its user, in the same order with the same ids: the
// appending transaction sends NOTIFY todo_stream '<user_id>' and each replica LISTENs.
// A change that no sidecar carries (marking notifications read, on one replica) reaches the
// other replica's stream only through that NOTIFY, which is what the second test proves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

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
