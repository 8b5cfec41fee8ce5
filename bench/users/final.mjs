// The end-of-run checks of the load generator (run in each worker over its own users; see
// bench/users/worker.mjs): for a sample of users, every page of their tasks equals the
// generator's model; (after the relay caught up: polled until a deadline) their audit holds
// exactly one event per acknowledged write and no event id twice; each SSE stream got one
// task event per write made while it was open. -> {problems, tasksChecked, auditChecked,
// streamsChecked}
import { taskDiff } from './ops.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every item of a cursor-paginated collection, or a problem string.
async function walk(request, u, what) {
  const items = [];
  let cursor = null;
  do {
    const res = await request(u, 'GET', `/api/${u.id}/${what}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) return { problem: `final ${what} of ${u.id} -> ${res.status} ${res.body.slice(0, 120)}` };
    const j = JSON.parse(res.body);
    items.push(...j.items);
    cursor = j.next_cursor;
  } while (cursor);
  return { items };
}

// users: the worker's users ({id, tasks (the model), stream, streamEvents, eventsSinceStream});
// acked: [user, task_id, type, version] of every acknowledged write; request(u, method, path).
export async function finalChecks({ users, sample, acked, request, auditWaitMs, audit }) {
  const problems = [];
  let tasksChecked = 0, auditChecked = 0, streamsChecked = 0;
  for (const u of sample) {
    const { items, problem } = await walk(request, u, 'tasks');
    if (problem) { problems.push(problem); continue; }
    if (items.length !== u.tasks.size) problems.push(`user ${u.id}: ${items.length} tasks listed, the generator holds ${u.tasks.size}`);
    for (const it of items) {
      const want = u.tasks.get(it.id);
      const d = want ? taskDiff(it, want, u.id) : 'not in the model';
      if (d) { problems.push(`user ${u.id} task ${it.id}: ${d}`); break; }
    }
    tasksChecked += items.length;
  }
  const wantEvents = new Map();
  for (const [user] of acked) wantEvents.set(user, (wantEvents.get(user) ?? 0) + 1);
  const deadline = Date.now() + auditWaitMs;
  for (const u of audit ? sample : []) {
    const want = wantEvents.get(u.id) ?? 0;
    for (;;) {
      const { items, problem } = await walk(request, u, 'audit');
      if (problem) { problems.push(problem); break; }
      const dupes = items.length - new Set(items.map((e) => e.event_id)).size;
      if (items.length < want && Date.now() <= deadline) { await sleep(100); continue; }
      auditChecked += items.length;
      if (items.length !== want || dupes) problems.push(`user ${u.id}: ${items.length} audit events (${dupes} duplicate ids) for ${want} acknowledged writes`);
      break;
    }
  }
  for (const u of users) {
    if (!u.stream) continue;
    while (u.streamEvents < u.eventsSinceStream && Date.now() < deadline) await sleep(50);
    streamsChecked++;
    if (u.streamEvents !== u.eventsSinceStream) problems.push(`user ${u.id}: stream got ${u.streamEvents} task events for ${u.eventsSinceStream} writes while it was open`);
    u.stream.destroy();
    u.stream = null;
  }
  return { problems, tasksChecked, auditChecked, streamsChecked };
}
