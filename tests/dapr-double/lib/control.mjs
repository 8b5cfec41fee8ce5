// The test-facing control API of the double, on its own port so that "refuse
// connections" can close the Dapr port while tests still talk to the double.
//   GET  /healthz            200 {ready}  (ready: listening, and subscribed when --app-port)
//   POST /fault              {"publish":"ok"|"500"|"refuse"|"delay"|"partial","for_ms":N,"delay_ms":N}
//   GET  /fault              the current fault
//   POST /duplicate          {"on":true[,"concurrent":true]}: deliver every message twice
//   GET  /stats              counters per topic, consumer lag, in-flight deliveries
//   GET  /topic/{topic}      every message of a topic in the log (?partition=N to narrow)
//   POST /inject             append a message as is: {"topic","partitionKey", and one of
//                            "cloudevent": {...} | "data": any | "raw": "text" [, "contentType"]}
//   GET  /jobs               {count, jobs}: the jobs of this app id, earliest first
//   GET  /jobs/attempts      {count, attempts}: every trigger attempt (?name=N to narrow)
import { randomUUID } from 'node:crypto';

import { HttpError, readBody, sendError, sendJson } from './http.mjs';
import { readTopic } from './log.mjs';
import { toLogMessage } from './publish.mjs';

export class Stats {
  constructor() {
    this.topics = new Map();
    this.requests = { publish: {}, bulk: {}, jobs: {}, other: {} };  // kind -> status -> count
  }

  request(kind, status) {
    this.requests[kind][status] = (this.requests[kind][status] || 0) + 1;
  }

  count(topic, name, n = 1) {
    let t = this.topics.get(topic);
    if (!t) {
      t = { published: 0, published_without_key: 0, publish_failed: 0, bulk_requests: 0, attempts: 0, bulk_deliveries: 0, delivered: 0, retried: 0, dead_lettered: 0, dropped: 0, duplicated: 0, injected: 0 };
      this.topics.set(topic, t);
    }
    t[name] = (t[name] || 0) + n;
  }

  toJSON() {
    return Object.fromEntries(this.topics);
  }
}

export class ControlApi {
  // options: {sidecar} (the Sidecar: appId, logDir, partitions, writer, stats, faults,
  //           consumer, pubsubs, startedAt)
  constructor({ sidecar }) {
    this.s = sidecar;
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    try {
      const body = await readBody(req);
      const json = () => {
        if (!body.length) return {};
        try { return JSON.parse(body.toString('utf8')); } catch (err) {
          throw new HttpError(400, 'ERR_MALFORMED_REQUEST', `body is not JSON: ${err.message}`);
        }
      };
      let m;
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ready: this.s.isReady() });
      if (path === '/fault' && req.method === 'POST') return sendJson(res, 200, await this.s.faults.set(json()));
      if (path === '/fault' && req.method === 'GET') return sendJson(res, 200, this.s.faults.state());
      if (path === '/duplicate' && req.method === 'POST') {
        const { on = true, concurrent = false } = json();
        if (!this.s.consumer) throw new HttpError(409, 'ERR_NO_CONSUMER', 'this double has no --app-port: nothing to deliver');
        this.s.consumer.duplicate = { on: Boolean(on), concurrent: Boolean(concurrent) };
        this.s.log(`duplicate delivery ${on ? 'on' : 'off'}${on && concurrent ? ' (concurrent)' : ''}`);
        return sendJson(res, 200, this.s.consumer.duplicate);
      }
      if (path === '/stats' && req.method === 'GET') return sendJson(res, 200, await this.stats());
      if ((m = /^\/topic\/(.+)$/.exec(path)) && req.method === 'GET') {
        const topic = decodeURIComponent(m[1]);
        let messages = readTopic(this.s.logDir, topic, { partitions: this.s.partitions });
        const p = url.searchParams.get('partition');
        if (p !== null) messages = messages.filter((x) => x.partition === Number(p));
        return sendJson(res, 200, { topic, count: messages.length, messages });
      }
      if (path === '/inject' && req.method === 'POST') return sendJson(res, 200, this.inject(json()));
      if (path === '/jobs' && req.method === 'GET') {
        const jobs = this.s.jobs.list();
        return sendJson(res, 200, { count: jobs.length, jobs });
      }
      if (path === '/jobs/attempts' && req.method === 'GET') {
        const attempts = this.s.jobs.attempts(url.searchParams.get('name'));
        return sendJson(res, 200, { count: attempts.length, attempts });
      }
      return sendError(res, 404, 'ERR_NOT_FOUND', `no control route ${req.method} ${path}`);
    } catch (err) {
      if (err instanceof HttpError) return sendError(res, err.status, err.errorCode, err.message);
      this.s.log(`control error on ${req.method} ${path}: ${err?.stack || err}`);
      return sendError(res, 500, 'ERR_INTERNAL', String(err?.message || err));
    }
  }

  async stats() {
    const c = this.s.consumer;
    if (c?.ready) await c.catchUp();
    return {
      app_id: this.s.appId,
      pid: process.pid,
      uptime_ms: Date.now() - this.s.startedAt,
      listening: this.s.listening,
      fault: this.s.faults.state(),
      topics: this.s.stats.toJSON(),
      requests: this.s.stats.requests,
      jobs: this.s.jobs.stats(),
      consumer: c ? {
        ready: c.ready,
        subscriptions: c.subscriptionList(),
        duplicate: c.duplicate,
        in_flight: c.inFlight,
        waiting_for_slot: c.readyQueue.length,
        lag: c.lag(),
      } : null,
    };
  }

  inject(body) {
    const { topic, partitionKey = null, contentType } = body;
    if (typeof topic !== 'string' || !topic) throw new HttpError(400, 'ERR_BAD_INJECT', 'topic is required');
    let msg;
    if (body.cloudevent !== undefined) {
      if (!body.cloudevent || typeof body.cloudevent !== 'object' || Array.isArray(body.cloudevent)) {
        throw new HttpError(400, 'ERR_BAD_INJECT', 'cloudevent must be an object');
      }
      msg = { contentType: 'application/cloudevents+json', event: body.cloudevent };  // stored exactly as given
    } else if (body.raw !== undefined) {
      if (typeof body.raw !== 'string') throw new HttpError(400, 'ERR_BAD_INJECT', 'raw must be a string');
      msg = { contentType: contentType || 'application/json', raw: true, event: body.raw };
    } else if ('data' in body) {
      const [pubsub] = this.s.pubsubs;
      msg = toLogMessage({ payload: body.data, contentType: contentType || 'application/json',
        meta: { 'cloudevent.id': body.id || randomUUID(), ...(body.type ? { 'cloudevent.type': body.type } : {}) },
        pubsub, topic, appId: this.s.appId });
    } else {
      throw new HttpError(400, 'ERR_BAD_INJECT', 'give one of cloudevent, data, raw');
    }
    const [r] = this.s.writer.append(topic, [{ key: partitionKey, ts: Date.now(), producer: `${this.s.appId}/inject`, ...msg }]);
    if (r.error) throw new HttpError(500, 'ERR_INJECT_FAILED', r.error);
    this.s.stats.count(topic, 'injected');
    return { topic, partition: r.partition, key: partitionKey, id: msg.raw ? null : msg.event.id ?? null };
  }
}
