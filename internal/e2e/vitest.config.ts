import { defineConfig } from 'vitest/config';

// Packing, two `npm install`s from the registry and a Node 22 download take
// minutes on a cold cache; nothing here is a timing assertion.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@svcmon/testkit/private-tmp'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
