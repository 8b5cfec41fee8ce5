// After a recurring task is completed, the server creates its next occurrence on its own
// (the recurrence consumer, through the event bus, usually within milliseconds of the
// completion), not in the answer to the completion. Until the server pushes changes to
// the page (SSE, a later issue), the page asks: the newest pending tasks, a few times with
// growing pauses, until an occurrence of the same series is there. Bounded: a series that
// ended (COUNT, UNTIL) never brings one, and the page stops asking after the last try.
import { api } from './api';
import { DEFAULT_FILTERS, listQuery, type Page, type Task } from './tasks';

// Pauses before each try (the first right away): about 6 s in all.
export const NEXT_OCCURRENCE_DELAYS_MS = [0, 200, 400, 800, 1600, 3200];

// The newest pending tasks: where a just-created occurrence is, whatever view is shown.
const PROBE_LIMIT = 20;
const probeQuery = () => listQuery({ ...DEFAULT_FILTERS, status: 'pending', sort: 'created_desc' }, null, PROBE_LIMIT);

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('Aborted', 'AbortError'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new DOMException('Aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}

// The id every occurrence of the task's series carries in series_id.
export const seriesOf = (t: Pick<Task, 'id' | 'series_id'>) => t.series_id ?? t.id;

// Resolves with the pending next occurrence of the series of `done` (just completed), or
// null when none appeared within the tries. Rejects when aborted or a request fails.
export async function waitForNextOccurrence(
  userId: string,
  done: Task,
  signal?: AbortSignal,
  delays: readonly number[] = NEXT_OCCURRENCE_DELAYS_MS,
): Promise<Task | null> {
  const series = seriesOf(done);
  for (const ms of delays) {
    if (ms > 0) await pause(ms, signal);
    const page = await api.get<Page<Task>>(`/api/${encodeURIComponent(userId)}/tasks?${probeQuery()}`, { signal });
    const next = page.items.find((t) => t.series_id === series && t.id !== done.id && !t.completed);
    if (next) return next;
  }
  return null;
}
