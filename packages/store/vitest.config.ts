import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@svcmon/testkit/private-tmp'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
