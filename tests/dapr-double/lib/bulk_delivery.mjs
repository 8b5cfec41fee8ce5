// Bulk subscribe on the double's delivering side: a subscription whose GET /dapr/subscribe
// entry has "bulkSubscribe": {"enabled": true, ...} gets its messages in batches, the way
// Dapr does it with its Kafka component.
//
// Scheduling, like Kafka's consumer (one batch at a time per partition): per partition at
// most one batch is alive (queued for a slot, in flight, retrying or duplicated). A batch is
// the next not-yet-sent messages of the partition in log order, at most maxMessagesCount;
// it goes as soon as that many wait, or once the oldest waiting one has waited
// maxAwaitDurationMs since it was read. Per-key order thus follows from partition order.
// A batch takes one of the consumer's --max-in-flight slots and keeps it through its
// retries, as a single message keeps its slot through its own.
//
// Request: POST {route}, Content-Type application/cloudevents-batch+json, body Dapr's
// BulkSubscribeEnvelope {id, entries: [{entryId, event, contentType, metadata}], metadata,
// topic, pubsubname, type: "com.dapr.event.sent.bulk"}; `event` is the CloudEvent a single
// delivery would send, or for raw messages their body in base64 (Dapr's rawPayload form).
//
// Outcome (Dapr's rules):
//   2xx with {"statuses": [{entryId, status}]}  per entry: SUCCESS -> done; DROP -> dead
//                                               letter; RETRY, unknown, missing -> retry
//   2xx whose body is not JSON or has no statuses array, any non-2xx but 404,
//   connection error, timeout                   -> every entry retried
//   404                                         -> every entry dead-lettered
// Retries send a new request with only the entries still failing, in order, after the
// consumer's backoff; the partition waits meanwhile. With maxRetries >= 0 an entry that
// used them all is dead-lettered.
import { randomUUID } from 'node:crypto';

import { sleep } from './http.mjs';

// Dapr's defaults when the subscription leaves them out.
export const DEFAULT_MAX_MESSAGES = 100;
export const DEFAULT_MAX_AWAIT_MS = 1000;

// A subscription's bulkSubscribe entry -> {maxMessagesCount, maxAwaitDurationMs}, or null
// when bulk is off. Zero or absent values take Dapr's defaults.
export function bulkSettings(spec, log) {
  if (!spec || spec.enabled !== true) return null;
  const positive = (name, fallback) => {
    const v = spec[name];
    if (v === undefined || v === null || v === 0) return fallback;
    if (Number.isInteger(v) && v > 0) return v;
    log?.(`bulkSubscribe.${name} ${JSON.stringify(v)} is not a positive integer; using ${fallback}`);
    return fallback;
  };
  return {
    maxMessagesCount: positive('maxMessagesCount', DEFAULT_MAX_MESSAGES),
    maxAwaitDurationMs: positive('maxAwaitDurationMs', DEFAULT_MAX_AWAIT_MS),
  };
}

// The bulk scheduler of one partition of one subscription. The PartitionTail hands it every
// message it reads (add) and is told when each is done (tail.done), which commits offsets.
export class BulkPartition {
  constructor(consumer, tail, { maxMessagesCount, maxAwaitDurationMs }) {
    this.consumer = consumer;
    this.tail = tail;
    this.sub = tail.sub;
    this.topic = tail.sub.topic;
    this.partition = tail.partition;
    this.maxCount = maxMessagesCount;
    this.maxAwaitMs = maxAwaitDurationMs;
    this.pending = [];   // read, not yet in a batch, in log order
    this.busy = false;   // a batch is waiting for a slot or alive
    this.timer = null;
  }

  add(msg) {
    msg.readAt = Date.now();
    this.pending.push(msg);
    this.schedule();
  }

  // Queues a batch for a slot when one is due; otherwise arms the timer for the oldest.
  schedule() {
    if (this.consumer.stopped || this.busy || !this.pending.length) return;
    const waited = Date.now() - this.pending[0].readAt;
    if (this.pending.length >= this.maxCount || waited >= this.maxAwaitMs) {
      clearTimeout(this.timer);
      this.timer = null;
      this.busy = true;
      this.consumer.enqueueReady(this);
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; this.schedule(); }, this.maxAwaitMs - waited);
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  // Called by the consumer once a slot is free. The batch is cut now, so messages read
  // while it waited for the slot ride along (up to maxCount).
  async run() {
    const batch = this.pending.splice(0, this.maxCount);
    try {
      if (batch.length) await this.process(batch);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  // The batch's life, mirroring the consumer's process() for one message, duplicates
  // included. An entry is done (committable) as soon as its outcome is final, so a stop
  // while others still retry redelivers only what is not done; on stop, the rest stays.
  async process(batch) {
    const c = this.consumer;
    const settle = (msg, o) => {
      if (o.kind === 'drop') c.deadLetter(msg, o.reason);
      this.tail.done(msg);
    };
    const { on, concurrent } = c.duplicate;
    if (on && concurrent) {
      // both copies at once; an entry is settled when both ended, by the worse outcome
      const first = new Map();
      const both = (msg, o) => {
        if (!first.has(msg)) { first.set(msg, o); return; }
        settle(msg, first.get(msg).kind !== 'success' ? first.get(msg) : o);
      };
      c.stats.count(this.topic, 'duplicated', batch.length);
      await Promise.all([this.deliverUntilDone(batch, both), this.deliverUntilDone(batch, both)]);
    } else if (on) {
      // what the app took comes again, as one more bulk request, then is done
      const again = [];
      await this.deliverUntilDone(batch, (msg, o) => (o.kind === 'success' ? again.push(msg) : settle(msg, o)));
      if (!again.length) return;
      if (c.stopped) { for (const msg of again) settle(msg, { kind: 'success' }); return; }
      c.stats.count(this.topic, 'duplicated', again.length);
      await this.deliverUntilDone(again, settle);
    } else {
      await this.deliverUntilDone(batch, settle);
    }
  }

  // Sends the entries until each is taken (success) or rejected for good (drop), calling
  // onFinal(msg, {kind, reason}) for each as that happens; each retry carries only the
  // entries still failing. Entries still failing when the consumer stops get no call.
  async deliverUntilDone(batch, onFinal) {
    const c = this.consumer;
    let todo = batch;
    for (let attempt = 1; ; attempt++) {
      if (c.stopped) return;
      const results = await this.deliverOnce(todo, attempt);
      const again = [];
      todo.forEach((msg, i) => {
        const r = results[i];
        if (r.kind === 'success' || r.kind === 'drop') onFinal(msg, r);
        else if (c.maxRetries >= 0 && attempt > c.maxRetries) {
          onFinal(msg, { kind: 'drop', reason: `retries exhausted (${attempt} attempts); last: ${r.reason}` });
        } else again.push(msg);
      });
      if (!again.length) return;
      c.stats.count(this.topic, 'retried', again.length);
      await sleep(c.retryDelay(attempt));
      todo = again;
    }
  }

  // One bulk request. -> per entry {kind: success|retry|drop, reason}, in batch order.
  async deliverOnce(batch, attempt) {
    const c = this.consumer;
    const { sub } = this;
    const entryIds = batch.map(() => randomUUID());
    const envelope = {
      id: randomUUID(),
      entries: batch.map((m, i) => entryFor(m.record, entryIds[i], sub)),
      metadata: {},
      topic: sub.topic,
      pubsubname: sub.pubsubname,
      type: 'com.dapr.event.sent.bulk',
    };
    const headers = { 'Content-Type': 'application/cloudevents-batch+json' };
    if (c.appApiToken) headers['dapr-api-token'] = c.appApiToken;
    const started = Date.now();
    c.stats.count(this.topic, 'bulk_deliveries');
    c.stats.count(this.topic, 'attempts', batch.length);
    let results;
    try {
      const res = await c.request('POST', sub.route, JSON.stringify(envelope), headers, c.timeoutMs);
      results = classifyBulk(res, entryIds);
    } catch (err) {
      const reason = err.code === 'TIMEOUT' ? `timeout after ${c.timeoutMs} ms` : `connection error: ${err.code || err.message}`;
      results = batch.map(() => ({ kind: 'retry', reason }));
    }
    const ended = Date.now();
    batch.forEach((m, i) => {
      if (results[i].kind === 'success') c.stats.count(this.topic, 'delivered');
      c.logAttempt(m, attempt, results[i], started, ended, { bulk: batch.length });
    });
    return results;
  }
}

// One BulkSubscribeEnvelope entry. Raw messages go as base64 with their own content type,
// as Dapr sends rawPayload messages in bulk.
function entryFor(rec, entryId, sub) {
  if (rec.raw) {
    return { entryId, event: Buffer.from(String(rec.event), 'utf8').toString('base64'),
      contentType: rec.contentType || 'application/octet-stream', metadata: {} };
  }
  return { entryId, event: { ...rec.event, topic: sub.topic, pubsubname: sub.pubsubname },
    contentType: 'application/cloudevents+json', metadata: {} };
}

// The app's answer -> per entry {kind, reason}, in the order of entryIds.
function classifyBulk(res, entryIds) {
  const all = (kind, reason) => entryIds.map(() => ({ kind, reason }));
  if (res.status === 404) return all('drop', 'app answered 404');
  if (res.status < 200 || res.status > 299) return all('retry', `app answered ${res.status}`);
  let statuses;
  try {
    statuses = JSON.parse(res.body)?.statuses;
  } catch {
    return all('retry', `app answered ${res.status} with a body that is not JSON`);
  }
  if (!Array.isArray(statuses)) return all('retry', `app answered ${res.status} without a statuses array`);
  const byId = new Map();
  for (const s of statuses) if (s && typeof s === 'object' && !byId.has(s.entryId)) byId.set(s.entryId, s.status);
  return entryIds.map((id) => {
    if (!byId.has(id)) return { kind: 'retry', reason: 'no status for the entry in the app\'s answer' };
    const status = byId.get(id);
    if (status === 'SUCCESS') return { kind: 'success' };
    if (status === 'DROP') return { kind: 'drop', reason: 'app answered DROP' };
    if (status === 'RETRY') return { kind: 'retry', reason: 'app answered RETRY' };
    return { kind: 'retry', reason: `app answered unknown status ${JSON.stringify(status)}` };
  });
}
