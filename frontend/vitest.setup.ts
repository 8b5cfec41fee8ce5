import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// findBy*/waitFor wait for a condition; their deadline (1 s by default) is only a safety
// net, generous so that a busy machine does not fail a test that would pass.
configure({ asyncUtilTimeout: 15_000 });

// Testing Library unmounts between tests only when globals are on; we import explicitly.
// Real timers again first, so that cleanup's effects run on the real clock.
afterEach(() => {
  vi.useRealTimers();
  cleanup();
});

// jsdom has <dialog> but not its modal methods.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}
