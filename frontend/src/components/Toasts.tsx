'use client';
// Short messages at the bottom of the screen: errors (announced at once) and notices with
// an action ("Task deleted — Undo"). One live region each, present from the first paint
// so that screen readers announce what is added later.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export interface ToastInput {
  message: string;
  kind?: 'info' | 'error';
  action?: { label: string; onAction(): void };
  durationMs?: number;
  onClose?(): void; // when it goes away without its action
}

interface Toast extends ToastInput {
  id: number;
}

interface ToastApi {
  show(t: ToastInput): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const nextId = useRef(1);
  const byId = useRef(new Map<number, Toast>());

  const remove = useCallback((id: number, acted: boolean) => {
    const t = byId.current.get(id);
    if (!t) return;
    byId.current.delete(id);
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((x) => x.id !== id));
    if (!acted) t.onClose?.();
  }, []);

  const show = useCallback(
    (input: ToastInput) => {
      const id = nextId.current++;
      const toast = { ...input, id };
      byId.current.set(id, toast);
      setToasts((list) => [...list.slice(-3), toast]);
      const ms = input.durationMs ?? (input.kind === 'error' ? 8000 : 5000);
      timers.current.set(
        id,
        setTimeout(() => remove(id, false), ms),
      );
      return id;
    },
    [remove],
  );

  const api = useMemo(() => ({ show, dismiss: (id: number) => remove(id, false) }), [show, remove]);

  const render = (kind: 'info' | 'error') =>
    toasts
      .filter((t) => (t.kind ?? 'info') === kind)
      .map((t) => (
        <div key={t.id} className={`toast toast-${kind}`}>
          <span className="toast-message">{t.message}</span>
          {t.action && (
            <button
              type="button"
              className="toast-action"
              onClick={() => {
                t.action!.onAction();
                remove(t.id, true);
              }}
            >
              {t.action.label}
            </button>
          )}
          <button type="button" className="toast-close" aria-label="Dismiss message" onClick={() => remove(t.id, false)}>
            ×
          </button>
        </div>
      ));

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts">
        <div role="alert" aria-live="assertive" className="toast-stack">
          {render('error')}
        </div>
        <div role="status" aria-live="polite" className="toast-stack">
          {render('info')}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

export function useToasts(): ToastApi {
  const v = useContext(ToastContext);
  if (!v) throw new Error('useToasts outside ToastProvider');
  return v;
}
