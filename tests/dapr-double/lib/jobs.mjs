// The Jobs API of the double: Dapr's jobs building block as daprd 1.16+ with its Scheduler
// answers it over HTTP (dapr/dapr pkg/api/http/jobs.go, pkg/api/universal/jobs.go,
// pkg/scheduler/server/api.go; go-etcd-cron for the schedule), and the trigger calls to the app.
//
//   POST   /v1.0-alpha1/jobs/{name}  {dueTime | schedule, data, overwrite, repeats, ttl,
//                                     failurePolicy}   204 | 400 | 401 | 409 | 500
//   GET    /v1.0-alpha1/jobs/{name}  200 the job | 500 DAPR_SCHEDULER_GET_JOB (unknown name)
//   DELETE /v1.0-alpha1/jobs/{name}  204 (an unknown name too, as etcd deletes)
// (/v1.0/jobs/{name}, the stable spelling of Dapr 1.17, is the same.)
//
// Firing: when a job is due, POST /job/{name} on the app, Content-Type application/json, the
// job's `data` as the body (no data: an empty body), `dapr-api-token` when --app-api-token.
// 2xx -> done; 404 -> done (Dapr does not retry it, it counts it as failed); any other
// status, a connection error or no answer within the delivery timeout -> failed, retried
// after the failure policy's constant interval (the job's failurePolicy, else
// --job-retry-interval-ms / --job-max-retries: 1 s and 3 retries, Dapr's default), then
// dropped with a log line. A one-shot job is deleted once done or dropped.
//
// Jobs belong to the app id: DIR/jobs/<app-id>.json holds them (written atomically before a
// schedule or delete is answered), so a restarted double keeps them and fires what came due
// meanwhile, and a double with another app id neither sees nor fires them. Triggers start
// once the app answered GET /dapr/subscribe (daprd, too, only takes jobs from its Scheduler
// once the app is up); until then due jobs wait. Each attempt is appended to
// DIR/jobs/<app-id>.attempts.jsonl (the control API's GET /jobs/attempts).
import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { AppClient } from './app_client.mjs';
import { HttpError, sendEmpty, sendJson } from './http.mjs';
import { formatProtoDuration, parseGoDuration, parsePointInTime, parseProtoDuration } from './jobs_time.mjs';
import { jobFromBody } from './jobs_request.mjs';

export const JOBS_ROUTE = /^\/v1\.0(?:-alpha1)?\/jobs\/([^/]*)$/;
const MAX_TIMER_MS = 2 ** 31 - 1;  // setTimeout's limit; longer waits are re-armed
const VALUE_TYPE = 'type.googleapis.com/google.protobuf.Value';

// Dapr's rich error body for the Scheduler errors: {errorCode, message, details: [ErrorInfo]}.
function sendJobError(res, status, errorCode, message, appId) {
  sendJson(res, status, { errorCode, message, details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: errorCode, domain: 'dapr.io', metadata: { appID: appId, namespace: '' } }] });
}

export class Jobs {
  // options: {appId, logDir, appHost, appPort (null: jobs are kept but never fired),
  //           appApiToken, timeoutMs, maxRetries (-1: forever), retryIntervalMs, fsync,
  //           maxInFlight, log}
  constructor(options) {
    Object.assign(this, options);
    this.dir = join(this.logDir, 'jobs');
    mkdirSync(this.dir, { recursive: true });
    this.file = join(this.dir, `${this.appId}.json`);
    this.attemptsFile = join(this.dir, `${this.appId}.attempts.jsonl`);
    this.jobs = new Map();  // name -> job record (see schedule())
    this.counts = { scheduled: 0, overwritten: 0, conflicts: 0, deleted: 0, attempts: 0, succeeded: 0, retried: 0, dropped: 0 };
    this.firing = false;    // set by start()
    this.stopped = false;
    this.inFlight = 0;
    this.queue = [];
    this.timer = null;
    this.client = this.appPort ? new AppClient({ host: this.appHost, port: this.appPort }) : null;
    this.load();
  }

  load() {
    if (!existsSync(this.file)) return;
    try {
      for (const job of JSON.parse(readFileSync(this.file, 'utf8')).jobs || []) this.jobs.set(job.name, { ...job, state: 'waiting' });
      this.log(`jobs: ${this.jobs.size} kept from ${this.file}`);
    } catch (err) {
      process.emitWarning(`${this.file}: unreadable (${err.message}); starting without jobs`);
    }
  }

  // Atomic (temporary file, then rename) and synchronous: a 204 means the job is on disk.
  save() {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const jobs = [...this.jobs.values()].map(({ state, ...stored }) => stored);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ app_id: this.appId, saved_at: new Date().toISOString(), jobs }));
      if (this.fsync) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  // Fires from now on (the app is up). Overdue jobs go at once.
  start() {
    if (!this.client || this.firing) return;
    this.firing = true;
    this.log(`jobs: firing to the app on ${this.appHost}:${this.appPort} (${this.jobs.size} kept)`);
    this.arm();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client?.destroy();
  }

  // ---- the Dapr API ----
  // -> true when the request was a jobs route (answered), false otherwise.
  handle(req, res, path, body) {
    const m = JOBS_ROUTE.exec(path);
    if (!m) return false;
    let name = m[1];
    try { name = decodeURIComponent(name); } catch { /* keep it as sent */ }
    if (req.method === 'POST') this.schedule(res, name.trim(), body);
    else if (req.method === 'GET') this.get(res, name);
    else if (req.method === 'DELETE') this.remove(res, name);
    else sendJson(res, 405, { errorCode: 'ERR_METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${path}` });
    return true;
  }

  schedule(res, name, body) {
    const now = Date.now();
    const fail = (status, code, message) => sendJobError(res, status, code, message, this.appId);
    const schedErr = (status, grpcCode, desc) =>
      fail(status, 'DAPR_SCHEDULER_SCHEDULE_JOB', `failed to schedule job due to: rpc error: code = ${grpcCode} desc = ${desc}`);
    let spec;
    try {
      spec = jobFromBody(body);  // 400s of daprd itself (JSON shape, field types)
    } catch (err) {
      if (err instanceof HttpError && err.errorCode === 'ERR_MALFORMED_REQUEST') return sendJson(res, 400, { errorCode: err.errorCode, message: err.message });
      if (err instanceof HttpError) return fail(err.status, err.errorCode, err.message);
      throw err;
    }
    if (!name) return fail(400, 'DAPR_SCHEDULER_JOB_NAME_EMPTY', 'Name is empty');
    if (spec.schedule === undefined && spec.dueTime === undefined) return fail(400, 'DAPR_SCHEDULER_SCHEDULE_EMPTY', 'Schedule is empty');
    // The Scheduler's checks (go-etcd-cron): its errors reach the app as 500s.
    const nameErr = invalidName(name);
    if (nameErr) return schedErr(500, 'Unknown', nameErr);
    if (spec.schedule === undefined && spec.repeats > 1) return schedErr(500, 'Unknown', 'job must have a schedule to repeat');
    if (spec.repeats !== undefined && spec.repeats < 1) return schedErr(500, 'Unknown', 'defined repeats must be greater than 0');
    if (spec.schedule === undefined && spec.ttl !== undefined) return schedErr(500, 'Unknown', 'job must have a schedule to have a ttl');
    let everyMs = null;
    if (spec.schedule !== undefined) {
      const every = /^@every (.+)$/.exec(spec.schedule);
      everyMs = every ? parseGoDuration(every[1]) : null;
      if (everyMs === null || everyMs <= 0) {
        // Cron expressions and @daily etc. are not implemented by the double: say so loudly.
        return sendJson(res, 501, { errorCode: 'ERR_DOUBLE_UNSUPPORTED',
          message: `the Dapr double supports dueTime one-shot jobs and "@every <duration>" schedules only, not ${JSON.stringify(spec.schedule)}` });
      }
    }
    let nextAt;
    let expiresAt = null;
    try {
      nextAt = spec.dueTime === undefined ? now + everyMs : parsePointInTime(spec.dueTime, now, 'due time');
      if (spec.ttl !== undefined) {
        expiresAt = parsePointInTime(spec.ttl, spec.dueTime === undefined ? now : nextAt, 'ttl');
        if (spec.dueTime !== undefined && nextAt > expiresAt) throw new Error('ttl must be greater than due time');
      }
    } catch (err) {
      return schedErr(500, 'Unknown', err.message);
    }
    const existing = this.jobs.get(name);
    if (existing && !spec.overwrite) {
      this.counts.conflicts++;
      return schedErr(409, 'AlreadyExists', `job already exists: ${name}`);
    }
    const job = {
      id: randomUUID(), name, schedule: spec.schedule, repeats: spec.repeats, dueTime: spec.dueTime, ttl: spec.ttl,
      hasData: spec.hasData, data: spec.data, failurePolicy: spec.failurePolicy,
      created_at: now, next_at: nextAt, tick_at: nextAt, every_ms: everyMs, expires_at: expiresAt, triggered: 0, failures: 0, state: 'waiting',
    };
    this.jobs.set(name, job);
    this.save();
    this.counts.scheduled++;
    if (existing) this.counts.overwritten++;
    this.log(`job ${name} ${existing ? 'overwritten' : 'scheduled'}, due ${new Date(nextAt).toISOString()}`);
    sendEmpty(res, 204);
    this.arm();
  }

  get(res, name) {
    if (!name) return sendJobError(res, 400, 'DAPR_SCHEDULER_JOB_NAME_EMPTY', 'Name is empty', this.appId);
    const job = this.jobs.get(name);
    if (!job) {
      return sendJobError(res, 500, 'DAPR_SCHEDULER_GET_JOB',
        `failed to get job due to: rpc error: code = NotFound desc = job not found: ${name}`, this.appId);
    }
    // protojson of runtime.v1.Job: unset fields left out, data as a google.protobuf.Any
    const out = { name };
    if (job.schedule !== undefined) out.schedule = job.schedule;
    if (job.repeats !== undefined) out.repeats = job.repeats;
    if (job.dueTime !== undefined) out.dueTime = job.dueTime;
    if (job.ttl !== undefined) out.ttl = job.ttl;
    if (job.hasData) out.data = { '@type': VALUE_TYPE, value: job.data };
    out.failurePolicy = this.policyJson(job);
    return sendJson(res, 200, out);
  }

  remove(res, name) {
    if (!name) return sendJobError(res, 400, 'DAPR_SCHEDULER_JOB_NAME_EMPTY', 'Name is empty', this.appId);
    if (this.jobs.delete(name)) {
      this.save();
      this.counts.deleted++;
      this.log(`job ${name} deleted`);
      this.arm();
    }
    return sendEmpty(res, 204);
  }

  // The failure policy in effect: {drop} or {constant: {intervalMs, maxRetries (-1: forever)}}.
  policy(job) {
    const p = job.failurePolicy;
    if (p?.drop) return { drop: true };
    if (p?.constant) {
      return { constant: { intervalMs: p.constant.interval === undefined ? 0 : parseProtoDuration(p.constant.interval),
        maxRetries: p.constant.maxRetries === undefined ? -1 : p.constant.maxRetries } };
    }
    return { constant: { intervalMs: this.retryIntervalMs, maxRetries: this.maxRetries } };
  }

  policyJson(job) {
    const p = this.policy(job);
    if (p.drop) return { drop: {} };
    return { constant: { interval: formatProtoDuration(p.constant.intervalMs), ...(p.constant.maxRetries >= 0 ? { maxRetries: p.constant.maxRetries } : {}) } };
  }

  // ---- firing ----
  // One timer, for the earliest waiting job.
  arm() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.firing || this.stopped) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const job of this.jobs.values()) {
      if (job.state !== 'waiting') continue;
      if (job.next_at <= now) {
        job.state = 'queued';
        this.queue.push(job);
      } else {
        earliest = Math.min(earliest, job.next_at);
      }
    }
    this.pump();
    if (earliest !== Infinity) this.timer = setTimeout(() => this.arm(), Math.min(MAX_TIMER_MS, earliest - now));
  }

  pump() {
    while (!this.stopped && this.inFlight < this.maxInFlight && this.queue.length) {
      const job = this.queue.shift();
      if (this.jobs.get(job.name) !== job) continue;  // deleted or overwritten while queued
      this.inFlight++;
      this.trigger(job)
        .catch((err) => this.log(`job ${job.name}: trigger crashed: ${err?.stack || err}`))
        .finally(() => { this.inFlight--; this.pump(); });
    }
  }

  async trigger(job) {
    job.state = 'in-flight';
    const attempt = job.failures + 1;
    const headers = { 'Content-Type': 'application/json' };
    if (this.appApiToken) headers['dapr-api-token'] = this.appApiToken;
    const body = job.hasData ? JSON.stringify(job.data) : '';
    const started = Date.now();
    let status = null;
    let reason;
    try {
      const res = await this.client.request('POST', `/job/${encodeURIComponent(job.name)}`, body, headers, this.timeoutMs);
      status = res.status;
      reason = `app answered ${res.status}`;
    } catch (err) {
      reason = err.code === 'TIMEOUT' ? `timeout after ${this.timeoutMs} ms` : `connection error: ${err.code || err.message}`;
    }
    if (this.stopped) return;  // shutting down: the job stays on disk and fires again after a restart
    this.counts.attempts++;
    const current = this.jobs.get(job.name) === job;  // not deleted or overwritten meanwhile
    let result;
    if (status !== null && status >= 200 && status < 300) result = 'success';
    else if (status === 404) result = 'drop';  // Dapr: not retried, counted as a failure
    else {
      const p = this.policy(job);
      const retriesLeft = !p.drop && (p.constant.maxRetries < 0 || attempt <= p.constant.maxRetries);
      if (retriesLeft && current) {
        result = 'retry';
      } else {
        result = 'drop';
        if (!p.drop) reason = `retries exhausted (${attempt} attempts); last: ${reason}`;
      }
    }
    this.recordAttempt({ name: job.name, job_id: job.id, attempt, result, status, reason, started, ended: Date.now() });
    if (!current) return;
    if (result === 'retry') {
      this.counts.retried++;
      job.failures = attempt;
      job.state = 'waiting';
      job.next_at = Date.now() + this.policy(job).constant.intervalMs;
      this.save();
      this.arm();
      return;
    }
    if (result === 'success') this.counts.succeeded++;
    else {
      this.counts.dropped++;
      this.log(`job ${job.name} dropped after attempt ${attempt}: ${reason}`);
    }
    this.done(job);
  }

  // A trigger is over (succeeded or given up): one-shot and finished jobs go, repeating
  // ones wait for their next time.
  done(job) {
    job.triggered++;
    job.failures = 0;
    // the next tick counts from this tick's time, not from when its retries ended
    const next = job.every_ms ? (job.tick_at ?? job.next_at) + job.every_ms : null;
    const more = next !== null && (job.repeats === undefined || job.triggered < job.repeats) && (job.expires_at === null || next <= job.expires_at);
    if (more) {
      job.tick_at = next;
      job.next_at = Math.max(next, Date.now());
      job.state = 'waiting';
    } else {
      this.jobs.delete(job.name);
    }
    this.save();
    this.arm();
  }

  recordAttempt(a) {
    appendFileSync(this.attemptsFile, `${JSON.stringify({ ...a, started: new Date(a.started).toISOString(), ended: new Date(a.ended).toISOString() })}\n`);
    this.log(`job ${a.name} attempt ${a.attempt}: ${a.result} (${a.reason})`);
  }

  // ---- inspection (control API) ----
  list() {
    return [...this.jobs.values()].sort((a, b) => a.next_at - b.next_at).map((j) => ({
      name: j.name, id: j.id, state: this.firing ? j.state : 'held', due_at: new Date(j.next_at).toISOString(),
      dueTime: j.dueTime, schedule: j.schedule, repeats: j.repeats, ttl: j.ttl,
      expires_at: j.expires_at === null ? null : new Date(j.expires_at).toISOString(),
      ...(j.hasData ? { data: j.data } : {}), failurePolicy: this.policyJson(j),
      created_at: new Date(j.created_at).toISOString(), triggered: j.triggered, failures: j.failures,
    }));
  }

  attempts(name) {
    if (!existsSync(this.attemptsFile)) return [];
    const all = readFileSync(this.attemptsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    return name ? all.filter((a) => a.name === name) : all;
  }

  stats() {
    return { ...this.counts, pending: this.jobs.size, in_flight: this.inFlight, firing: this.firing };
  }
}

// go-etcd-cron's check: without "_", ":", "-" and " ", lower-cased, a DNS-1123 subdomain.
function invalidName(name) {
  const s = name.replace(/[_: -]/g, '').toLowerCase();
  if (s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s)) return null;
  return `job name is invalid ${JSON.stringify(s)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`;
}
