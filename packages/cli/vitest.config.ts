import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@svcmon/testkit/private-tmp'],
    // A backstop, not a measure: a test here starts up to ~30 CLI processes one after another,
    // each a second or more on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
