'use client';
// The audit trail page: filter by event type, newest first, "load older" pagination,
// and the loading, empty and error states.
import { useCallback, useEffect, useState } from 'react';

import { auditApi, EVENT_TYPES, TYPE_LABELS, type AuditEvent, type EventType } from '@/lib/audit';
import { describeError } from '@/lib/messages';
import { useOnUnauthorized } from '@/lib/session';

import { AuditList } from './AuditList';
import { useNow } from './useNow';

export function AuditView({ userId }: { userId: string | null }) {
  const onUnauthorized = useOnUnauthorized();
  const now = useNow();
  const [types, setTypes] = useState<EventType[]>([]);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState('');
  const [moreError, setMoreError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    if (!userId) return;
    const ctrl = new AbortController();
    setPhase('loading');
    setMoreError('');
    auditApi
      .list(userId, types, null, ctrl.signal)
      .then((page) => {
        setEvents(page.items);
        setCursor(page.next_cursor);
        setPhase('ready');
      })
      .catch((err) => {
        if (ctrl.signal.aborted || onUnauthorized(err)) return;
        setError(describeError(err, 'audit'));
        setPhase('error');
      });
    return () => ctrl.abort();
  }, [userId, types, reloadKey, onUnauthorized]);

  const loadMore = useCallback(async () => {
    if (!userId || !cursor) return;
    setLoadingMore(true);
    setMoreError('');
    try {
      const page = await auditApi.list(userId, types, cursor);
      setEvents((list) => [...list, ...page.items]);
      setCursor(page.next_cursor);
    } catch (err) {
      if (!onUnauthorized(err)) setMoreError(`Older events could not be loaded. ${describeError(err, 'audit')}`);
    } finally {
      setLoadingMore(false);
    }
  }, [userId, types, cursor, onUnauthorized]);

  const toggleType = (t: EventType) => setTypes((list) => (list.includes(t) ? list.filter((x) => x !== t) : EVENT_TYPES.filter((x) => x === t || list.includes(x))));

  return (
    <div className="audit-view">
      <fieldset className="type-filter">
        <legend>Show event types</legend>
        {EVENT_TYPES.map((t) => (
          <label key={t} className="check-pill">
            <input type="checkbox" checked={types.includes(t)} onChange={() => toggleType(t)} />
            {TYPE_LABELS[t]}
          </label>
        ))}
        {types.length > 0 && (
          <button type="button" className="button button-quiet" onClick={() => setTypes([])}>
            Show all
          </button>
        )}
      </fieldset>

      {(phase === 'loading' || !userId) && (
        <div aria-busy="true">
          <p className="visually-hidden" role="status">
            Loading events…
          </p>
          <ol className="audit-list" aria-hidden="true">
            {[0, 1, 2, 3].map((i) => (
              <li key={i} className="event event-skeleton" />
            ))}
          </ol>
        </div>
      )}
      {phase === 'error' && userId && (
        <div className="empty-state" role="alert">
          <p>{error}</p>
          <button type="button" className="button" onClick={() => setReloadKey((k) => k + 1)}>
            Try again
          </button>
        </div>
      )}
      {phase === 'ready' && userId && events.length === 0 && (
        <div className="empty-state">
          <p className="empty-title">{types.length ? 'No events of these types.' : 'No events yet.'}</p>
          <p>Every task you add, change, complete or delete shows up here.</p>
        </div>
      )}
      {phase === 'ready' && userId && events.length > 0 && (
        <>
          <AuditList events={events} now={now} />
          {moreError && (
            <p role="alert" className="form-error">
              {moreError}
            </p>
          )}
          {cursor && (
            <div className="load-more">
              <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load older events'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
