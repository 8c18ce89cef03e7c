import { defineConfig } from 'vitest/config';

// Every scenario has its own generous bound (asserted in the test); these are
// only the outer limits. The SMTP-hang scenario waits for nodemailer's 60 s
// greeting timeout, so it lives in its own file and overlaps the others.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@svcmon/testkit/private-tmp'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
