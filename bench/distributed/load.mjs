// The main-thread side of the load generator: starts the worker threads
// (bench/distributed/load_worker.mjs), each with its slice of the users and of the
// connections, starts and stops a load run on all of them and merges what they report.
import { Worker } from 'node:worker_threads';

import { stats } from './probes.mjs';

// Returns at once: {ready, ackedAll, startLoad, progress, close}. ready resolves when every
// worker is up; ackedAll collects the acknowledged operations of every run.
export function spawnGenerators({ port, users, workers: n, conns, client }) {
  const workers = Array.from({ length: n }, (_, w) => new Worker(new URL('./load_worker.mjs', import.meta.url), {
    workerData: { port, users: users.filter((_, i) => i % n === w), conns: Math.max(1, Math.floor(conns / n)), seed: 1000 + w, client },
  }));
  const ready = Promise.all(workers.map((w) => new Promise((res, rej) => { w.once('message', res); w.once('error', rej); })));
  const ackedAll = [];
  // Starts the load on every worker; returns {stop(), done: Promise<merged result>}
  function startLoad(rate, durationMs = 0, rampMs = 0) {
    const done = Promise.all(workers.map((w) => new Promise((res, rej) => {
      const on = (m) => { if (m.type === 'done') { w.off('message', on); res(m); } };
      w.on('message', on);
      w.once('error', rej);
    }))).then((parts) => {
      const acked = []; const failures = []; const latSched = []; const latSent = [];
      for (const p of parts) {
        for (const a of p.acked) acked.push({ client: `${a[0]}|${a[1]}`, user: a[0], task_id: a[1], type: a[2], version: a[3], at: a[4] });
        for (const f of p.failures) failures.push(f);
        for (const x of p.latSched) latSched.push(x);
        for (const x of p.latSent) latSent.push(x);
      }
      for (const a of acked) ackedAll.push(a);  // (push(...a) overflows the stack past ~100 000)
      return { acked, failures, latSched: stats(latSched), latSent: stats(latSent), issued: parts.reduce((s, p) => s + p.issued, 0),
        issueMs: Math.max(...parts.map((p) => p.issueMs)), measuredMs: Math.max(...parts.map((p) => p.measuredMs)),
        measuredAcked: parts.reduce((s, p) => s + p.measuredAcked, 0), rampMs,
        maxBehind: parts.reduce((s, p) => s + p.maxBehind, 0), elu: parts.map((p) => p.elu) };
    });
    for (const w of workers) w.postMessage({ type: 'start', rate: rate / n, durationMs, rampMs });
    return { stop: () => { for (const w of workers) w.postMessage({ type: 'stop' }); }, done };
  }
  // Acknowledged / failed / in-flight operations of the current run so far.
  const progress = () => Promise.all(workers.map((w) => new Promise((res) => {
    const on = (m) => { if (m.type === 'progress') { w.off('message', on); res(m); } };
    w.on('message', on);
    w.postMessage({ type: 'progress' });
  }))).then((ps) => ({ acked: ps.reduce((s, p) => s + p.acked, 0), failed: ps.reduce((s, p) => s + p.failed, 0), inFlight: ps.reduce((s, p) => s + p.inFlight, 0) }));
  const close = () => { for (const w of workers) w.postMessage({ type: 'exit' }); };
  return { ready, ackedAll, startLoad, progress, close };
}
