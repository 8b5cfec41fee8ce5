#!/usr/bin/env node
// Smoke test of a deployment through its public entry (the ingress): what
// .github/workflows/deploy-cloud.yml runs after `helm upgrade`, and what decides a
// `helm rollback`. Also run in `make test` against api and audit roles behind HAProxy
// (tests/distributed/rolling_restart.test.mjs), so the script the pipeline relies on is tested.
//
//   node scripts/deploy/smoke-test.mjs https://todo.example.com [--timeout-s 120]
//
// Steps, each with a deadline (a fresh rollout may take a moment to settle, so conditions
// are polled, never slept on):
//   1. GET /readyz answers 200;
//   2. a throwaway account signs up (POST /api/auth/sign-up/email);
//   3. it creates a task (POST /api/{user_id}/tasks, 201);
//   4. the task's `created` event shows up in its audit (GET /api/{user_id}/audit, served by
//      the audit role: this proves api -> outbox -> Kafka -> audit works end to end);
//   5. the account is deleted again (DELETE /api/{user_id}), so production keeps no trace.
// Exit status 0 when every step passed; 1 with the failing step on stderr otherwise.
// Node >= 20, no dependencies (global fetch).
import { randomBytes } from 'node:crypto';

const args = process.argv.slice(2);
const base = args.find((a) => !a.startsWith('--'));
const timeoutArg = args.indexOf('--timeout-s');
const timeoutMs = 1000 * (timeoutArg >= 0 ? Number(args[timeoutArg + 1]) : 120);
if (!base || !/^https?:\/\//.test(base) || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error('usage: smoke-test.mjs <base URL, http(s)://...> [--timeout-s N]');
  process.exit(2);
}
const url = (path) => new URL(path, base.endsWith('/') ? base : `${base}/`).href;
const deadline = Date.now() + timeoutMs;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url(path), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(Math.max(1000, Math.min(15_000, deadline - Date.now()))),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

// Polls `attempt` (which returns a value, or undefined to try again) until the deadline.
async function until(step, attempt) {
  let last = 'no answer';
  for (;;) {
    try {
      const v = await attempt((why) => { last = why; });
      if (v !== undefined) { console.log(`smoke: ${step}: ok`); return v; }
    } catch (err) {
      last = String(err?.cause?.code || err?.message || err);
    }
    if (Date.now() > deadline) throw new Error(`${step}: not within ${timeoutMs / 1000} s (last: ${last})`);
    await sleep(500);
  }
}

async function main() {
  await until('GET /readyz is 200', async (why) => {
    const r = await call('GET', '/readyz');
    if (r.status === 200) return true;
    why(`status ${r.status}`);
    return undefined;
  });
  const email = `smoke-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `Smoke-${randomBytes(18).toString('base64url')}`;
  // A write is not retried (it may have happened); a failure here fails the smoke test.
  const signUp = await call('POST', '/api/auth/sign-up/email', { body: { email, password, name: 'Deploy smoke test' } });
  if (signUp.status !== 201 || !signUp.json?.token) throw new Error(`sign-up: ${signUp.status} ${signUp.text.slice(0, 300)}`);
  console.log('smoke: sign-up: ok');
  const { token } = signUp.json;
  const userId = signUp.json.user.id;
  try {
    const task = await call('POST', `/api/${userId}/tasks`, { token, body: { title: 'deploy smoke test' } });
    if (task.status !== 201 || !task.json?.id) throw new Error(`create task: ${task.status} ${task.text.slice(0, 300)}`);
    console.log('smoke: create a task: ok');
    await until('the task is in the audit', async (why) => {
      const r = await call('GET', `/api/${userId}/audit?task_id=${encodeURIComponent(task.json.id)}`, { token });
      if (r.status !== 200) { why(`status ${r.status} ${r.text.slice(0, 200)}`); return undefined; }
      const items = r.json?.items || [];
      if (items.some((e) => e.task_id === task.json.id && e.event_type === 'created')) return true;
      why(`${items.length} audit entries for the task, none 'created' yet`);
      return undefined;
    });
  } finally {
    const del = await call('DELETE', `/api/${userId}`, { token, body: { password } }).catch((err) => ({ status: String(err) }));
    if (del.status !== 204) console.error(`smoke: warning: deleting the smoke account ${email} gave ${del.status}`);
  }
}

main().then(() => console.log('smoke: passed'), (err) => {
  console.error(`smoke: FAILED: ${err.message}`);
  process.exit(1);
});
