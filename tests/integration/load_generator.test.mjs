// The self-check of the 1 000-user load generator (bench/users.mjs, issue 16 item 1), small:
// the generator must not be able to measure failures as throughput. Against the real server
// it verifies a sample of its answers (every answer here): a created task is then listed
// with the fields it was created with, filtered lists hold exactly the tasks of the
// generator's own model that match, the audit of each user holds one event per
// acknowledged write, every stream got every event. And it must say so when the server
// lies: behind a proxy that drops a task from list answers, or that turns some answers
// into 503s, the run is reported as failed.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { runLoad } from '../../bench/users/run.mjs';
import { startServer } from './harness.mjs';

const SMALL = {
  users: 6, durationS: 1.5, warmupS: 0.3, thinkS: 0.01, workers: 1, seedTasks: 3, checkRate: 1, auditSample: 0.5,
  finalCheckUsers: 6, auditWaitS: 60, signupConcurrency: 3,
};

// A proxy in front of the server that rewrites answers: rewrite(req, status, body) ->
// {status, body} (body a string).
function lyingProxy(target, rewrite) {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const up = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ures) => {
        const parts = [];
        ures.on('data', (c) => parts.push(c));
        ures.on('end', () => {
          const out = rewrite(req, ures.statusCode, Buffer.concat(parts).toString('utf8'));
          const headers = { ...ures.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(out.status, { ...headers, 'content-length': Buffer.byteLength(out.body) });
          res.end(out.body);
        });
      });
      up.on('error', (err) => { res.writeHead(502); res.end(String(err)); });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => { agent.destroy(); server.closeAllConnections(); return new Promise((r) => server.close(r)); },
  })));
}

describe('load generator self-check (bench/users.mjs)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.cleanup(); });

  test('a short paced and flat run: every answer checked against the model, no error, counts add up', async () => {
    const report = await runLoad({ ...SMALL, url: server.baseUrl, phases: ['paced', 'flat'], sseShare: 1 });
    const problems = JSON.stringify({ phases: report.phases.map((p) => ({ errors: p.errors, checks: p.checkFailures })), final: report.final }).slice(0, 3000);
    assert.equal(report.ok, true, problems);
    assert.equal(report.phases.length, 2);
    for (const p of report.phases) {
      assert.equal(p.total.errors, 0);
      assert.ok(p.total.n > 20, `${p.name}: only ${p.total.n} operations measured`);
      for (const op of ['list', 'search', 'create', 'update', 'complete', 'delete', 'get', 'audit', 'notifications']) {
        assert.ok(p.ops[op]?.n > 0, `${p.name}: no ${op} measured`);
      }
      assert.ok(p.checks > 10, `${p.name}: only ${p.checks} answers checked`);
      assert.equal(p.connections, SMALL.users, 'one keep-alive connection per user');
      assert.ok(p.auditLag.n > 0 && p.auditLag.missing === 0, `${p.name}: audit lag samples ${p.auditLag.n}, missing ${p.auditLag.missing}`);
      assert.ok(p.generatorCpuS > 0);
    }
    assert.equal(report.final.users, SMALL.users);
    assert.ok(report.final.tasks > 0 && report.final.auditEvents > report.final.tasks, JSON.stringify(report.final));
    assert.equal(report.final.streams, SMALL.users, 'every user held a stream, and each got every event');
  });

  test('a server that leaves a task out of its lists is caught', async () => {
    // drops the newest task of every list answer with more than one item
    const proxy = await lyingProxy(server, (req, status, body) => {
      if (req.method === 'GET' && /^\/api\/[^/]+\/tasks\?/.test(req.url) && status === 200) {
        const j = JSON.parse(body);
        if (j.items.length > 1) j.items.shift();
        return { status, body: JSON.stringify(j) };
      }
      return { status, body };
    });
    try {
      const report = await runLoad({ ...SMALL, url: proxy.url, phases: ['paced'], sseShare: 0, finalCheckUsers: 2, auditWaitS: 5 });
      assert.equal(report.ok, false);
      assert.equal(report.phases[0].total.errors, 0, 'every answer was a 200');
      assert.ok(report.phases[0].checkFailures.length > 0, 'the lists were found wrong');
      assert.match(report.phases[0].checkFailures.join('\n'), /not among the newest|items for|the generator's model/);
    } finally { await proxy.close(); }
  });

  test('answers that fail are counted as errors, not as throughput', async () => {
    let n = 0;
    const proxy = await lyingProxy(server, (req, status, body) => {
      if (req.url.startsWith('/api/auth/')) return { status, body };
      if (++n % 10 === 0) return { status: 503, body: '{"title":"unavailable"}' };
      return { status, body };
    });
    try {
      const report = await runLoad({ ...SMALL, url: proxy.url, phases: ['flat'], sseShare: 0, seedTasks: 0, finalCheckUsers: 0 });
      assert.equal(report.ok, false);
      const p = report.phases[0];
      assert.ok(p.total.errors > 0);
      assert.match(p.errors.join('\n'), /503/);
      // about one in ten failed; the failed ones are not in the measured operations
      assert.ok(p.total.errors >= p.total.n / 20, `${p.total.errors} errors for ${p.total.n} measured`);
    } finally { await proxy.close(); }
  });
});
