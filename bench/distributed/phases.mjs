// The phases of bench/distributed.mjs (see its header): sustained (open-loop load after a
// warm-up ramp: rate, HTTP latency, commit -> audit-row latency, audit check) and the two
// outage phases (the api's sidecar refuses connections for TODO_BENCH_OUTAGE_S, then the
// drain of the backlog, with the load kept running or stopped at the restore). Each adds its
// numbers to b.results.phases for the summary; b is the run's context (knobs, cluster,
// probes, load generator) that bench/distributed.mjs builds.
import * as H from '../../tests/distributed/harness.mjs';
import { cpuDelta, scrape } from './probes.mjs';
import { diagnostics, fmtCheck, fmtCpu, fmtLoad, fmtMs, fmtStats, printPg, rateOf, say } from './report.mjs';

export async function runPhases(b) {
  const { PHASES } = b.knobs;
  const { results } = b;
  if (PHASES.includes('sustained')) await sustainedPhase(b);
  // A phase whose audit never completed leaves rows behind that the next one would count.
  const complete = () => Object.values(results.phases).every((p) => p.complete);
  for (const [name, keep] of [['outage-load', true], ['outage-stop', false]]) {
    if (!PHASES.includes(name)) continue;
    if (!complete()) { say(`\n== ${name}: SKIPPED, the previous phase's audit is not complete`); continue; }
    await outagePhase(b, name, keep);
  }
}

// /metrics of both roles, stats of both doubles, CPU so far.
const takeSnapshot = async ({ api, audit, apiDouble, auditDouble, cpuSnapshot }) => ({
  m: { api: await scrape(api), audit: await scrape(audit) },
  s: { api: await apiDouble.stats(), audit: await auditDouble.stats() },
  cpu: cpuSnapshot(),
});

async function sustainedPhase(b) {
  const { RATE, SECONDS, WARMUP_S } = b.knobs;
  const { left, results, pg, pending, cpuSnapshot } = b;
  const { startLoad, ackedAll } = b.gen;
  const { indexLogs, latencyOver, lagTimeline } = b.record;
  const { waitAudit, checkAudit } = b.check;
  const snapshot = () => takeSnapshot(b);
  say();
  say(`== sustained: open-loop ${RATE} ops/s for ${SECONDS} s${WARMUP_S ? `, after a ${WARMUP_S} s warm-up ramp from 0 (JIT of the Node doubles and generator, caches)` : ''}`);
  const snap0 = await snapshot();
  const pgDone = pg.start();
  const from = Date.now();
  const measuredFrom = from + WARMUP_S * 1000;
  let peakPending = 0;
  const load = startLoad(RATE, SECONDS * 1000, WARMUP_S * 1000);
  let loadDone = false;
  load.done.then(() => { loadDone = true; });
  await H.sleep(Math.max(0, measuredFrom - Date.now()));
  const snapMid0 = { cpu: cpuSnapshot() };
  while (!loadDone) {
    await H.sleep(1000);
    try { peakPending = Math.max(peakPending, await pending()); } catch { /* keep going */ }
  }
  const snapMid1 = { cpu: cpuSnapshot() };
  pg.stop();
  await pgDone;
  const l = await load.done;
  const to = Date.now();
  const w = await waitAudit(ackedAll.length, Math.min(60_000, left() - 10_000));
  await H.sleep(1000);
  const snap1 = await snapshot();
  await indexLogs();
  const lat = latencyOver(measuredFrom, to + 1);
  const latAll = latencyOver(from - 1000, to + 1);
  const check = await checkAudit(l.acked);
  say(`  load: ${fmtLoad(l)}`);
  say(`  HTTP latency from the scheduled time: p50 ${fmtMs(l.latSched.p50)}, p99 ${fmtMs(l.latSched.p99)}, max ${fmtMs(l.latSched.max)}` +
    ` (from the send: p50 ${fmtMs(l.latSent.p50)}, p99 ${fmtMs(l.latSent.p99)})`);
  say(`  commit -> audit row over the ${lat.n} events committed after the warm-up (${lat.missing} without a delivery): ${fmtStats(lat.total)}`);
  say(`    commit -> in the log (api relay + api double): ${fmtStats(lat.publish)}`);
  say(`    in the log -> delivery started (audit double: tailing, per-key order, --max-in-flight): ${fmtStats(lat.queue)}`);
  say(`    the delivery, as the audit double times it (audit role's answer incl. its commit): ${fmtStats(lat.handle)}`);
  if (WARMUP_S) say(`  commit -> audit row over all ${latAll.n} events, warm-up included: ${fmtStats(latAll.total)}`);
  say(`  commit -> audit row p99 per 2 s of commit time, from the start of the ramp: ${lagTimeline(from, to).map((x) => (x === undefined ? '-' : x.toFixed(0))).join(' ')} ms`);
  const lastAnswer = l.acked.reduce((m, a) => Math.max(m, a.at), 0);  // no spread: 10^5+ items
  say(`  peak todo_outbox_pending (1 s polls) ${peakPending}; audit complete ${w.at ? `${w.at - lastAnswer} ms after the last answer (200 ms polls)` : `NOT within the time bound (${w.n} of ${ackedAll.length})`}`);
  say(`  check: ${fmtCheck(check)}; published twice ${lat.republished}, delivered twice ${lat.redelivered}`);
  say(`  CPU during the load: ${fmtCpu(cpuDelta(snapMid0.cpu, snapMid1.cpu))}`);
  await diagnostics('where the time goes (whole phase incl. the catch-up)', snap0.m, snap1.m, snap0.s, snap1.s, snap0.cpu, snap1.cpu);
  printPg(pg.samples);
  results.phases.sustained = { ops: rateOf(l), lagAll: latAll.total, p50: l.latSched.p50, p99: l.latSched.p99, failed: l.failures.length, lag: lat.total, check: check.ok, complete: Boolean(w.at) };
}

async function outagePhase(b, name, keepLoad) {
  const { RATE, OUTAGE_S, WARMUP_S, BUDGET_S, METRICS_POLL_MS, PHASES, LAG_TARGET_MS } = b.knobs;
  const { left, results, pg, pending, cpuSnapshot, apiDouble, auditDouble } = b;
  const { startLoad, progress, ackedAll } = b.gen;
  const { events, indexLogs, latencyOver } = b.record;
  const { waitAudit, checkAudit } = b.check;
  const snapshot = () => takeSnapshot(b);
  say();
  const need = (5 + OUTAGE_S + 25) * 1000;
  if (left() < need) {
    say(`== ${name}: SKIPPED, ${(left() / 1000).toFixed(0)} s left of the ${BUDGET_S} s budget, it needs ~${need / 1000} s`);
    return;
  }
  say(`== ${name}: ${RATE} ops/s, the api's sidecar refuses connections for ${OUTAGE_S} s after 5 s,` +
    ` ${keepLoad ? 'load kept running after the restore until the backlog is gone (at most 45 s)' : 'load stopped at the restore'}`);
  const from = Date.now();
  const rampMs = results.phases.sustained ? 0 : WARMUP_S * 1000;  // warm after the sustained phase
  const load = startLoad(RATE, 0, rampMs);
  let peak = { pending: 0, at: 0 };
  let polling = true;
  let lastPoll = null;
  const poller = (async () => {
    while (polling) {
      try {
        const p = await pending();
        lastPoll = { at: Date.now(), pending: p };
        if (p > peak.pending) peak = { pending: p, at: Date.now() };
      } catch { /* keep polling */ }
      await H.sleep(METRICS_POLL_MS);
    }
  })();
  await H.sleep(5000 + rampMs);
  const tOut = Date.now();
  await apiDouble.fault({ publish: 'refuse' });
  const cpuOut0 = cpuSnapshot();
  let p0 = await progress();
  for (let s = 5; s < OUTAGE_S; s += 5) {
    await H.sleep(5000);
    const p = await progress();
    say(`  outage +${s} s: ${((p.acked - p0.acked) / 5).toFixed(0)} ops/s acknowledged, ${p.failed} failed so far, todo_outbox_pending ${lastPoll?.pending}`);
    p0 = p;
  }
  await H.sleep(Math.max(0, tOut + OUTAGE_S * 1000 - Date.now()));
  const cpuOut1 = cpuSnapshot();
  const acked = await progress();
  let l = null;
  if (!keepLoad) { load.stop(); l = await load.done; }
  const loadStopAt = Date.now();
  await apiDouble.fault({ publish: 'ok' });
  const tRestore = Date.now();
  const backlogAtRestore = lastPoll?.pending;
  say(`  restored at +${((tRestore - tOut) / 1000).toFixed(1)} s; ${acked.acked} operations acknowledged so far, ${acked.failed} failed; todo_outbox_pending ${backlogAtRestore} (peak ${peak.pending})`);
  const snapR = await snapshot();
  const pgDone = pg.start();
  const cpuR0 = cpuSnapshot();
  // wait for the drain
  let zeroAt = null; let underAt = null;
  const under = Math.max(100, RATE / 4);  // 250 ms worth of load: the outbox is back to its working level
  // keepLoad: the load runs until the backlog is gone, at most 45 s (and what the budget allows)
  const deadline = Math.min(tRestore + (keepLoad ? 45_000 : 90_000), Date.now() + left() - (keepLoad && PHASES.includes('outage-stop') ? 90_000 : 25_000));
  let firstPublishAt = null;
  for (;;) {
    const p = lastPoll && lastPoll.at > tRestore ? lastPoll.pending : null;
    if (p !== null && p === 0 && zeroAt === null) zeroAt = lastPoll.at;
    if (p !== null && p <= under && underAt === null) underAt = lastPoll.at;
    if (firstPublishAt === null) {
      const st = await apiDouble.stats();
      if ((st.topics?.[H.TOPIC]?.published || 0) > (snapR.s.api.topics?.[H.TOPIC]?.published || 0)) firstPublishAt = Date.now();
    }
    if (keepLoad) {
      const s = await auditDouble.stats();
      if (underAt !== null && (s.consumer?.lag?.[H.TOPIC]?.total ?? Infinity) <= under) break;
    } else if (zeroAt !== null) break;
    if (Date.now() > deadline) break;
    await H.sleep(100);
  }
  if (keepLoad) { load.stop(); l = await load.done; }
  const loadEnd = Date.now();
  const cpuR1 = cpuSnapshot();
  pg.stop();
  await pgDone;
  // every acknowledged operation audited
  const w = await waitAudit(ackedAll.length, Math.max(5_000, left() - (keepLoad && PHASES.includes('outage-stop') ? 75_000 : 12_000)));
  if (zeroAt === null) {
    // with the load stopped afterwards the outbox empties for good
    const until = Date.now() + Math.min(30_000, Math.max(0, left() - 12_000));
    while (Date.now() < until) { if ((await pending()) === 0) break; await H.sleep(METRICS_POLL_MS); }
  }
  polling = false;
  await poller;
  await H.sleep(1000);
  const snap1 = await snapshot();
  await indexLogs();
  // the backlog: every event committed before the restore
  let backlog = 0; let lastLogged = 0; let lastDelivered = 0; let undelivered = 0;
  for (const e of events.values()) {
    if (e.commit === null || e.commit < from || e.commit >= tRestore) continue;
    backlog++;
    lastLogged = Math.max(lastLogged, e.logged);
    if (e.delivered === null) undelivered++; else lastDelivered = Math.max(lastDelivered, e.delivered);
  }
  // after the restore, when every event's commit -> audit lag is under the target again
  let lagOkAt = tRestore;
  for (const e of events.values()) {
    if (e.commit === null || e.commit < from) continue;
    if (e.delivered === null || e.delivered - e.commit > LAG_TARGET_MS) lagOkAt = Math.max(lagOkAt, e.delivered ?? Infinity);
  }
  const check = await checkAudit(l.acked);
  const latAfter = latencyOver(tRestore, loadEnd);
  say(`  load: ${fmtLoad(l)}`);
  say(`  HTTP latency from the scheduled time: p50 ${fmtMs(l.latSched.p50)}, p99 ${fmtMs(l.latSched.p99)}, max ${fmtMs(l.latSched.max)}`);
  say(`  peak backlog (todo_outbox_pending, ${METRICS_POLL_MS} ms polls): ${peak.pending} at +${((peak.at - tOut) / 1000).toFixed(1)} s; ${backlog} events committed before the restore`);
  say(`  restore -> first event accepted by the api double: ${firstPublishAt ? `${firstPublishAt - tRestore} ms` : '-'} (1st stats poll after it; the relay's backoff and circuit breaker)`);
  say(`  restore -> the backlog published (last pre-restore event in the log): ${lastLogged ? `${((lastLogged - tRestore) / 1000).toFixed(1)} s` : '-'}`);
  say(`  restore -> the backlog audited (last pre-restore event's audit row): ${undelivered ? `NOT ALL (${undelivered} missing)` : `${((lastDelivered - tRestore) / 1000).toFixed(1)} s`}`);
  if (keepLoad) {
    say(`  restore -> todo_outbox_pending <= ${under}: ${underAt ? `${((underAt - tRestore) / 1000).toFixed(1)} s` : 'not within 45 s'}; = 0 during the load: ${zeroAt ? `${((zeroAt - tRestore) / 1000).toFixed(1)} s` : 'never (new events keep arriving)'}`);
    say(`  restore -> commit -> audit lag back under ${LAG_TARGET_MS} ms for good: ${lagOkAt === Infinity ? 'never' : `${((lagOkAt - tRestore) / 1000).toFixed(1)} s`}; load ran ${((loadEnd - tRestore) / 1000).toFixed(1)} s after the restore`);
    say(`  events committed after the restore (while draining): commit -> audit row ${fmtStats(latAfter.total)}`);
  } else {
    say(`  restore -> todo_outbox_pending = 0: ${zeroAt ? `${((zeroAt - tRestore) / 1000).toFixed(1)} s` : 'not within 90 s'} (load stopped ${tRestore - loadStopAt} ms before the restore)`);
  }
  say(`  every acknowledged operation audited: ${w.at ? `${((w.at - tRestore) / 1000).toFixed(1)} s after the restore (200 ms polls of count(*))` : `NO: ${w.n} of ${ackedAll.length}`}`);
  say(`  check: ${fmtCheck(check)}`);
  say(`  CPU during the outage: ${fmtCpu(cpuDelta(cpuOut0, cpuOut1))}`);
  say(`  CPU during the drain: ${fmtCpu(cpuDelta(cpuR0, cpuR1))}`);
  await diagnostics('drain diagnostics (restore -> end of the phase)', snapR.m, snap1.m, snapR.s, snap1.s, snapR.cpu, snap1.cpu);
  printPg(pg.samples);
  results.phases[name] = { complete: Boolean(w.at), ops: rateOf(l), failed: l.failures.length, peak: peak.pending, backlog,
    published: lastLogged ? (lastLogged - tRestore) / 1000 : null, audited: undelivered ? null : (lastDelivered - tRestore) / 1000,
    zero: zeroAt ? (zeroAt - tRestore) / 1000 : null, all: w.at ? (w.at - tRestore) / 1000 : null, check: check.ok };
}
