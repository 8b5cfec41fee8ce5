'use client';
import { AuditView } from '@/components/AuditView';
import { useRequiredUser } from '@/lib/session';

export function AuditPage() {
  const user = useRequiredUser();
  return (
    <>
      <h1>Audit trail</h1>
      <p className="page-intro">Every change to your tasks, newest first.</p>
      <AuditView userId={user?.id ?? null} />
    </>
  );
}
