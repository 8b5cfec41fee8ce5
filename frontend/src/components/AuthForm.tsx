'use client';
// Sign-in and sign-up forms. Errors are said in words: the form-level one in an alert,
// field ones under their fields (linked with aria-describedby).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent, type InputHTMLAttributes } from 'react';

import { ApiError } from '@/lib/api';
import { describeError, fieldErrors, fieldSentence } from '@/lib/messages';
import { useSession } from '@/lib/session';

// As the server counts it (code points); src/auth/password.cpp.
const MIN_PASSWORD_LENGTH = 8;

// Only our own paths: "?next=https://evil.example" must not send anyone away.
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/tasks';
}

// A labelled input with its optional hint and error, linked for screen readers.
function FormField({
  id,
  label,
  error,
  hint,
  ...input
}: { id: string; label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
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

export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const { state, signIn, signUp } = useSession();
  const router = useRouter();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});

  // Already signed in (say, the back button): go where the person was going.
  useEffect(() => {
    if (state.status === 'signed-in' && !busy) router.replace(nextPath());
  }, [state.status, busy, router]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setFields({});
    // The server's first password rule, checked here too so that a short password costs
    // no round trip and no refused request (which the browser would log as a failed
    // resource). Every other rule is the server's (its 422 names the field).
    if (mode === 'sign-up' && [...password].length < MIN_PASSWORD_LENGTH) {
      setFields({ password: fieldSentence('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`) });
      setError('Please correct the highlighted fields.');
      return;
    }
    setBusy(true);
    try {
      if (mode === 'sign-in') await signIn(email, password);
      else await signUp(name, email, password);
      router.replace(nextPath());
    } catch (err) {
      const byField = mode === 'sign-up' ? fieldErrors(err) : {};
      setFields(byField);
      const onlyFields = err instanceof ApiError && Object.keys(byField).length > 0;
      setError(onlyFields ? 'Please correct the highlighted fields.' : describeError(err, mode));
      setBusy(false);
    }
  }

  const title = mode === 'sign-in' ? 'Sign in' : 'Create your account';

  return (
    <div className="auth-card">
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate aria-describedby={error ? 'form-error' : undefined}>
        {mode === 'sign-up' && (
          <FormField
            id="name"
            label="Name"
            error={fields.name}
            autoComplete="name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
        <FormField
          id="email"
          label="E-mail"
          error={fields.email}
          type="email"
          autoComplete={mode === 'sign-in' ? 'username' : 'email'}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <FormField
          id="password"
          label="Password"
          error={fields.password}
          hint={mode === 'sign-up' ? 'At least 8 characters; a few words make a strong password.' : undefined}
          type="password"
          autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'sign-up' ? MIN_PASSWORD_LENGTH : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="form-error-slot">
          {error && (
            <p id="form-error" role="alert" className="form-error">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? (mode === 'sign-in' ? 'Signing in…' : 'Creating account…') : title === 'Sign in' ? 'Sign in' : 'Sign up'}
        </button>
      </form>
      <p className="auth-switch">
        {mode === 'sign-in' ? (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        ) : (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        )}
      </p>
    </div>
  );
}
