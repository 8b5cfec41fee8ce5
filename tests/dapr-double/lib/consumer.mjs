// The subscriber side of the double: asks the app for its subscriptions, tails their
// topics in the shared log and delivers each message to the app with Dapr's semantics.
//
// Lifecycle: start() waits until the app answers GET /dapr/subscribe (connection refused
// -> try again every 200 ms; 404 -> no subscriptions), then starts one PartitionTail per
// (subscription, partition). stop() ends deliveries and saves the offsets.
//
// Ordering and concurrency: messages of one partition key are delivered one at a time,
// in log order (the next waits until the previous one is done: succeeded or
// dead-lettered); different keys run concurrently, at most `maxInFlight` deliveries at
// once for the whole double. Messages without a key are independent of each other.
//
// Outcome of one delivery (Dapr's rules):
//   2xx with {"status":"SUCCESS"}, an empty body, a non-JSON body or no status -> done
//   2xx with {"status":"RETRY"} or an unknown status, any non-2xx but 404,
//   connection error, timeout                                      -> retry after backoff
//   2xx with {"status":"DROP"}, or 404                             -> dead-letter topic
// Retries keep the key's slot, so later messages of the same key wait (order kept).
// With maxRetries >= 0 a message that used them all is dead-lettered, like Dapr after a
// resiliency policy's retries.
//
// Offsets: per (app-id, topic, partition) the lowest offset not yet done is committed
// to the log dir (debounced, atomic rename), so a restarted double continues there and
// redelivers at most what was in flight or done after the last save (at-least-once).
//
// Subscriptions with bulkSubscribe enabled are delivered in batches instead, one batch at
// a time per partition: see bulk_delivery.mjs.
import { mkdirSync, watch } from 'node:fs';

import { AppClient } from './app_client.mjs';
import { BulkPartition, bulkSettings } from './bulk_delivery.mjs';
import { sleep } from './http.mjs';
import { loadOffsets, PartitionReader, saveOffsets, saveOffsetsSync, topicDir } from './log.mjs';

const WINDOW_LIMIT = 20_000;  // messages read ahead per partition (bounded memory)
const POLL_MS = 50;           // safety net under fs.watch

export class Consumer {
  // options: {appId, appPort, appHost, appApiToken, logDir, pubsubs, partitions,
  //           maxInFlight, timeoutMs, retryInitialMs, retryMaxMs, maxRetries,
  //           writer (for dead letters), stats, log, deliveryLog (optional write stream)}
  constructor(options) {
    Object.assign(this, options);
    this.subscriptions = [];
    this.tails = [];
    this.ready = false;
    this.stopped = false;
    this.inFlight = 0;
    // messages whose turn it is (head of their key) and bulk partitions with a batch due,
    // waiting for a slot
    this.readyQueue = [];
    this.duplicate = { on: false, concurrent: false };
    // keep-alive connections to the app (a small client: node:http cost 2-3x the CPU per call)
    this.client = new AppClient({ host: this.appHost, port: this.appPort, maxIdle: Math.max(64, this.maxInFlight * 2) });
    this.watchers = [];
  }

  subscriptionList() {
    // bulk settings as in effect (Dapr's defaults filled in)
    return this.subscriptions.map((s) => ({ ...s.raw, ...(s.bulk ? { bulkSubscribe: { enabled: true, ...s.bulk } } : {}) }));
  }

  async start() {
    const subs = await this.loadSubscriptions();
    if (this.stopped) return;
    for (const raw of subs) {
      const route = raw.route || raw.routes?.default;
      if (!this.pubsubs.has(raw.pubsubname)) {
        this.log(`subscription to unknown pubsub ${raw.pubsubname} (topic ${raw.topic}) ignored`);
        continue;
      }
      if (!raw.topic || !route) {
        this.log(`subscription without topic or route ignored: ${JSON.stringify(raw)}`);
        continue;
      }
      this.subscriptions.push({ raw, pubsubname: raw.pubsubname, topic: raw.topic, route, deadLetterTopic: raw.deadLetterTopic || null,
        rawPayload: raw.metadata?.rawPayload === 'true', bulk: bulkSettings(raw.bulkSubscribe, this.log) });
    }
    for (const sub of this.subscriptions) {
      const committed = loadOffsets(this.logDir, this.appId, sub.topic);
      sub.offsets = {};
      sub.tails = [];
      for (let p = 0; p < this.partitions; p++) {
        const tail = new PartitionTail(this, sub, p, committed[p] || { offset: 0, pos: 0 });
        sub.offsets[p] = { ...tail.committed };
        sub.tails.push(tail);
        this.tails.push(tail);
      }
      const dir = topicDir(this.logDir, sub.topic);
      mkdirSync(dir, { recursive: true });
      try {
        // inotify names the partition file that changed: read just that one
        const w = watch(dir, (_event, filename) => {
          const p = /^(\d+)\.jsonl$/.exec(String(filename || ''));
          const tail = p && sub.tails[Number(p[1])];
          if (tail) tail.poke(); else for (const t of sub.tails) t.poke();
        });
        w.on('error', () => {});
        this.watchers.push(w);
      } catch (err) {
        this.log(`fs.watch on ${dir} failed (${err.message}); polling only`);
      }
    }
    this.pollTimer = setInterval(() => { for (const t of this.tails) t.poke(); }, POLL_MS);
    this.ready = true;
    const describe = (s) => `${s.pubsubname}/${s.topic} -> ${s.route}${s.deadLetterTopic ? ` (dlq ${s.deadLetterTopic})` : ''}`
      + `${s.bulk ? ` (bulk: up to ${s.bulk.maxMessagesCount} messages, ${s.bulk.maxAwaitDurationMs} ms)` : ''}`;
    this.log(`subscribed: ${this.subscriptions.map(describe).join(', ') || 'nothing'}`);
    for (const t of this.tails) t.poke();
  }

  // Dapr asks the app once at start; the double waits for the app as long as it takes.
  async loadSubscriptions() {
    let lastLog = 0;
    while (!this.stopped) {
      try {
        // Dapr sends the app token on every call to the app, this one included.
        const headers = this.appApiToken ? { 'dapr-api-token': this.appApiToken } : {};
        const res = await this.request('GET', '/dapr/subscribe', null, headers, 5000);
        if (res.status === 404) return [];
        if (res.status === 200) {
          const list = JSON.parse(res.body || '[]');
          if (!Array.isArray(list)) throw new Error('GET /dapr/subscribe did not answer a JSON array');
          return list;
        }
        throw new Error(`GET /dapr/subscribe answered ${res.status}`);
      } catch (err) {
        if (Date.now() - lastLog > 5000) {
          this.log(`waiting for the app on port ${this.appPort}: ${err.code || err.message}`);
          lastLog = Date.now();
        }
        await sleep(200);
      }
    }
    return [];
  }

  // -> {status, body}; rejects on a connection error or after timeoutMs (err.code TIMEOUT).
  request(method, path, body, headers, timeoutMs) {
    return this.client.request(method, path, body, headers, timeoutMs);
  }

  // ---- scheduling ----
  // item: a message, or a BulkPartition with a batch due (one slot per batch)
  enqueueReady(item) {
    this.readyQueue.push(item);
    this.pump();
  }

  pump() {
    while (!this.stopped && this.inFlight < this.maxInFlight && this.readyQueue.length) {
      const item = this.readyQueue.shift();
      this.inFlight++;
      const work = item instanceof BulkPartition ? item.run() : this.process(item);
      const what = item instanceof BulkPartition ? `a batch of ${item.topic}/${item.partition}` : `${item.topic}/${item.partition}@${item.offset}`;
      work.catch((err) => this.log(`delivery of ${what} crashed: ${err?.stack || err}`))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  async process(msg) {
    const { sub } = msg.tail;
    let outcome;
    if (this.duplicate.on && this.duplicate.concurrent) {
      const both = await Promise.all([this.deliverUntilDone(msg), this.deliverUntilDone(msg)]);
      this.stats.count(sub.topic, 'duplicated');
      outcome = both.find((o) => o.kind !== 'success') || both[0];
    } else {
      outcome = await this.deliverUntilDone(msg);
      if (outcome.kind === 'success' && this.duplicate.on && !this.stopped) {
        this.stats.count(sub.topic, 'duplicated');
        outcome = await this.deliverUntilDone(msg);
      }
    }
    if (outcome.kind === 'stopped') return;  // not done: redelivered after a restart
    if (outcome.kind === 'drop') this.deadLetter(msg, outcome.reason);
    msg.tail.done(msg);
  }

  // Delivers until the app takes the message (success) or rejects it for good (drop).
  async deliverUntilDone(msg) {
    const { sub } = msg.tail;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return { kind: 'stopped' };
      const r = await this.deliverOnce(msg, attempt);
      if (r.kind === 'success' || r.kind === 'drop') return r;
      if (this.maxRetries >= 0 && attempt > this.maxRetries) {
        return { kind: 'drop', reason: `retries exhausted (${attempt} attempts); last: ${r.reason}` };
      }
      this.stats.count(sub.topic, 'retried');
      await sleep(this.retryDelay(attempt));
    }
  }

  // Exponential backoff with jitter after the attempt-th failed attempt.
  retryDelay(attempt) {
    const backoff = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(attempt - 1, 20));
    return backoff * (0.5 + Math.random() * 0.5);
  }

  async deliverOnce(msg, attempt) {
    const { sub } = msg.tail;
    const rec = msg.record;
    let body;
    let contentType;
    if (rec.raw) {
      body = String(rec.event);
      contentType = rec.contentType || 'application/octet-stream';
    } else {
      body = JSON.stringify({ ...rec.event, topic: sub.topic, pubsubname: sub.pubsubname });
      contentType = 'application/cloudevents+json';
    }
    const headers = { 'Content-Type': contentType };
    if (this.appApiToken) headers['dapr-api-token'] = this.appApiToken;
    if (!rec.raw && rec.event?.traceparent) headers.traceparent = rec.event.traceparent;
    const started = Date.now();
    this.stats.count(sub.topic, 'attempts');
    let result;
    try {
      const res = await this.request('POST', sub.route, body, headers, this.timeoutMs);
      result = classify(res);
    } catch (err) {
      result = { kind: 'retry', reason: err.code === 'TIMEOUT' ? `timeout after ${this.timeoutMs} ms` : `connection error: ${err.code || err.message}` };
    }
    if (result.kind === 'success') this.stats.count(sub.topic, 'delivered');
    this.logAttempt(msg, attempt, result, started, Date.now());
    return result;
  }

  // --delivery-log: one line per message per attempt (bulk: per entry, `ended` = when the
  // answer to the whole request arrived); tests/distributed compute latencies from it.
  logAttempt(msg, attempt, result, started, ended, extra) {
    const rec = msg.record;
    this.deliveryLog?.write(`${JSON.stringify({
      topic: msg.topic, partition: msg.partition, offset: msg.offset, key: rec.key ?? null,
      id: rec.raw ? null : rec.event?.id ?? null, attempt, result: result.kind, reason: result.reason,
      started, ended, ...extra,
    })}\n`);
  }

  deadLetter(msg, reason) {
    const { sub } = msg.tail;
    if (!sub.deadLetterTopic) {
      this.stats.count(sub.topic, 'dropped');
      this.log(`dropped ${sub.topic}/${msg.partition}@${msg.offset} (no deadLetterTopic): ${reason}`);
      return;
    }
    const rec = { ...msg.record, ts: Date.now(), producer: this.appId,
      deadLetter: { topic: sub.topic, partition: msg.partition, offset: msg.offset, reason } };
    // Dapr publishes to the dead-letter topic once, best effort; so does the double.
    const [r] = this.writer.append(sub.deadLetterTopic, [rec]);
    if (r.error) this.log(`dead-lettering ${sub.topic}/${msg.partition}@${msg.offset} failed: ${r.error}`);
    this.stats.count(sub.topic, 'dead_lettered');
  }

  // ---- offsets ----
  commit(sub, partition, committed) {
    sub.offsets[partition] = committed;
    if (sub.saveTimer) return;
    sub.saveTimer = setTimeout(() => {
      sub.saveTimer = null;
      const snapshot = { ...sub.offsets };
      sub.saving = (sub.saving || Promise.resolve())
        .then(() => saveOffsets(this.logDir, this.appId, sub.topic, snapshot))
        .catch((err) => this.log(`saving offsets of ${sub.topic} failed: ${err.message}`));
    }, 20);
  }

  lag() {
    const out = {};
    for (const sub of this.subscriptions) {
      const parts = sub.tails.map((t) => ({
        partition: t.partition, end: t.reader.nextOffset, committed: t.committed.offset,
        lag: t.reader.nextOffset - t.committed.offset, waiting: t.window.length - t.doneInWindow,
      }));
      out[sub.topic] = { total: parts.reduce((a, p) => a + p.lag, 0), partitions: parts };
    }
    return out;
  }

  // Reads every partition up to its current end, so that lag() is exact now.
  async catchUp() {
    await Promise.all(this.tails.map((t) => t.settle()));
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pollTimer);
    for (const w of this.watchers) w.close();
    for (const t of this.tails) t.bulk?.stop();
    for (const sub of this.subscriptions) {
      clearTimeout(sub.saveTimer);
      try { saveOffsetsSync(this.logDir, this.appId, sub.topic, sub.offsets); } catch (err) {
        this.log(`saving offsets of ${sub.topic} failed: ${err.message}`);
      }
    }
    this.client.destroy();
  }
}

function classify(res) {
  if (res.status === 404) return { kind: 'drop', reason: 'app answered 404' };
  if (res.status < 200 || res.status > 299) return { kind: 'retry', reason: `app answered ${res.status}` };
  let status;
  try {
    const body = JSON.parse(res.body);
    status = body && typeof body === 'object' ? body.status : undefined;
  } catch {
    return { kind: 'success' };  // empty or not JSON: Dapr counts 2xx as SUCCESS
  }
  if (status === undefined || status === null || status === '' || status === 'SUCCESS') return { kind: 'success' };
  if (status === 'DROP') return { kind: 'drop', reason: 'app answered DROP' };
  if (status === 'RETRY') return { kind: 'retry', reason: 'app answered RETRY' };
  return { kind: 'retry', reason: `app answered unknown status ${JSON.stringify(status)}` };
}

// One partition of one subscription: reads new lines, keeps the not-yet-done window,
// hands each key's head message to the scheduler (or every message to the bulk
// scheduler), commits the lowest not-done offset.
class PartitionTail {
  constructor(consumer, sub, partition, committed) {
    this.consumer = consumer;
    this.sub = sub;
    this.partition = partition;
    this.committed = { offset: committed.offset || 0, pos: committed.pos || 0 };
    this.reader = new PartitionReader(consumer.logDir, sub.topic, partition, this.committed);
    this.window = [];        // messages read and not yet committed, in offset order
    this.doneInWindow = 0;
    this.byKey = new Map();  // key -> messages not done, in order (head is in flight or ready)
    this.bulk = sub.bulk ? new BulkPartition(consumer, this, sub.bulk) : null;
    this.reading = null;
    this.again = false;
  }

  poke() {
    if (this.consumer.stopped) return;
    if (this.reading) { this.again = true; return; }
    this.reading = this.readAvailable().finally(() => {
      this.reading = null;
      if (this.again) { this.again = false; this.poke(); }
    });
  }

  // Resolves once a read that started after this call has finished.
  async settle() {
    while (this.reading) await this.reading;
    this.poke();
    if (this.reading) await this.reading;
  }

  async readAvailable() {
    while (!this.consumer.stopped && this.window.length < WINDOW_LIMIT) {
      const lines = await this.reader.readNew();
      if (!lines.length) return;
      for (const l of lines) this.accept(l);
    }
  }

  accept({ offset, pos, end, line }) {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      // A torn or foreign line: deliver it raw, so the app's poison handling decides.
      record = { key: null, raw: true, contentType: 'application/octet-stream', event: line };
    }
    const key = record.key ?? `\u0000${offset}`;  // no key: no ordering constraint
    const msg = { tail: this, topic: this.sub.topic, partition: this.partition, offset, pos, end, key, record, done: false };
    this.window.push(msg);
    if (this.bulk) { this.bulk.add(msg); return; }  // partition order instead of per-key queues
    let q = this.byKey.get(key);
    if (!q) { q = []; this.byKey.set(key, q); }
    q.push(msg);
    if (q.length === 1) this.consumer.enqueueReady(msg);
  }

  done(msg) {
    msg.done = true;
    this.doneInWindow++;
    if (!this.bulk) {
      const q = this.byKey.get(msg.key);
      q.shift();
      if (q.length) this.consumer.enqueueReady(q[0]);
      else this.byKey.delete(msg.key);
    }
    let advanced = false;
    while (this.window.length && this.window[0].done) {
      const head = this.window.shift();
      this.doneInWindow--;
      this.committed = { offset: head.offset + 1, pos: head.end };
      advanced = true;
    }
    if (advanced) {
      this.consumer.commit(this.sub, this.partition, { ...this.committed });
      if (this.window.length < WINDOW_LIMIT) this.poke();
    }
  }
}
