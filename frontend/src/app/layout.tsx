import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';

import { Header } from '@/components/Header';
import { ToastProvider } from '@/components/Toasts';
import { LiveUpdatesProvider } from '@/lib/liveUpdates';
import { SessionProvider } from '@/lib/session';
import { TaskFocusProvider } from '@/lib/taskFocus';

import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Todo', template: '%s · Todo' },
  description: 'Tasks, reminders and their audit trail.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f7f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#16171b' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SessionProvider>
          <ToastProvider>
            <TaskFocusProvider>
              <LiveUpdatesProvider>
                <Header />
                <main id="main" className="page" tabIndex={-1}>
                  {children}
                </main>
              </LiveUpdatesProvider>
            </TaskFocusProvider>
          </ToastProvider>
        </SessionProvider>
      </body>
    </html>
  );
}
