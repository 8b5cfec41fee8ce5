// Sessions end in every role (issue 14, items 1, 2 and 18): the audit role verifies the
// tokens the api role issued, in another process on the same PostgreSQL; what the api role
// ends — one session, every session, a deleted account — the audit API refuses within a
// deadline (LISTEN/NOTIFY; the periodic resync is set to an hour so that it cannot help),
// with the bearer token and with the session cookie. Events committed before a deletion
// still reach the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { problemOf } from '../integration/harness.mjs';
import { clusterOutput, psql, sleep, sqlString, startCluster, waitUntil } from './harness.mjs';

const HOUR = { TODO_SESSION_RESYNC: '3600' };

describe('sessions across roles', () => {
  let cluster;
  before(async () => { cluster = await startCluster({ apiEnv: HOUR, auditEnv: HOUR }); });
  after(async () => { await cluster?.stop(); });

  const audit = (u, cred) => cluster.audit.server.api('GET', `/api/${u.user.id}/audit`, cred);
  async function refusedByAudit(u, cred, deadlineMs = 10_000) {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const res = await audit(u, cred);
      if (res.status === 401) return problemOf(res, 401);
      assert.equal(res.status, 200, res.text);
      await sleep(20);
    }
    return null;
  }

  test('sign-out on the api role: the audit role refuses the token, bearer and cookie', async () => {
    try {
      const u = await cluster.api.signUp({ prefix: 'so' });
      const other = await cluster.api.api('POST', '/api/auth/sign-in/email', { body: { email: u.email, password: u.password } });
      assert.equal((await audit(u, { token: u.token })).status, 200, 'control');
      assert.equal((await cluster.api.api('POST', '/api/auth/sign-out', { token: u.token })).status, 204);
      assert.ok(await refusedByAudit(u, { token: u.token }), 'bearer still accepted by the audit role');
      problemOf(await audit(u, { cookie: `todo_session=${u.token}` }), 401);
      assert.equal((await audit(u, { token: other.json.token })).status, 200, 'another session goes on');

      assert.equal((await cluster.api.api('POST', '/api/auth/sign-out-all', { token: other.json.token })).status, 204);
      assert.ok(await refusedByAudit(u, { token: other.json.token }), 'sign-out-all');
    } catch (err) {
      err.message += `\n${clusterOutput(cluster)}`;
      throw err;
    }
  });

  test('a deleted account: 401 on the audit API; its committed events still reach the trail', { timeout: 60_000 }, async () => {
    try {
      const u = await cluster.api.signUp({ prefix: 'del' });
      const created = await cluster.api.api('POST', `/api/${u.user.id}/tasks`, { token: u.token, body: { title: 'before the deletion' } });
      assert.equal(created.status, 201, created.text);
      const res = await cluster.api.api('DELETE', `/api/${u.user.id}`, { token: u.token, body: { password: u.password } });
      assert.equal(res.status, 204, res.text);
      const p = await refusedByAudit(u, { token: u.token });
      assert.ok(p, 'the audit role still accepts the deleted account\'s token');
      assert.match(p.detail, /no longer exists/);
      problemOf(await audit(u, { cookie: `todo_session=${u.token}` }), 401);
      // The event committed before the deletion is audited all the same (kept until retention).
      await waitUntil(async () => (await psql(cluster.db.url,
        `SELECT count(*) FROM audit_log WHERE user_id = ${sqlString(u.user.id)}`)).trim() === '1', 'the audit row');
      assert.equal((await psql(cluster.db.url, `SELECT count(*) FROM tasks WHERE user_id = ${sqlString(u.user.id)}`)).trim(), '0');
    } catch (err) {
      err.message += `\n${clusterOutput(cluster)}`;
      throw err;
    }
  });
});
