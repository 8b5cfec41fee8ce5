// Issue 10's speed figures for reminders and recurrence, against a running single binary
// (bench/reminders.sh starts one on SQLite or PostgreSQL). Bounded in time and count.
//   node bench/reminders.mjs http://127.0.0.1:PORT [pending=100000] [burst=1000] [rate=500] [seconds=30]
// 1. `pending` tasks with a reminder a day ahead, and `burst` more due in the same second,
//    about 20 s after they were created: the lag (reminder time -> notification committed)
//    from the server's todo_reminder_lag_seconds histogram, p50/p99 as bucket bounds.
// 2. The scheduler idle with those jobs pending: CPU of the server process over 10 s (Linux
//    /proc; the script must run on the server's machine: pass its pid as TODO_BENCH_PID).
// 3. Recurring tasks completed at `rate`/s for `seconds` s: next occurrences created, with the
//    lag (completion commit -> occurrence commit) from todo_recurrence_lag_seconds.
import { readFileSync } from 'node:fs';
const [base, pendingArg = '100000', burstArg = '1000', rateArg = '500', secondsArg = '30'] = process.argv.slice(2);
const pending = Number(pendingArg), burst = Number(burstArg), rate = Number(rateArg), seconds = Number(secondsArg);
const pid = process.env.TODO_BENCH_PID;

async function json(method, path, token, body) {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

async function histogram(name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const buckets = [];
  for (const line of text.split('\n')) {
    const m = line.match(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`));
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  return buckets;
}
function quantile(before, after, q) {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)]);
  if (counts.length === 0) return { le: Infinity, total: 0 };  // nothing observed yet
  const total = counts[counts.length - 1][1];
  for (const [le, n] of counts) if (n >= q * total) return { le, total };
  return { le: Infinity, total };
}
const ms = (le) => (le === Infinity ? 'inf' : `${le * 1000} ms`);

// Runs `count` calls of `fn(i)` with at most `width` in flight.
async function pool(count, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await fn(next++);
  }));
}

const users = [];
for (let i = 0; i < 50; i++) {
  const up = await json('POST', '/api/auth/sign-up/email', null,
    { email: `bench-rem-${Date.now()}-${i}@example.com`, password: 'bench-password-Qm2L', name: 'Bench' });
  users.push({ id: up.user.id, token: up.token });
}

// 1. Pending reminders, then a burst due in the same second.
const dayAhead = new Date(Date.now() + 86_400_000).toISOString();
let t0 = Date.now();
await pool(pending, 64, (i) => { const u = users[i % users.length]; return json('POST', `/api/${u.id}/tasks`, u.token, { title: `pending ${i}`, remind_at: dayAhead }); });
console.log(`created ${pending} tasks with a reminder a day ahead in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const dueAt = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
const lagBefore = await histogram('todo_reminder_lag_seconds');
t0 = Date.now();
await pool(burst, 64, (i) => { const u = users[i % users.length]; return json('POST', `/api/${u.id}/tasks`, u.token, { title: `burst ${i}`, remind_at: dueAt.toISOString() }); });
console.log(`created ${burst} tasks due at ${dueAt.toISOString()} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (;;) {
  const after = await histogram('todo_reminder_lag_seconds');
  const { total } = quantile(lagBefore, after, 0.99);
  if (total >= burst) {
    console.log(`reminders: ${total} fired; lag p50 <= ${ms(quantile(lagBefore, after, 0.5).le)}, p99 <= ${ms(quantile(lagBefore, after, 0.99).le)} (bucket bounds)`);
    break;
  }
  if (Date.now() > dueAt.getTime() + 120_000) { console.log(`reminders: only ${total} of ${burst} fired within 2 min`); break; }
  await new Promise((r) => setTimeout(r, 200));
}

// 2. Idle CPU with the jobs pending.
if (pid) {
  const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
  const hz = 100;
  const c0 = cpu(); const w0 = Date.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const used = (cpu() - c0) / hz; const wall = (Date.now() - w0) / 1000;
  console.log(`idle with ${pending} reminders pending: ${(100 * used / wall).toFixed(2)} % of a core over ${wall.toFixed(0)} s`);
}

// 3. Completions of recurring tasks at `rate`/s.
const total = rate * seconds;
const recurring = [];
await pool(total, 64, async (i) => {
  const u = users[i % users.length];
  const t = await json('POST', `/api/${u.id}/tasks`, u.token, { title: `daily ${i}`, due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=DAILY' });
  recurring[i] = { u, id: t.id };
});
const recBefore = await histogram('todo_recurrence_lag_seconds');
t0 = Date.now();
let done = 0;
await pool(total, 64, async (i) => {
  const due = t0 + (i / rate) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const { u, id } = recurring[i];
  await json('PATCH', `/api/${u.id}/tasks/${id}/complete`, u.token, { completed: true });
  done++;
});
const elapsed = (Date.now() - t0) / 1000;
for (;;) {
  const after = await histogram('todo_recurrence_lag_seconds');
  const { total: made } = quantile(recBefore, after, 0.99);
  if (made >= total || Date.now() - t0 > (seconds + 120) * 1000) {
    console.log(`recurrence: ${done} completions in ${elapsed.toFixed(1)} s (${(done / elapsed).toFixed(0)}/s); ${made} next occurrences; lag p50 <= ${ms(quantile(recBefore, after, 0.5).le)}, p99 <= ${ms(quantile(recBefore, after, 0.99).le)}`);
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}
