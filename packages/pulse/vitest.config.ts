import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@svcmon/testkit/private-tmp'],
    // A backstop, not a measure: a test here runs up to ~160 pulses one after another (13 hours
    // of a five-minute pulse), each a few hundred ms on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
