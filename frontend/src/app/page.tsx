'use client';
// "/": the tasks for a signed-in person, the sign-in page for everyone else.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

import { useSession } from '@/lib/session';

export default function Home() {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === 'signed-in') router.replace('/tasks');
    else if (state.status === 'signed-out') router.replace('/sign-in');
  }, [state.status, router]);
  return (
    <p className="muted" role="status">
      Loading…
    </p>
  );
}
