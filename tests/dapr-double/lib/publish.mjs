// The app-facing Dapr HTTP API of the double: health, publish, bulk publish, metadata.
// Status codes and bodies follow Dapr's pub/sub API reference:
//   POST /v1.0/publish/{pubsub}/{topic}              204 | 400 | 401 | 404 | 500
//   POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}  204 | 400 | 401 | 404 | 500 {failedEntries, errorCode}
//   GET  /v1.0/healthz, /v1.0/healthz/outbound       204 (never needs the API token)
//   GET  /v1.0/metadata                              {id, components, subscriptions}
//   /v1.0-alpha1/jobs/{name} (POST, GET, DELETE)     the Jobs API: see jobs.mjs
// A publish is answered 204 only after its lines were written to the log (see log.mjs).
import { randomBytes, randomUUID } from 'node:crypto';

import { HttpError, isJsonType, mediaType, readBody, sendEmpty, sendError, sendJson, sleep } from './http.mjs';
import { JOBS_ROUTE } from './jobs.mjs';

const CLOUDEVENTS = 'application/cloudevents+json';

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

// `metadata.X=v` query parameters -> {X: v} (names are case-sensitive, as in Dapr).
export function queryMetadata(searchParams) {
  const meta = {};
  for (const [k, v] of searchParams) if (k.startsWith('metadata.')) meta[k.slice('metadata.'.length)] = v;
  return meta;
}

// Dapr's envelope fields that the sidecar adds to every CloudEvent it publishes.
function envelope(ce, { pubsub, topic }) {
  const tp = ce.traceparent || traceparent();
  return {
    ...ce,
    pubsubname: pubsub,
    topic,
    time: ce.time ?? new Date().toISOString(),
    traceid: ce.traceid ?? tp,
    traceparent: tp,
    tracestate: ce.tracestate ?? '',
  };
}

// One message as the log stores it ({contentType, event[, raw]}), from a body and its
// content type. Throws HttpError(400) on a malformed body.
export function toLogMessage({ payload, contentType, meta, pubsub, topic, appId }) {
  const type = mediaType(contentType) || 'text/plain';  // Dapr assumes text/plain
  if (meta.rawPayload === 'true') {
    const raw = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
    return { contentType: type, raw: true, event: raw };
  }
  if (type === CLOUDEVENTS) {
    let ce = payload;
    if (typeof ce === 'string' || Buffer.isBuffer(ce)) {
      try { ce = JSON.parse(ce.toString('utf8')); } catch (err) {
        throw new HttpError(400, 'ERR_PUBSUB_CLOUD_EVENTS_SER', `body is not a JSON CloudEvent: ${err.message}`);
      }
    }
    if (!ce || typeof ce !== 'object' || Array.isArray(ce)) {
      throw new HttpError(400, 'ERR_PUBSUB_CLOUD_EVENTS_SER', 'a CloudEvent must be a JSON object');
    }
    // Dapr fills the required attributes a custom CloudEvent leaves out.
    const filled = { specversion: '1.0', id: randomUUID(), source: appId, type: 'com.dapr.event.sent', ...ce };
    return { contentType: CLOUDEVENTS, event: envelope(filled, { pubsub, topic }) };
  }
  let data = payload;
  if (typeof data === 'string' || Buffer.isBuffer(data)) {
    const text = data.toString('utf8');
    if (isJsonType(type)) {
      try { data = JSON.parse(text); } catch (err) {
        throw new HttpError(400, 'ERR_MALFORMED_REQUEST', `body is not valid JSON for ${type}: ${err.message}`);
      }
    } else {
      data = text;
    }
  }
  const ce = {
    specversion: '1.0',
    id: meta['cloudevent.id'] || randomUUID(),
    source: meta['cloudevent.source'] || appId,
    type: meta['cloudevent.type'] || 'com.dapr.event.sent',
    datacontenttype: type,
    data,
  };
  return { contentType: CLOUDEVENTS, event: envelope(ce, { pubsub, topic }) };
}

export class DaprApi {
  // options: {appId, pubsubs: Set<string>, writer: LogWriter, stats: Stats, faults: Faults,
  //           daprApiToken, strictBulk, consumer (for /v1.0/metadata), jobs (Jobs), log}
  constructor(options) {
    Object.assign(this, options);
    this.singleCount = 0;
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    const kind = path.startsWith('/v1.0/publish/') ? 'publish' : path.startsWith('/v1.0-alpha1/publish/bulk/') ? 'bulk'
      : JOBS_ROUTE.test(path) ? 'jobs' : 'other';
    res.on('finish', () => this.stats.request(kind, res.statusCode));
    if (req.method === 'GET' && (path === '/v1.0/healthz' || path === '/v1.0/healthz/outbound')) {
      return sendEmpty(res, 204);
    }
    if (this.daprApiToken && req.headers['dapr-api-token'] !== this.daprApiToken) {
      await readBody(req).catch(() => {});
      return sendError(res, 401, 'ERR_API_UNAUTHORIZED', 'missing or invalid dapr-api-token');
    }
    try {
      let m;
      if (req.method === 'GET' && path === '/v1.0/metadata') return sendJson(res, 200, this.metadata());
      if ((m = /^\/v1\.0\/publish\/([^/]*)\/?(.*)$/.exec(path)) && req.method === 'POST') {
        return await this.publish(req, res, decodeURIComponent(m[1]), decodeURIComponent(m[2]), url);
      }
      if ((m = /^\/v1\.0-alpha1\/publish\/bulk\/([^/]*)\/?(.*)$/.exec(path)) && req.method === 'POST') {
        return await this.bulkPublish(req, res, decodeURIComponent(m[1]), decodeURIComponent(m[2]), url);
      }
      if (kind === 'jobs') return this.jobs.handle(req, res, path, await readBody(req));
      await readBody(req).catch(() => {});
      return sendError(res, 404, 'ERR_NOT_FOUND', `no route ${req.method} ${path}`);
    } catch (err) {
      if (err instanceof HttpError) return sendError(res, err.status, err.errorCode, err.message);
      this.log(`internal error on ${req.method} ${path}: ${err?.stack || err}`);
      return sendError(res, 500, 'ERR_INTERNAL', String(err?.message || err));
    }
  }

  metadata() {
    return {
      id: this.appId,
      runtimeVersion: 'dapr-double',
      components: [...this.pubsubs].map((name) => ({ name, type: 'pubsub.kafka', version: 'v1' })),
      subscriptions: this.consumer ? this.consumer.subscriptionList() : [],
    };
  }

  checkTarget(pubsub, topic) {
    if (!pubsub) throw new HttpError(404, 'ERR_PUBSUB_EMPTY', 'pubsub name is empty');
    if (!this.pubsubs.has(pubsub)) throw new HttpError(404, 'ERR_PUBSUB_NOT_FOUND', `pubsub ${pubsub} not found`);
    if (!topic) throw new HttpError(404, 'ERR_TOPIC_EMPTY', `topic is empty in pubsub ${pubsub}`);
  }

  async publish(req, res, pubsub, topic, url) {
    const body = await readBody(req);
    this.checkTarget(pubsub, topic);
    const meta = queryMetadata(url.searchParams);
    const msg = toLogMessage({ payload: body, contentType: req.headers['content-type'], meta, pubsub, topic, appId: this.appId });
    const fault = await this.faults.beforePublish();
    if (fault === '500' || (fault === 'partial' && this.singleCount++ % 2 === 1)) {
      this.stats.count(topic, 'publish_failed');
      return sendError(res, 500, 'ERR_PUBSUB_PUBLISH_MESSAGE', `error when publishing to topic ${topic} in pubsub ${pubsub}: kafka: injected broker failure`);
    }
    const key = meta.partitionKey ?? null;
    const [result] = this.writer.append(topic, [{ key, ts: Date.now(), producer: this.appId, ...msg }]);
    if (result.error) {
      this.stats.count(topic, 'publish_failed');
      return sendError(res, 500, 'ERR_PUBSUB_PUBLISH_MESSAGE', result.error);
    }
    this.stats.count(topic, 'published');
    if (key === null) this.stats.count(topic, 'published_without_key');
    await this.faults.afterPublish();
    return sendEmpty(res, 204);
  }

  // Body: a JSON array of entries (Dapr's form) or {"entries": [...]}; each entry
  // {entryId, event, contentType, metadata}. Entry metadata overrides the request's
  // (query metadata.*), so metadata.partitionKey works either per entry or per request.
  async bulkPublish(req, res, pubsub, topic, url) {
    const body = await readBody(req);
    this.checkTarget(pubsub, topic);
    let parsed;
    try { parsed = JSON.parse(body.toString('utf8')); } catch (err) {
      throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `bulk body is not JSON: ${err.message}`);
    }
    if (this.strictBulk && !Array.isArray(parsed)) {
      throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', 'bulk body must be a JSON array of entries (--strict-bulk: Dapr\'s form only)');
    }
    const entries = Array.isArray(parsed) ? parsed : parsed?.entries;
    if (!Array.isArray(entries)) throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', 'bulk body must be an array of entries');
    const reqMeta = queryMetadata(url.searchParams);
    const seen = new Set();
    const records = entries.map((e, i) => {
      if (!e || typeof e !== 'object' || Array.isArray(e)) throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `entry ${i} is not an object`);
      if (typeof e.entryId !== 'string' || e.entryId === '') throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `entry ${i}: entryId is required`);
      if (seen.has(e.entryId)) throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `entry ${i}: duplicate entryId ${e.entryId}`);
      seen.add(e.entryId);
      if (!('event' in e)) throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `entry ${e.entryId}: event is required`);
      if (e.metadata !== undefined && (typeof e.metadata !== 'object' || e.metadata === null || Array.isArray(e.metadata))) {
        throw new HttpError(400, 'ERR_PUBSUB_EVENTS_SER', `entry ${e.entryId}: metadata must be an object of strings`);
      }
      const meta = { ...reqMeta, ...(e.metadata || {}) };
      const contentType = e.contentType || inferContentType(e.event);
      const msg = toLogMessage({ payload: e.event, contentType, meta, pubsub, topic, appId: this.appId });
      return { entryId: e.entryId, key: meta.partitionKey ?? null, ts: Date.now(), producer: this.appId, ...msg };
    });
    this.stats.count(topic, 'bulk_requests');
    const fault = await this.faults.beforePublish();
    const failed = [];
    let toWrite = records;
    if (fault === '500') {
      toWrite = [];
      for (const r of records) failed.push({ entryId: r.entryId, error: 'kafka: injected broker failure' });
    } else if (fault === 'partial') {
      toWrite = records.filter((_, i) => i % 2 === 0);
      records.forEach((r, i) => { if (i % 2 === 1) failed.push({ entryId: r.entryId, error: 'kafka: injected failure of this entry' }); });
    }
    const results = this.writer.append(topic, toWrite);
    results.forEach((r, i) => {
      if (r.error) failed.push({ entryId: toWrite[i].entryId, error: r.error });
      else {
        this.stats.count(topic, 'published');
        if (toWrite[i].key === null) this.stats.count(topic, 'published_without_key');
      }
    });
    if (failed.length) {
      this.stats.count(topic, 'publish_failed', failed.length);
      return sendJson(res, 500, { failedEntries: failed, errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' });
    }
    await this.faults.afterPublish();
    return sendEmpty(res, 204);
  }
}

// Dapr SDKs' rule when an entry has no contentType.
function inferContentType(event) {
  if (typeof event === 'string') return 'text/plain';
  if (event && typeof event === 'object' && !Array.isArray(event) &&
    ['id', 'source', 'specversion', 'type'].every((k) => k in event)) return CLOUDEVENTS;
  return 'application/json';
}

// Publish faults set through the control API: ok | 500 | refuse | delay | partial |
// hold-ack, optionally for a while (for_ms), after which the double is healthy again.
export class Faults {
  constructor({ onRefuse, onAccept, log }) {
    this.mode = 'ok';
    this.delayMs = 0;
    this.until = null;
    this.timer = null;
    this.held = 0;  // publish answers being held (hold-ack)
    this.releases = new Set();
    this.onRefuse = onRefuse;  // stop listening on the Dapr port
    this.onAccept = onAccept;  // listen again
    this.log = log;
  }

  async set({ publish = 'ok', for_ms: forMs, delay_ms: delayMs }) {
    if (!['ok', '500', 'refuse', 'delay', 'partial', 'hold-ack'].includes(publish)) {
      throw new HttpError(400, 'ERR_BAD_FAULT', `publish must be ok|500|refuse|delay|partial|hold-ack, not ${publish}`);
    }
    if (forMs !== undefined && !(Number.isFinite(forMs) && forMs >= 0)) throw new HttpError(400, 'ERR_BAD_FAULT', 'for_ms must be a number >= 0');
    if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) throw new HttpError(400, 'ERR_BAD_FAULT', 'delay_ms must be a number >= 0');
    clearTimeout(this.timer);
    this.timer = null;
    const wasRefusing = this.mode === 'refuse';
    this.mode = publish;
    this.delayMs = publish === 'delay' ? (delayMs ?? 200) : publish === 'hold-ack' ? (delayMs ?? 0) : 0;
    // Any change of the fault answers the publishes held so far.
    for (const release of this.releases) release();
    this.releases.clear();
    this.until = forMs !== undefined && publish !== 'ok' ? Date.now() + forMs : null;
    this.log(`fault: publish=${publish}${this.delayMs ? ` delay_ms=${this.delayMs}` : ''}${this.until ? ` for ${forMs} ms` : ''}`);
    if (publish === 'refuse' && !wasRefusing) await this.onRefuse();
    if (publish !== 'refuse' && wasRefusing) await this.onAccept();
    if (this.until) {
      this.timer = setTimeout(() => { this.set({ publish: 'ok' }).catch((err) => this.log(`fault reset failed: ${err}`)); }, forMs);
    }
    return this.state();
  }

  state() {
    return { publish: this.mode, delay_ms: this.delayMs, until: this.until ? new Date(this.until).toISOString() : null, held: this.held };
  }

  // Applies the delay; returns the mode a publish must honour.
  async beforePublish() {
    if (this.mode === 'delay' && this.delayMs > 0) await sleep(this.delayMs);
    return this.mode;
  }

  // hold-ack: the message is in the log, but its answer waits until the fault changes (or
  // delay_ms passed, when given) -- a broker that took the message while the acknowledgement
  // is late or lost, so a publisher that dies meanwhile must publish it again.
  async afterPublish() {
    if (this.mode !== 'hold-ack') return;
    this.held++;
    try {
      await new Promise((resolve) => {
        const release = () => { this.releases.delete(release); resolve(); };
        this.releases.add(release);
        if (this.delayMs > 0) setTimeout(release, this.delayMs).unref();
      });
    } finally {
      this.held--;
    }
  }
}
