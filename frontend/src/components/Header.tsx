'use client';
// The main navigation. Its height and the user area's width are fixed, so nothing moves
// when the session answer arrives. No prefetching: the pages are tiny, and prefetches
// would compete with the first API calls while the page loads.
import Link from 'next/link';
import { usePathname } from 'next/navigation';

import { useSession } from '@/lib/session';

import { NotificationBell } from './NotificationBell';

const LINKS = [
  { href: '/tasks', label: 'Tasks' },
  { href: '/chat', label: 'Chat' },
  { href: '/audit', label: 'Audit trail' },
  { href: '/settings', label: 'Settings' },
];

export function Header() {
  const { state, signOut } = useSession();
  const pathname = usePathname();
  const signedIn = state.status === 'signed-in';

  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href={signedIn ? '/tasks' : '/'} prefetch={false} className="brand">
          <span aria-hidden="true" className="brand-mark">✓</span> Todo
        </Link>
        <nav aria-label="Main" className="main-nav">
          {LINKS.map((l) => (
            <Link key={l.href} href={l.href} prefetch={false} aria-current={pathname === l.href ? 'page' : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
        <div className="user-area">
          {state.status === 'signed-in' && (
            <>
              <NotificationBell userId={state.user.id} />
              <span className="user-name" title={state.user.email}>
                {state.user.name}
              </span>
              {/* No navigation here: the page decides (tasks and audit send to
                  /sign-in?next=…, the home page to /sign-in). Two navigations at once
                  would race, and the last one would win at random. */}
              <button type="button" className="button button-quiet" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          )}
          {state.status === 'signed-out' && (
            <>
              <Link href="/sign-in" aria-current={pathname === '/sign-in' ? 'page' : undefined}>
                Sign in
              </Link>
              <Link href="/sign-up" className="button wide-only" aria-current={pathname === '/sign-up' ? 'page' : undefined}>
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
