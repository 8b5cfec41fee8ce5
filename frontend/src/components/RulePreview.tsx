'use client';
// The next dates of the editor's repeat rule, as the person types it: asked of the server
// (GET /api/{user}/recurrence/preview, the same expansion that creates the occurrences)
// once typing pauses, from the task's due date in the task's time zone, and shown in that
// zone. A rule or zone the server refuses shows its message instead (the 422 names the
// field); an answer to an older rule never replaces a newer one.
import { useEffect, useState } from 'react';

import { fieldErrors, describeError } from '@/lib/messages';
import { previewRule } from '@/lib/recurrence';
import { useOnUnauthorized } from '@/lib/session';

export const PREVIEW_DEBOUNCE_MS = 400;

export interface RulePreviewProps {
  id: string;
  userId: string;
  rule: string | null; // null: does not repeat, nothing to show
  timezone: string;
  dtstart: string | null; // the due instant; null: from now
}

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'dates'; dates: string[] } | { kind: 'error'; message: string };

// "Tue 1 Dec 2026, 09:00" on the wall clock of the task's zone.
function formatIn(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString(undefined, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function RulePreview({ id, userId, rule, timezone, dtstart }: RulePreviewProps) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const onUnauthorized = useOnUnauthorized();

  useEffect(() => {
    if (!rule) {
      setState({ kind: 'idle' });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => (s.kind === 'idle' ? { kind: 'loading' } : s));
    const t = setTimeout(() => {
      previewRule(userId, rule, timezone, dtstart, ctrl.signal)
        .then((p) => {
          if (!ctrl.signal.aborted) setState({ kind: 'dates', dates: p.occurrences });
        })
        .catch((err) => {
          if (ctrl.signal.aborted || onUnauthorized(err)) return;
          const byField = fieldErrors(err);
          setState({ kind: 'error', message: byField.rule ?? byField.timezone ?? describeError(err, 'task') });
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [userId, rule, timezone, dtstart, onUnauthorized]);

  if (state.kind === 'idle') return null;
  return (
    <div id={id} className="rule-preview" aria-live="polite">
      {state.kind === 'loading' && <p className="hint">Working out the next dates…</p>}
      {state.kind === 'error' && <p className="field-error">{state.message}</p>}
      {state.kind === 'dates' && state.dates.length === 0 && <p className="hint">This rule has no dates after the due date.</p>}
      {state.kind === 'dates' && state.dates.length > 0 && (
        <>
          <p className="hint">{dtstart ? 'Next dates:' : 'Next dates, counting from now:'}</p>
          <ol className="rule-dates" aria-label="Next dates">
            {state.dates.map((d) => (
              <li key={d}>
                <time dateTime={d}>{formatIn(d, timezone)}</time>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
