'use client';
// "Type and press Enter": adds a task with just a title; "More options" opens the editor
// with what was typed.
import { useState, type FormEvent } from 'react';

export interface QuickAddProps {
  disabled: boolean;
  error: string;
  onAdd(title: string): void;
  onMore(title: string): void;
}

export function QuickAdd({ disabled, error, onAdd, onMore }: QuickAddProps) {
  const [title, setTitle] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    const t = title.trim();
    if (!t || disabled) return;
    onAdd(t);
    setTitle('');
  }

  return (
    <form className="quick-add" onSubmit={submit}>
      <label htmlFor="quick-add" className="visually-hidden">
        New task title
      </label>
      <input
        id="quick-add"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        placeholder="Add a task and press Enter"
        maxLength={500}
        autoComplete="off"
        aria-describedby={error ? 'quick-add-error' : undefined}
      />
      <button type="submit" className="button button-primary" disabled={disabled || !title.trim()}>
        Add
      </button>
      <button
        type="button"
        className="button"
        disabled={disabled}
        onClick={() => {
          onMore(title.trim());
          setTitle('');
        }}
      >
        More options…
      </button>
      <div className="quick-add-error-slot">
        {error && (
          <p id="quick-add-error" className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
