// Issue 4 benchmark: the distributed pipeline (api role + its sidecar double -> shared log
// -> audit double -> audit role, one fresh PostgreSQL database; tests/distributed/harness.mjs
// starts it) under an open-loop load of mixed task operations.
//
//   make bench-distributed      (= bench/distributed.sh: scripts/with-postgres.sh, then this)
//
// Phases (TODO_BENCH_PHASES, comma-separated, default all three, in this order):
//   sustained     a warm-up ramp from 0 to TODO_BENCH_RATE ops/s over TODO_BENCH_WARMUP_S,
//                 then TODO_BENCH_SECONDS at the full rate: achieved ops/s, HTTP latency,
//                 failures, commit -> audit-row latency (after the warm-up, and over all
//                 events), then audit rows = acknowledged operations, no duplicates,
//                 each task's events in order
//   outage-load   the same load; after 5 s the api's sidecar refuses connections (double's
//                 control API) for TODO_BENCH_OUTAGE_S; the load keeps running after the
//                 restore until the backlog is gone (at most 45 s more): peak backlog,
//                 restore -> backlog published / audited, restore -> lag back under 500 ms
//   outage-stop   the same outage, the load stopped at the restore: restore ->
//                 todo_outbox_pending = 0, restore -> every event has its audit row
// Each phase ends with the audit check of its own operations (the rows added since the
// previous check). The run keeps to TODO_BENCH_BUDGET_S (270) by cutting waits; a phase
// that does not fit is skipped and says so.
//
// Commit -> audit-row latency is measured as tests/distributed/harness.mjs (auditLatencies)
// does it: from the event's `timestamp` (taken in the committing transaction, millisecond
// resolution) to the end of the audit double's first successful delivery of that event
// (its --delivery-log; the audit role answers SUCCESS only after its row is committed, so
// this is an upper bound of the row's commit). audit_log has no write-time column. The
// shared log and the delivery log are indexed incrementally (PartitionReader of the
// double), which also splits the latency: commit -> in the log (api relay + api double),
// log -> delivery started (audit double), the delivery itself (audit role).
//
// Load generator: TODO_BENCH_WORKERS worker threads, each owning a slice of the users,
// TODO_BENCH_CONNS keep-alive connections in all, through the double's small HTTP client
// (TODO_BENCH_HTTP=raw, lib/app_client.mjs) or node:http with a keep-alive agent
// (TODO_BENCH_HTTP=node: ~1.5x the generator's CPU). Operations on one task never
// overlap (a task with an operation in flight is not picked), so each task's audit must be
// in the order its operations were answered. HTTP latency is taken from the moment an
// operation was scheduled (open loop: a generator falling behind shows up as latency and
// as "behind schedule"). CPU of every process (api, audit, PostgreSQL, both doubles, this
// generator, everything else) is read from /proc around each window.
//
// Knobs: TODO_BENCH_RATE (2000), TODO_BENCH_SECONDS (20), TODO_BENCH_WARMUP_S (5),
// TODO_BENCH_USERS (200), TODO_BENCH_CONNS (256), TODO_BENCH_WORKERS (2),
// TODO_BENCH_HTTP (raw), TODO_BENCH_OUTAGE_S (30), TODO_BENCH_PHASES,
// TODO_BENCH_AUDIT_INFLIGHT (audit double --max-in-flight; default the double's 32),
// TODO_BENCH_PG_SAMPLE_MS (1000; 0 = no pg_stat_activity sampling),
// TODO_BENCH_METRICS_POLL_MS (1000), TODO_BENCH_BUDGET_S (270); TODO_DIST_KEEP_LOGS=1
// keeps the log dir (harness).
//
// Modules (bench/distributed/): load.mjs starts the generator's worker threads
// (load_worker.mjs) and merges their results; probes.mjs reads CPU, /metrics,
// pg_stat_activity, the shared and delivery logs and audit_log; phases.mjs runs the phases;
// report.mjs formats the lines and the summary. This file: the knobs and the run.
import { readFileSync } from 'node:fs';

import * as H from '../tests/distributed/harness.mjs';

import { spawnGenerators } from './distributed/load.mjs';
import { runPhases } from './distributed/phases.mjs';
import { auditChecker, cpuSampler, outboxPending, pgSampler, pipelineRecord } from './distributed/probes.mjs';
import { printSummary, say } from './distributed/report.mjs';

const envNum = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, not ${v}`);
  return n;
};
const RATE = envNum('TODO_BENCH_RATE', 2000);
const SECONDS = envNum('TODO_BENCH_SECONDS', 20);
const USERS = envNum('TODO_BENCH_USERS', 200);
const CONNS = envNum('TODO_BENCH_CONNS', 256);
const WORKERS = Math.max(1, envNum('TODO_BENCH_WORKERS', 2));
const WARMUP_S = envNum('TODO_BENCH_WARMUP_S', 5);
const HTTP_CLIENT = process.env.TODO_BENCH_HTTP || 'raw';
if (!['raw', 'node'].includes(HTTP_CLIENT)) throw new Error(`TODO_BENCH_HTTP must be raw or node, not ${HTTP_CLIENT}`);
const OUTAGE_S = envNum('TODO_BENCH_OUTAGE_S', 30);
const AUDIT_INFLIGHT = envNum('TODO_BENCH_AUDIT_INFLIGHT', 0);
const PG_SAMPLE_MS = envNum('TODO_BENCH_PG_SAMPLE_MS', 1000);
// Every /metrics scrape of the api role scans the outbox once (todo_outbox_pending,
// _oldest_age_seconds and _backlog in one query; ~17 ms at a 60 000-row backlog): keep the
// polls sparse so that measuring does not slow the drain.
const METRICS_POLL_MS = envNum('TODO_BENCH_METRICS_POLL_MS', 1000);
// The whole run stays under 5 minutes: waits are cut to what is left of this budget
// (bench/distributed.sh kills the run at TODO_BENCH_TIMEOUT, 300 s).
const BUDGET_S = envNum('TODO_BENCH_BUDGET_S', 270);
const PHASES = (process.env.TODO_BENCH_PHASES || 'sustained,outage-load,outage-stop').split(',').map((s) => s.trim()).filter(Boolean);
for (const p of PHASES) if (!['sustained', 'outage-load', 'outage-stop'].includes(p)) throw new Error(`unknown phase ${p}`);
const LAG_TARGET_MS = 500;
const T_START = Date.now();
const left = () => T_START + BUDGET_S * 1000 - Date.now();  // ms of the budget left
const since = () => `${((Date.now() - T_START) / 1000).toFixed(1)}s`;

await main();

async function main() {
  // ---- the cluster ----
  say(`== distributed pipeline benchmark: rate ${RATE} ops/s, ${SECONDS} s, ${USERS} users, ${WORKERS} generator workers,` +
    ` ${CONNS} connections, outage ${OUTAGE_S} s; phases ${PHASES.join(', ')}`);
  const auditDoubleArgs = AUDIT_INFLIGHT ? ['--max-in-flight', String(AUDIT_INFLIGHT)] : [];
  const cluster = await H.startCluster({ auditDoubleArgs });
  const api = cluster.api;
  const apiDouble = cluster.apis[0].sidecar;
  const audit = cluster.audit.server;
  const auditDouble = cluster.audit.sidecar;
  let gen = null;
  const results = { phases: {} };
  try {
    say(`cluster up at ${since()}: api :${api.port} (double :${apiDouble.daprPort}), audit :${audit.port} (double :${auditDouble.daprPort}), database ${cluster.db.name}`);
    const cpuSnapshot = cpuSampler({ api, audit, apiDouble, auditDouble });

    // ---- users and generator workers ----
    const t0 = Date.now();
    const signed = await H.signUpUsers(api, USERS, { concurrency: 4 });
    const users = signed.map((u) => ({ id: u.user.id, token: u.token }));
    say(`${USERS} users signed up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${since()})`);
    gen = spawnGenerators({ port: api.port, users, workers: WORKERS, conns: CONNS, client: HTTP_CLIENT });
    await gen.ready;

    say(`machine: ${readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ')} load average before the run`);
    say('note: the audit-row time is the end of the audit double\'s first successful delivery (its --delivery-log);' +
      ' commit time is the event\'s timestamp (ms resolution)');
    await runPhases({
      knobs: { RATE, SECONDS, WARMUP_S, OUTAGE_S, PHASES, METRICS_POLL_MS, BUDGET_S, LAG_TARGET_MS },
      left, results, api, audit, apiDouble, auditDouble, cpuSnapshot,
      pending: () => outboxPending(api),
      pg: pgSampler(cluster.db.url, PG_SAMPLE_MS),
      record: pipelineRecord(cluster),
      check: auditChecker(cluster.db.url),
      gen,
    });
    if (!printSummary(results, PHASES, since)) process.exitCode = 1;
  } finally {
    gen?.close();
    await cluster.stop().catch((err) => console.error(`stopping the cluster: ${err.message}`));
  }
}
