'use client';
import { TasksView } from '@/components/TasksView';
import { useRequiredUser } from '@/lib/session';

export function TasksPage() {
  const user = useRequiredUser();
  return (
    <>
      <h1>Tasks</h1>
      <TasksView userId={user?.id ?? null} />
    </>
  );
}
