'use client';
// The settings page's account sections (issue 14): change the password, sign out
// everywhere, download my data, delete my account. Each talks to one account route
// (lib/account.ts); errors are said in words, field ones under their fields. Ending the
// sessions (sign out everywhere, deletion) takes the page back to sign-in.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';

import { accountApi } from '@/lib/account';
import { ApiError } from '@/lib/api';
import { describeError, fieldErrors } from '@/lib/messages';
import { useOnUnauthorized, useSession, type User } from '@/lib/session';

function Field({ id, label, error, hint, ...input }: { id: string; label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [error ? `${id}-error` : undefined, hint ? `${id}-hint` : undefined].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={describedBy || undefined} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

// The form-level message: field errors are shown under their fields, anything else here.
function formMessage(err: unknown, byField: Record<string, string>): string {
  if (err instanceof ApiError && Object.keys(byField).length > 0) return 'Please correct the highlighted fields.';
  return describeError(err, 'task');
}

// A 403 naming the password field means "wrong password": said as such.
function wrongPassword(err: unknown, field: string): boolean {
  return err instanceof ApiError && err.status === 403 && err.fieldMessage(field) !== undefined;
}

export function ChangePassword() {
  const onUnauthorized = useOnUnauthorized();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setDone(false);
    if (next !== repeat) {
      setFields({ repeat_password: 'The two new passwords are not the same.' });
      return;
    }
    setFields({});
    setBusy(true);
    try {
      await accountApi.changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      if (onUnauthorized(err)) return;
      if (wrongPassword(err, 'current_password')) {
        setFields({ current_password: 'This is not your current password.' });
      } else {
        const byField = fieldErrors(err);
        setFields(byField);
        setError(formMessage(err, byField));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="settings-section" aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <p className="muted">Every other device where you are signed in is signed out; this one stays signed in.</p>
      <form onSubmit={submit} noValidate>
        <Field id="current_password" label="Current password" type="password" autoComplete="current-password" required value={current} error={fields.current_password} onChange={(e) => setCurrent(e.target.value)} />
        <Field
          id="new_password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters; a few words make a strong password."
          value={next}
          error={fields.new_password}
          onChange={(e) => setNext(e.target.value)}
        />
        <Field id="repeat_password" label="New password again" type="password" autoComplete="new-password" required value={repeat} error={fields.repeat_password} onChange={(e) => setRepeat(e.target.value)} />
        <div className="form-error-slot">
          {error && (
            <p role="alert" className="form-error">
              {error}
            </p>
          )}
          {done && (
            <p role="status" className="form-success">
              Your password was changed. Other devices have been signed out.
            </p>
          )}
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

export function SignOutEverywhere() {
  const { expired } = useSession();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function signOutAll() {
    setBusy(true);
    setError('');
    try {
      await accountApi.signOutEverywhere();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        setError(describeError(err, 'task'));
        setBusy(false);
        return;
      }
    }
    expired();
    router.replace('/sign-in');
  }

  return (
    <section className="settings-section" aria-labelledby="sign-out-all-title">
      <h2 id="sign-out-all-title">Sign out everywhere</h2>
      <p className="muted">Ends every session of your account: on this device and on every other one.</p>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="button" className="button" onClick={signOutAll} disabled={busy}>
        {busy ? 'Signing out…' : 'Sign out everywhere'}
      </button>
    </section>
  );
}

export function ExportData({ user }: { user: User }) {
  return (
    <section className="settings-section" aria-labelledby="export-title">
      <h2 id="export-title">Download your data</h2>
      <p className="muted">Every task and the whole audit trail, as one JSON file.</p>
      <a className="button" href={accountApi.exportUrl(user.id)} download>
        Download my data
      </a>
    </section>
  );
}

export function DeleteAccount({ user }: { user: User }) {
  const { expired } = useSession();
  const router = useRouter();
  const onUnauthorized = useOnUnauthorized();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldError('');
    setError('');
    if (!password) {
      setFieldError('Enter your password to confirm.');
      return;
    }
    setBusy(true);
    try {
      await accountApi.deleteAccount(user.id, password);
      expired();
      router.replace('/sign-in');
    } catch (err) {
      setBusy(false);
      if (onUnauthorized(err)) return;
      if (wrongPassword(err, 'password')) setFieldError('This is not your password.');
      else setError(describeError(err, 'task'));
    }
  }

  return (
    <section className="settings-section settings-danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p className="muted">Deletes your account and every task, for good. You are signed out everywhere.</p>
      {!open ? (
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Delete account…
        </button>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field id="delete_password" label="Your password, to confirm" type="password" autoComplete="current-password" required value={password} error={fieldError} onChange={(e) => setPassword(e.target.value)} />
          <div className="form-error-slot">
            {error && (
              <p role="alert" className="form-error">
                {error}
              </p>
            )}
          </div>
          <div className="settings-actions">
            <button type="submit" className="button button-danger" disabled={busy}>
              {busy ? 'Deleting…' : 'Delete my account permanently'}
            </button>
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setOpen(false);
                setPassword('');
                setFieldError('');
                setError('');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
