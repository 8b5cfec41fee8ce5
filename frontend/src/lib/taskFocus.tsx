'use client';
// "Open this task" from outside the tasks page (the notifications panel in the header):
// the request is kept here, above the pages, so that it survives the client-side
// navigation to /tasks; the tasks view takes it, opens the task's editor and clears it.
// A link from outside the app (an e-mail's "Open the task": /tasks?task=<id>) asks the same
// once, when the app loads; the parameter is then removed from the address.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

interface TaskFocusValue {
  requested: number | null; // a task id waiting to be opened
  open(taskId: number): void;
  done(): void;
}

const TaskFocusContext = createContext<TaskFocusValue | null>(null);

export function TaskFocusProvider({ children }: { children: ReactNode }) {
  const [requested, setRequested] = useState<number | null>(null);
  const open = useCallback((taskId: number) => setRequested(taskId), []);
  const done = useCallback(() => setRequested(null), []);
  useEffect(() => {
    const url = new URL(window.location.href);
    const id = Number(url.searchParams.get('task'));
    if (!Number.isSafeInteger(id) || id <= 0) return;
    setRequested(id);
    url.searchParams.delete('task');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }, []);
  const value = useMemo(() => ({ requested, open, done }), [requested, open, done]);
  return <TaskFocusContext.Provider value={value}>{children}</TaskFocusContext.Provider>;
}

// Outside a provider (a component test of one view) opening does nothing.
const NONE: TaskFocusValue = { requested: null, open: () => undefined, done: () => undefined };

export function useTaskFocus(): TaskFocusValue {
  return useContext(TaskFocusContext) ?? NONE;
}
