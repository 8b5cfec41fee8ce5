// Issue 10: the create throughput of ordinary tasks while recurring tasks are completed at a
// fixed rate, against a running single binary. Run it once against the binary and once against
// a build without the recurrence consumer (bench/recurrence_load.sh does both): the ratio of the
// two "beside" figures is the cost of creating next occurrences.
//   node bench/recurrence_load.mjs http://127.0.0.1:PORT [rate=500] [seconds=10]
// Prints the creates/s of wrk (bench/create.lua, 2 threads, 64 connections) while `rate`
// completions/s run from this script. Bounded in time and count.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { AppClient } from '../tests/dapr-double/lib/app_client.mjs';

const [base, rateArg = '500', secondsArg = '10'] = process.argv.slice(2);
const rate = Number(rateArg), seconds = Number(secondsArg);

// Keep-alive requests through the doubles' lean client (tests/dapr-double/lib/app_client.mjs):
// fetch() cost this generator about a third of a core at 500 completions/s, taken from the
// server it measures on these 2 cores.
const url = new URL(base);
const client = new AppClient({ host: url.hostname, port: Number(url.port), maxIdle: 128 });
async function json(method, path, token, body) {
  const res = await client.request(method, path, body === undefined ? null : JSON.stringify(body),
    { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  return res.status === 204 ? null : JSON.parse(res.body);
}
async function pool(count, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < count) await fn(next++); }));
}

const users = [];
for (let i = 0; i < 11; i++) {
  const up = await json('POST', '/api/auth/sign-up/email', null, { email: `bench-rl-${Date.now()}-${i}@example.com`, password: 'bench-password-Qm2L', name: 'Bench' });
  users.push({ id: up.user.id, token: up.token });
}
const total = rate * (seconds + 2);
const tasks = [];
await pool(total, 32, async (i) => {
  const u = users[1 + (i % 10)];
  const t = await json('POST', `/api/${u.id}/tasks`, u.token, { title: `weekly ${i}`, due_at: '2030-01-01T09:00:00Z', recurrence: 'FREQ=WEEKLY' });
  tasks[i] = { u, id: t.id };
});
const start = Date.now() + 300;
const completing = pool(total, 64, async (i) => {
  const wait = start + (i / rate) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const { u, id } = tasks[i];
  await json('PATCH', `/api/${u.id}/tasks/${id}/complete`, u.token, { completed: true });
});
await new Promise((r) => setTimeout(r, 1000));
const { stdout } = await promisify(execFile)('wrk', ['-t2', '-c64', `-d${seconds}s`, '-s', 'bench/create.lua', base],
  { env: { ...process.env, TODO_USER: users[0].id, TODO_TOKEN: users[0].token } });
await completing;
client.destroy();
console.log(`creates beside ${rate} completions/s: ${/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]}/s`);
