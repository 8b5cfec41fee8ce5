// Helpers for tests of events and the audit trail. Delivery to the audit is asynchronous,
// so readers poll until the expected count, then until the outbox is empty: only then has
// everything committed so far reached the audit, and a late extra event would be seen.
import assert from 'node:assert/strict';

import { outboxBacklog, sleep, walkPages, waitUntil } from './harness.mjs';

// The event contract (ARCHITECTURE.md §4).
export const EVENT_KEYS = ['event_id', 'event_type', 'schema_version', 'task_data', 'task_id',
  'task_version', 'timestamp', 'user_id'];
export const EVENT_TYPES = ['created', 'updated', 'completed', 'deleted'];
export const EVENT_SOURCES = ['web', 'api', 'chat', 'mcp'];
// Any RFC 9562 UUID in its canonical text form (the contract does not fix the version).
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// RFC 3339 in UTC with a Z suffix, any fraction of a second.
export const EVENT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const POLL_MS = 50;
// A safety net for a busy machine, not a speed bound.
export const WAIT_MS = 60_000;

// Every audit event of a user, newest first, walking all pages.
export function auditAll(server, user, query = '') {
  return walkPages(server, user, `/api/${user.user.id}/audit`, query);
}

// Resolves once every event committed so far has reached the audit: the outbox is empty.
// The embedded bus deletes an outbox row in the transaction that stores its audit row, so
// an empty outbox means nothing more is on its way (a condition, not a pause).
export async function waitOutboxDrained(server, { timeoutMs = WAIT_MS } = {}) {
  await waitUntil(async () => (await outboxBacklog(server)) === 0, 'an empty outbox (todo_outbox_backlog 0)',
    { timeoutMs, pollMs: POLL_MS });
}

// Polls until the user's audit holds at least `count` events (or the deadline passed),
// then until the outbox is empty, and reads again: a late extra event (a duplicate, an
// event nobody asked for) would be in that answer. Returns the events, newest first.
export async function waitForAudit(server, user, count, { timeoutMs = WAIT_MS, query = '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await auditAll(server, user, query);
    if (items.length >= count || Date.now() >= deadline) break;
    await sleep(POLL_MS);
  }
  await waitOutboxDrained(server, { timeoutMs });
  return auditAll(server, user, query);
}

// Waits for exactly `count` events and returns them oldest first; fails with the types
// seen when there are more or fewer.
export async function expectAudit(server, user, count, options) {
  const items = await waitForAudit(server, user, count, options);
  assert.equal(items.length, count,
    `expected ${count} audit events, got ${items.length}: ${JSON.stringify(items.map((e) => [e.event_type, e.task_id, e.task_version]))}`);
  return items.slice().reverse();
}

// An RFC 3339 timestamp -> a string that sorts like the instant it names (UTC, ns).
export function instantKey(ts) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(ts);
  if (!m) throw new Error(`not an RFC 3339 timestamp: ${ts}`);
  const seconds = Date.parse(`${m[1]}${m[3].toUpperCase()}`) / 1000;
  if (!Number.isFinite(seconds)) throw new Error(`not a valid instant: ${ts}`);
  return `${String(seconds + 1e11).padStart(13, '0')}.${(m[2] || '').padEnd(9, '0')}`;
}

// The same instant written with a +hh:mm offset instead of Z (fraction kept as is).
export function withOffset(ts, hours) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(ts);
  if (!m) throw new Error(`not a UTC timestamp: ${ts}`);
  const shifted = new Date(Date.parse(`${m[1]}Z`) + hours * 3_600_000).toISOString().slice(0, 19);
  const sign = hours < 0 ? '-' : '+';
  return `${shifted}${m[2] || ''}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
}

// Checks the shape of one event: exactly the contract's fields, each of the right type.
export function checkEventShape(e, where = '') {
  const ctx = `${where} ${JSON.stringify(e).slice(0, 400)}`;
  // `source` (who made the change: "web", "api"; absent for the platform's own changes) is
  // the one additive field (issue 11).
  assert.deepEqual(Object.keys(e).filter((k) => k !== 'source').sort(), EVENT_KEYS, `event fields ${ctx}`);
  if ('source' in e) assert.ok(EVENT_SOURCES.includes(e.source), `source ${ctx}`);
  assert.match(e.event_id, UUID, `event_id is a UUID ${ctx}`);
  assert.ok(EVENT_TYPES.includes(e.event_type), `event_type ${ctx}`);
  assert.match(e.timestamp, EVENT_TIMESTAMP, `timestamp is RFC 3339 UTC with Z ${ctx}`);
  assert.ok(Number.isFinite(Date.parse(e.timestamp)), `timestamp is a valid instant ${ctx}`);
  assert.equal(typeof e.user_id, 'string', `user_id ${ctx}`);
  assert.ok(Number.isSafeInteger(e.task_id) && e.task_id > 0, `task_id is a positive integer ${ctx}`);
  assert.equal(e.schema_version, 1, `schema_version ${ctx}`);
  assert.ok(Number.isSafeInteger(e.task_version) && e.task_version > 0, `task_version ${ctx}`);
  assert.ok(e.task_data && typeof e.task_data === 'object' && !Array.isArray(e.task_data), `task_data ${ctx}`);
}

// The event a write must have produced: `task` is the API's answer to that write (for a
// delete: the task as it was just before).
export function checkEvent(e, { type, user, task, window }, where = '') {
  checkEventShape(e, where);
  const ctx = `${where} (${type} of task ${task.id} v${task.version})`;
  assert.equal(e.event_type, type, `event_type ${ctx}`);
  assert.equal(e.user_id, user.user.id, `user_id ${ctx}`);
  assert.equal(e.task_id, task.id, `task_id ${ctx}`);
  assert.equal(e.task_version, task.version, `task_version ${ctx}`);
  assert.deepEqual(e.task_data, task, `task_data is the task exactly as the API returned it ${ctx}`);
  if (window) {
    // The server's clock is this machine's clock; allow a second either way.
    const at = Date.parse(e.timestamp);
    assert.ok(at >= window[0] - 1000 && at <= window[1] + 1000,
      `timestamp ${e.timestamp} is not within the request (${new Date(window[0]).toISOString()} .. ${new Date(window[1]).toISOString()}) ${ctx}`);
  }
}
