import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  // React 17+ JSX transform, as Next compiles it.
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./vitest.setup.ts'],
    restoreMocks: true,
    // vi.stubGlobal (the fake fetch) and vi.useFakeTimers end with their test: a test
    // never sees the previous one's fetch or clock.
    unstubGlobals: true,
    // Safety nets, not speed bounds: a test that typing makes take 4 s on an idle 2-core
    // machine must not fail on a busy one (and a timed-out test would leave its typing
    // running into the next). Assertions never depend on how long anything took.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A zone with DST and an offset, so that time conversions are really exercised; and
    // one language, so that "yesterday" does not depend on the machine's locale.
    env: { TZ: 'Europe/Berlin', LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' },
    // `npm run coverage` (make coverage, issue 16): V8 coverage of the UI's own code. The
    // route files of src/app are thin Next.js wrappers the browser tests (tests/e2e) drive;
    // they count here too, so the figure is what these component tests reach.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}'],
      exclude: ['src/**/*.test.{ts,tsx}', 'src/test/**'],
      reporter: ['text', 'text-summary', 'json-summary'],
      reportsDirectory: '../build-coverage/frontend',
      thresholds: { lines: 80 },
    },
  },
});
