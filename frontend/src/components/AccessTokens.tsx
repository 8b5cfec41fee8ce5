'use client';
// The settings page's personal access tokens section (issue 12): create a token (name, scopes,
// optional expiry), its secret shown once with a copy button, the list (name, prefix, scopes,
// created, last used, expiry) and revoke with a confirmation. Talks to lib/tokens.ts.
import { useCallback, useEffect, useState, type FormEvent } from 'react';

import { ApiError } from '@/lib/api';
import { describeError, fieldErrors } from '@/lib/messages';
import { useOnUnauthorized, type User } from '@/lib/session';
import { endOfDay, SCOPES, tokensApi, type AccessToken, type CreatedToken, type Scope } from '@/lib/tokens';

const dateTime = (iso: string | null, none: string) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : none;

function NewSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied('Copied.');
    } catch {
      setCopied('Copying failed: select the token and copy it by hand.');
    }
  }
  return (
    <div className="token-secret" role="status" aria-labelledby="token-secret-title">
      <p id="token-secret-title">
        <strong>Copy your new token “{created.name}” now.</strong> It is shown only this once: we keep only a fingerprint of
        it and cannot show it again.
      </p>
      <input aria-label="New token" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" className="button" onClick={copy}>
        Copy
      </button>
      {copied && <p className="hint">{copied}</p>}
      <button type="button" className="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function TokenRow({ token, onRevoke }: { token: AccessToken; onRevoke: (t: AccessToken) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <li className="token-row" aria-label={token.name}>
      <div>
        <strong>{token.name}</strong> <code>{token.prefix}…</code>
      </div>
      <div className="muted">{token.scopes.join(', ')}</div>
      <div className="muted">
        Created {dateTime(token.created_at, '')} · Last used {dateTime(token.last_used_at, 'never')} ·{' '}
        {token.expired ? `Expired ${dateTime(token.expires_at, '')}` : `Expires ${dateTime(token.expires_at, 'never')}`}
      </div>
      {confirming ? (
        <div role="group" aria-label={`Revoke ${token.name}?`}>
          <span>Revoke “{token.name}”? Anything using it stops working at once.</span>{' '}
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await onRevoke(token);
              setBusy(false);
              setConfirming(false);
            }}
          >
            {busy ? 'Revoking…' : 'Yes, revoke'}
          </button>{' '}
          <button type="button" className="button" onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          Revoke
        </button>
      )}
    </li>
  );
}

export function AccessTokens({ user }: { user: User }) {
  const onUnauthorized = useOnUnauthorized();
  const [tokens, setTokens] = useState<AccessToken[] | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['tasks:read']);
  const [expiry, setExpiry] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const fail = useCallback(
    (err: unknown) => {
      if (onUnauthorized(err)) return;
      setError(describeError(err, 'list'));
    },
    [onUnauthorized],
  );

  const load = useCallback(async () => {
    try {
      setTokens(await tokensApi.list(user.id));
    } catch (err) {
      fail(err);
    }
  }, [user.id, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setFields({});
    if (!name.trim()) return setFields({ name: 'Give the token a name, e.g. what will use it.' });
    if (scopes.length === 0) return setFields({ scopes: 'Choose at least one permission.' });
    setBusy(true);
    try {
      const made = await tokensApi.create(user.id, { name: name.trim(), scopes, expires_at: expiry ? endOfDay(expiry) : null });
      setCreated(made);
      setName('');
      setExpiry('');
      await load();
    } catch (err) {
      const byField = fieldErrors(err); // "scopes[1]" is said under "scopes"
      if (Object.keys(byField).length > 0) setFields(byField);
      else fail(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: AccessToken) {
    setError('');
    try {
      await tokensApi.revoke(user.id, token.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) return fail(err); // 404: revoked already
    }
    if (created?.id === token.id) setCreated(null);
    await load();
  }

  const toggle = (scope: Scope) => setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));

  return (
    <section className="settings-section" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Personal access tokens</h2>
      <p className="muted">
        For scripts and AI clients: send one as <code>Authorization: Bearer tdp_…</code>. A token can do only what its permissions
        allow, and never change your account.
      </p>
      {created && <NewSecret created={created} onDone={() => setCreated(null)} />}
      <form onSubmit={submit} noValidate aria-label="Create a token">
        <div className="field">
          <label htmlFor="token-name">Name</label>
          <input
            id="token-name"
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={fields.name ? true : undefined}
            aria-describedby={fields.name ? 'token-name-error' : undefined}
          />
          {fields.name && (
            <p id="token-name-error" className="field-error">
              {fields.name}
            </p>
          )}
        </div>
        <fieldset className="field" aria-describedby={fields.scopes ? 'token-scopes-error' : undefined}>
          <legend>Permissions</legend>
          {SCOPES.map(({ scope, label }) => (
            <label key={scope} className="checkbox">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} /> {label} <code>{scope}</code>
            </label>
          ))}
          {fields.scopes && (
            <p id="token-scopes-error" className="field-error">
              {fields.scopes}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor="token-expiry">Expires on (optional)</label>
          <input
            id="token-expiry"
            type="date"
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            aria-invalid={fields.expires_at ? true : undefined}
            aria-describedby={fields.expires_at ? 'token-expiry-error' : undefined}
          />
          {fields.expires_at && (
            <p id="token-expiry-error" className="field-error">
              {fields.expires_at}
            </p>
          )}
        </div>
        {error && (
          <p role="alert" className="form-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      {tokens === null ? (
        <p className="muted">Loading tokens…</p>
      ) : tokens.length === 0 ? (
        <p className="muted">No tokens yet.</p>
      ) : (
        <ul className="token-list" aria-label="Your tokens">
          {tokens.map((t) => (
            <TokenRow key={t.id} token={t} onRevoke={revoke} />
          ))}
        </ul>
      )}
    </section>
  );
}
