import { render } from '@testing-library/react';
import type { ReactElement } from 'react';

import { ToastProvider } from '@/components/Toasts';
import { SessionProvider } from '@/lib/session';

// What the pages have around them (layout.tsx): the session and the toasts.
export function renderInApp(ui: ReactElement) {
  return render(
    <SessionProvider>
      <ToastProvider>{ui}</ToastProvider>
    </SessionProvider>,
  );
}
