'use client';
// The settings page's webhooks section (issue 11): add an endpoint (URL + event types; its
// signing secret is shown once, with a copy button), list the endpoints, enable/disable,
// send a test, delete, and each endpoint's delivery log (lib/webhooks.ts). Errors are said in
// words; the server's field errors (a refused URL, an unknown type) under their fields.
import { useCallback, useEffect, useState, type FormEvent } from 'react';

import { describeError, fieldErrors } from '@/lib/messages';
import { useOnUnauthorized, type User } from '@/lib/session';
import { formatAbsolute } from '@/lib/time';
import { EVENT_LABELS, EVENT_TYPES, webhooksApi, type CreatedWebhook, type DeliveryPage, type EventType, type Webhook } from '@/lib/webhooks';

function DeliveryLog({ user, hook }: { user: User; hook: Webhook }) {
  const onUnauthorized = useOnUnauthorized();
  const [page, setPage] = useState<DeliveryPage | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    setError('');
    try {
      setPage(await webhooksApi.deliveries(user.id, hook.id));
    } catch (err) {
      if (!onUnauthorized(err)) setError(`The delivery log could not be loaded. ${describeError(err, 'list')}`);
    }
  }, [user.id, hook.id, onUnauthorized]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="webhook-log">
      <button type="button" className="button" onClick={() => void load()}>
        Refresh
      </button>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {page && page.items.length === 0 && <p className="muted">No deliveries yet.</p>}
      {page && page.items.length > 0 && (
        <table aria-label={`Deliveries to ${hook.url}`}>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">When</th>
              <th scope="col">Attempts</th>
              <th scope="col">Status</th>
              <th scope="col">Duration</th>
              <th scope="col">State</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((d) => (
              <tr key={d.id}>
                <td>{d.event_type}</td>
                <td>{formatAbsolute(d.created_at)}</td>
                <td>{d.attempt}</td>
                <td title={d.error ?? undefined}>{d.status_code ?? (d.error ? 'no answer' : '—')}</td>
                <td>{d.duration_ms === null ? '—' : `${d.duration_ms} ms`}</td>
                <td>{d.state}</td>
                <td>{d.next_attempt_at ? formatAbsolute(d.next_attempt_at) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function NewSecret({ hook, onDone }: { hook: CreatedWebhook; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="webhook-secret">
      <p>
        Endpoint added. Its signing secret is shown <strong>only now</strong>: store it where your receiver can verify signatures (Standard Webhooks).
      </p>
      <code aria-label="Signing secret">{hook.secret}</code>
      <div className="settings-actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            void navigator.clipboard?.writeText(hook.secret).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

export function WebhookSettings({ user }: { user: User }) {
  const onUnauthorized = useOnUnauthorized();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<EventType[]>(['task.created', 'task.completed']);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  const fail = useCallback(
    (err: unknown, what: string) => {
      if (!onUnauthorized(err)) setError(`${what} ${describeError(err, 'list')}`);
    },
    [onUnauthorized],
  );
  const reload = useCallback(async () => {
    try {
      setHooks(await webhooksApi.list(user.id));
    } catch (err) {
      fail(err, 'The webhooks could not be loaded.');
    }
  }, [user.id, fail]);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError('');
    setStatus('');
    setFields({});
    if (types.length === 0) {
      setFields({ event_types: 'Choose at least one event.' });
      return;
    }
    setBusy(true);
    try {
      setCreated(await webhooksApi.create(user.id, url.trim(), types));
      setUrl('');
      await reload();
    } catch (err) {
      const byField = fieldErrors(err);
      if (Object.keys(byField).length > 0) setFields(byField);
      else fail(err, 'The endpoint was not added.');
    } finally {
      setBusy(false);
    }
  }

  async function act(what: string, fn: () => Promise<unknown>, done: string) {
    setError('');
    setStatus('');
    try {
      await fn();
      setStatus(done);
      await reload();
    } catch (err) {
      fail(err, what);
    }
  }

  const toggle = (t: EventType) => setTypes((cur) => (cur.includes(t) ? cur.filter((x) => x !== t) : [...cur, t]));

  return (
    <section className="settings-section" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">Your task changes and reminders, sent as signed HTTPS requests to your own systems.</p>
      <form onSubmit={add} noValidate>
        <div className="field">
          <label htmlFor="webhook_url">Endpoint URL</label>
          <input id="webhook_url" type="url" placeholder="https://example.com/hooks/todo" required value={url} aria-invalid={fields.url ? true : undefined} aria-describedby={fields.url ? 'webhook_url-error' : undefined} onChange={(e) => setUrl(e.target.value)} />
          {fields.url && (
            <p id="webhook_url-error" className="field-error">
              {fields.url}
            </p>
          )}
        </div>
        <fieldset className="webhook-types">
          <legend>Events</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t}>
              <input type="checkbox" checked={types.includes(t)} onChange={() => toggle(t)} /> {EVENT_LABELS[t]}
            </label>
          ))}
          {fields.event_types && <p className="field-error">{fields.event_types}</p>}
        </fieldset>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add endpoint'}
        </button>
      </form>
      {created && <NewSecret hook={created} onDone={() => setCreated(null)} />}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {status && (
        <p role="status" className="form-success">
          {status}
        </p>
      )}
      {hooks && hooks.length > 0 && (
        <ul className="webhook-list" aria-label="Your webhook endpoints">
          {hooks.map((h) => (
            <li key={h.id}>
              <p className="webhook-url">{h.url}</p>
              <p className="muted">
                {h.event_types.map((t) => EVENT_LABELS[t]).join(', ')} · {h.enabled ? 'Enabled' : `Disabled${h.disabled_reason ? `: ${h.disabled_reason}` : ''}`}
              </p>
              <div className="settings-actions">
                <button type="button" className="button" onClick={() => void act('The endpoint was not changed.', () => webhooksApi.setEnabled(user.id, h.id, !h.enabled), h.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.')}>
                  {h.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="button" disabled={!h.enabled} onClick={() => void act('The test was not sent.', () => webhooksApi.test(user.id, h.id), 'Test event queued.')}>
                  Send test
                </button>
                <button type="button" className="button" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                  Deliveries
                </button>
                <button
                  type="button"
                  className="button button-danger"
                  onClick={() => {
                    if (window.confirm(`Delete the endpoint ${h.url} and its delivery log?`)) void act('The endpoint was not deleted.', () => webhooksApi.remove(user.id, h.id), 'Endpoint deleted.');
                  }}
                >
                  Delete
                </button>
              </div>
              {open === h.id && <DeliveryLog user={user} hook={h} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
