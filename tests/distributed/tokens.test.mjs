// Personal access tokens across roles (issue 12, item 1): a token created on the api role is
// accepted by the audit role (another process on the same PostgreSQL) within its scopes, a
// scope it lacks is a 403 there too, and a revocation on the api role is refused by the audit
// role within a deadline (LISTEN todo_access_tokens; also bounded by the 10 s token cache).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { problemOf } from '../integration/harness.mjs';
import { clusterOutput, sleep, startCluster } from './harness.mjs';

describe('personal access tokens across roles', () => {
  let cluster;
  before(async () => { cluster = await startCluster(); });
  after(async () => { await cluster?.stop(); });

  test('the audit role takes a token of the api role within its scopes, and refuses it once revoked', { timeout: 120_000 }, async () => {
    try {
      const u = await cluster.api.signUp({ prefix: 'pat' });
      const make = async (scopes) => {
        const res = await cluster.api.api('POST', `/api/${u.user.id}/tokens`, { token: u.token, body: { name: scopes.join(' '), scopes } });
        assert.equal(res.status, 201, res.text);
        return res.json;
      };
      const auditor = await make(['audit:read']);
      const reader = await make(['tasks:read']);
      const audit = (t) => cluster.audit.server.api('GET', `/api/${u.user.id}/audit`, { token: t.token });
      assert.equal((await audit(auditor)).status, 200);
      const refused = problemOf(await audit(reader), 403);
      assert.equal(refused.required_scope, 'audit:read');

      assert.equal((await cluster.api.api('DELETE', `/api/${u.user.id}/tokens/${auditor.id}`, { token: u.token })).status, 204);
      const deadline = Date.now() + 60_000;  // a safety net for a busy machine
      let res;
      while (Date.now() < deadline) {
        res = await audit(auditor);
        if (res.status !== 200) break;
        await sleep(20);
      }
      assert.match(problemOf(res, 401).detail, /revoked/);
    } catch (err) {
      err.message += `\n${clusterOutput(cluster)}`;
      throw err;
    }
  });
});
