// Helpers for tests of events and the audit trail. Delivery to the audit is asynchronous,
// so readers poll until the expected count, then wait a little more to catch duplicates.
import { sleep, walkPages } from './harness.mjs';

// Every audit event of a user, newest first, walking all pages.
export function auditAll(server, user, query = '') {
  return walkPages(server, user, `/api/${user.user.id}/audit`, query);
}

// Polls until the user's audit holds at least `count` events (10 s at most), then waits
// 300 ms and reads again, so that a late duplicate would be seen.
export async function waitForAudit(server, user, count, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let items = [];
  while (Date.now() < deadline) {
    items = await auditAll(server, user);
    if (items.length >= count) break;
    await sleep(50);
  }
  await sleep(300);
  return auditAll(server, user);
}
