// An SSE client for the tests of GET /api/{user_id}/stream (src/stream): the npm
// `eventsource` package, the WHATWG EventSource as browsers have it. Used by
// stream.test.mjs, tests/distributed/stream.test.mjs and bench/stream.mjs.
import { EventSource } from 'eventsource';

import { waitUntil } from './harness.mjs';

export const KINDS = ['task', 'notification', 'notifications', 'reset'];

// An EventSource on the user's stream, authenticated with the bearer token (or the session
// cookie, as a browser sends it). `headers` go on the first request only (e.g. a
// Last-Event-ID the test chose); on its own reconnects EventSource sets Last-Event-ID itself.
export function openStream(srv, u, { query = '', headers = {}, cookie = false } = {}) {
  const events = [];
  let first = true;
  const es = new EventSource(`${srv.baseUrl}/api/${u.user.id}/stream${query}`, {
    fetch: (input, init) => {
      const h = { ...init.headers, ...(first ? headers : {}) };
      first = false;
      if (cookie) h.Cookie = u.cookie; else h.Authorization = `Bearer ${u.token}`;
      return fetch(input, { ...init, headers: h });
    },
  });
  for (const kind of KINDS) {
    es.addEventListener(kind, (e) => {
      events.push({ kind, id: Number(e.lastEventId), data: JSON.parse(e.data) });
    });
  }
  // EventSource retries a refused connection for ever (a server that crashed): a safety net,
  // not a speed bound, ends the wait with the reason.
  const opened = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the stream did not open within 60 s (is the server up?)')), 60_000);
    timer.unref();
    es.onopen = () => { clearTimeout(timer); resolve(); };
    es.onerror = (err) => { if (es.readyState === EventSource.CLOSED) { clearTimeout(timer); reject(err); } };
  });
  opened.catch(() => {});  // a test that never awaits it is not failed by it
  return {
    es, events, opened,
    close: () => es.close(),
    until: (n, what = `${n} events`) => waitUntil(() => events.length >= n, what),
    tasks: () => events.filter((e) => e.kind === 'task'),
  };
}
