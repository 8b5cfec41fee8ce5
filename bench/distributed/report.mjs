// How bench/distributed.mjs prints: the shared formatters of its lines (milliseconds,
// percentile summaries, CPU, the load, the audit check), the per-phase diagnostics (what
// the roles' /metrics and the doubles' stats gained between two snapshots), the
// pg_stat_activity table and the closing summary against the targets of issue 4.
import * as H from '../../tests/distributed/harness.mjs';
import { cpuDelta, diffOf, histQ } from './probes.mjs';

export const say = (s = '') => console.log(s);

export const fmtMs = (x) => (x === undefined || x === null ? '-' : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`);
export const fmtStats = (s) => `n=${s.n} p50 ${fmtMs(s.p50)}, p90 ${fmtMs(s.p90)}, p99 ${fmtMs(s.p99)}, max ${fmtMs(s.max)}`;
export const fmtCpu = (c) => `CPU in cores (of ${c.ncpu.toFixed(1)}): api ${c.api.toFixed(2)}, audit ${c.audit.toFixed(2)}, postgres ${c.postgres.toFixed(2)},` +
  ` api double ${c.apiDouble.toFixed(2)}, audit double ${c.auditDouble.toFixed(2)}, generator ${c.bench.toFixed(2)},` +
  ` other processes ${Math.max(0, c.others).toFixed(2)}; machine busy ${c.machineBusy.toFixed(2)}`;
export const fmtLe = (le) => (Number.isNaN(le) ? '-' : le === Infinity ? '+Inf' : `≤ ${le * 1000} ms`);
export const fmtCheck = (c) => `audit rows ${c.rows} for ${c.acked} acknowledged operations; missing ${c.missing.length}, never acknowledged ${c.extra.length},` +
  ` duplicate operations ${c.duplicateOps.length}, duplicate event ids ${c.duplicateIds.length}, tasks out of order ${c.orderViolations.length}` +
  ` -> ${c.ok ? 'OK' : 'FAILED'}`;
export const rateOf = (l) => l.measuredAcked / (l.measuredMs / 1000);
export const fmtLoad = (l) => {
  const byType = {};
  for (const a of l.acked) byType[a.type] = (byType[a.type] || 0) + 1;
  const ramp = l.rampMs ? ` after a ${(l.rampMs / 1000).toFixed(0)} s warm-up ramp (${l.acked.length - l.measuredAcked} operations, not counted)` : '';
  return `${l.measuredAcked} operations acknowledged in ${(l.measuredMs / 1000).toFixed(1)} s${ramp} = ${rateOf(l).toFixed(0)} ops/s` +
    ` (${JSON.stringify(byType)}); failed ${l.failures.length}${l.failures.length ? ` e.g. ${JSON.stringify(l.failures.slice(0, 3))}` : ''};` +
    ` generator max behind schedule ${l.maxBehind} ops; event-loop use per worker ${l.elu.map((x) => `${(x * 100).toFixed(0)} %`).join(', ')}`;
};
// What the pipeline did between two snapshots (m: /metrics of the roles, s: stats of the doubles).
export async function diagnostics(label, m0, m1, s0, s1, cpu0, cpu1) {
  say(`  ${label}:`);
  const pub = ['published', 'broker_error', 'circuit_open', 'config_error'].map((o) => `${o} ${diffOf(m0.api, m1.api, 'todo_dapr_publish_total', `outcome="${o}"`)}`).join(', ');
  const dlag = histQ(m0.api, m1.api, 'todo_event_delivery_lag_seconds', '', [0.5, 0.99]);
  say(`    api relay: todo_dapr_publish_total ${pub}; todo_event_delivery_lag_seconds (commit -> sidecar 204) over ${dlag.total}: p50 ${fmtLe(dlag.q[0])}, p99 ${fmtLe(dlag.q[1])}`);
  const a0 = s0.api.topics?.[H.TOPIC] || {}; const a1 = s1.api.topics?.[H.TOPIC] || {};
  const bulk = (a1.bulk_requests || 0) - (a0.bulk_requests || 0);
  const single = (s1.api.requests?.publish?.['204'] || 0) - (s0.api.requests?.publish?.['204'] || 0);
  const published = (a1.published || 0) - (a0.published || 0);
  say(`    api double: ${published} published in ${bulk} bulk + ${single} single requests (${bulk + single ? (published / (bulk + single)).toFixed(1) : '-'} events per request)`);
  const d0 = s0.audit.topics?.[H.TOPIC] || {}; const d1 = s1.audit.topics?.[H.TOPIC] || {};
  say(`    audit double: attempts ${(d1.attempts || 0) - (d0.attempts || 0)}, delivered ${(d1.delivered || 0) - (d0.delivered || 0)}, retried ${(d1.retried || 0) - (d0.retried || 0)},` +
    ` dead-lettered ${(d1.dead_lettered || 0) - (d0.dead_lettered || 0)}; consumer lag now ${s1.audit.consumer?.lag?.[H.TOPIC]?.total}, in flight ${s1.audit.consumer?.in_flight}`);
  const outcomes = ['stored', 'duplicate', 'retry', 'dropped'].map((o) => `${o} ${diffOf(m0.audit, m1.audit, 'todo_dapr_deliveries_total', `outcome="${o}"`)}`).join(', ');
  const hd = histQ(m0.audit, m1.audit, 'todo_http_request_duration_seconds', '/dapr/', [0.5, 0.99]);
  const hdAll = histQ(m0.audit, m1.audit, 'todo_http_request_duration_seconds', '', [0.5, 0.99]);
  const useHd = hd.total ? hd : hdAll;
  say(`    audit role: todo_dapr_deliveries_total ${outcomes}; todo_http_request_duration_seconds${hd.total ? ' (/dapr route)' : ' (all routes)'} over ${useHd.total}: p50 ${fmtLe(useHd.q[0])}, p99 ${fmtLe(useHd.q[1])}`);
  const apiHd = histQ(m0.api, m1.api, 'todo_http_request_duration_seconds', 'tasks', [0.5, 0.99]);
  say(`    api role: todo_http_request_duration_seconds (task routes, server side) over ${apiHd.total}: p50 ${fmtLe(apiHd.q[0])}, p99 ${fmtLe(apiHd.q[1])}`);
  for (const [role, a, b] of [['api', m0.api, m1.api], ['audit', m0.audit, m1.audit]]) {
    const parts = [];
    for (const kind of ['write', 'read']) {
      const h = histQ(a, b, 'todo_db_query_duration_seconds', `kind="${kind}"`, [0.5, 0.99]);
      if (h.total) parts.push(`${kind} ${h.total}: p50 ${fmtLe(h.q[0])}, p99 ${fmtLe(h.q[1])}`);
    }
    say(`    ${role} role: todo_db_query_duration_seconds (queue wait included) ${parts.join('; ') || '-'}`);
  }
  say(`    ${fmtCpu(cpuDelta(cpu0, cpu1))}`);
}
// pgSamples: pgSampler(...).samples of bench/distributed/probes.mjs
export const printPg = (pgSamples) => {
  const n = pgSamples.get('#samples') || 0;
  if (!n) return;
  say(`  pg_stat_activity (${n} samples, mean connections of the database per state; "cpu" = active, no wait event):`);
  const list = [...pgSamples].filter(([k]) => k !== '#samples').sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [k, v] of list) say(`    ${(v / n).toFixed(2)}  ${k}`);
};
// The closing summary; false when a phase's audit was not exact or a phase did not run.
export function printSummary(results, PHASES, since) {
  say();
  say(`== summary (targets from issue 4) — total ${since()}`);
  const s = results.phases.sustained;
  if (s) {
    say(`  sustained rate: ${s.ops.toFixed(0)} ops/s (target ≥ 2000), HTTP p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)}, failed ${s.failed}`);
    say(`  commit -> audit row after the warm-up: p50 ${fmtMs(s.lag.p50)}, p99 ${fmtMs(s.lag.p99)} (target ≤ 500 ms), max ${fmtMs(s.lag.max)};` +
      ` all events incl. warm-up: p99 ${fmtMs(s.lagAll.p99)}, max ${fmtMs(s.lagAll.max)}; audit exact: ${s.check ? 'yes' : 'NO'}`);
  }
  for (const n of ['outage-load', 'outage-stop']) {
    const o = results.phases[n];
    if (!o) continue;
    say(`  ${n}: peak backlog ${o.peak}; restore -> backlog published ${o.published?.toFixed(1) ?? '-'} s, audited ${o.audited?.toFixed(1) ?? 'NOT ALL'} s (target < 30 s)` +
      `${o.zero !== null ? `, pending = 0 at ${o.zero.toFixed(1)} s` : ''}${o.all !== null ? `, all audited at ${o.all.toFixed(1)} s` : ''}; ${o.ops.toFixed(0)} ops/s, failed ${o.failed}; audit exact: ${o.check ? 'yes' : 'NO'}`);
  }
  return Object.values(results.phases).every((p) => p.check) && PHASES.every((p) => results.phases[p]);
}
