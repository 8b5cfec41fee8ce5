'use client';
// The settings page's notification preferences (issue 11): reminder e-mails, completion
// e-mails (when a task is completed by something other than this browser: the API, the chat,
// an AI tool) and the time zone e-mails show times in. Loaded from and saved to
// /api/{user}/preferences as a whole (lib/preferences.ts); field errors under their fields.
import { useEffect, useId, useState, type FormEvent } from 'react';

import { describeError, fieldErrors } from '@/lib/messages';
import { preferencesApi, timeZones, type PreferencesInput } from '@/lib/preferences';
import { useOnUnauthorized, type User } from '@/lib/session';

export function PreferencesForm({ user }: { user: User }) {
  const onUnauthorized = useOnUnauthorized();
  const id = useId();
  const [prefs, setPrefs] = useState<PreferencesInput | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let live = true;
    preferencesApi.get(user.id).then(
      (p) => live && setPrefs({ email_reminders: p.email_reminders, completion_notices: p.completion_notices, timezone: p.timezone }),
      (err) => {
        if (!live || onUnauthorized(err)) return;
        setError(describeError(err, 'task'));
      },
    );
    return () => {
      live = false;
    };
  }, [user.id, onUnauthorized]);

  function change(patch: Partial<PreferencesInput>) {
    setPrefs((p) => (p ? { ...p, ...patch } : p));
    setSaved(false);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!prefs) return;
    setBusy(true);
    setError('');
    setFields({});
    try {
      const p = await preferencesApi.put(user.id, prefs);
      setPrefs({ email_reminders: p.email_reminders, completion_notices: p.completion_notices, timezone: p.timezone });
      setSaved(true);
    } catch (err) {
      if (onUnauthorized(err)) return;
      const byField = fieldErrors(err);
      setFields(byField);
      setError(Object.keys(byField).length ? 'Please correct the highlighted fields.' : describeError(err, 'task'));
    } finally {
      setBusy(false);
    }
  }

  const tz = `${id}-timezone`;
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Notifications by e-mail</h2>
      <p className="muted settings-email">E-mails go to {user.email}.</p>
      {prefs && (
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label>
              <input type="checkbox" checked={prefs.email_reminders} onChange={(e) => change({ email_reminders: e.target.checked })} /> E-mail me when a reminder fires
            </label>
            {fields.email_reminders && <p className="field-error">{fields.email_reminders}</p>}
          </div>
          <div className="field">
            <label>
              <input type="checkbox" checked={prefs.completion_notices} onChange={(e) => change({ completion_notices: e.target.checked })} /> E-mail me when a task is completed
              outside this browser (by the API, the chat or an AI tool)
            </label>
            {fields.completion_notices && <p className="field-error">{fields.completion_notices}</p>}
          </div>
          <div className="field">
            <label htmlFor={tz}>Time zone for times in e-mails</label>
            <select
              id={tz}
              value={prefs.timezone}
              aria-invalid={fields.timezone ? true : undefined}
              aria-describedby={fields.timezone ? `${tz}-error` : undefined}
              onChange={(e) => change({ timezone: e.target.value })}
            >
              {timeZones(prefs.timezone).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
            {fields.timezone && (
              <p id={`${tz}-error`} className="field-error">
                {fields.timezone}
              </p>
            )}
          </div>
          <div className="form-error-slot">
            {error && (
              <p role="alert" className="form-error">
                {error}
              </p>
            )}
            {saved && (
              <p role="status" className="form-success">
                Your preferences were saved.
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save preferences'}
          </button>
        </form>
      )}
      {!prefs && error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </section>
  );
}
