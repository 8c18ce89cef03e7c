// A child process keeps the test's clock: scripts/test.sh runs the
// clock-sensitive suites under faketime (LD_PRELOAD plus FAKETIME*) and with
// TZ set, and a test that starts a process with a minimal environment must
// hand those on, or the child reads another instant than the test.

const CLOCK_VARIABLE = /^(TZ|LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC|NO_FAKE_STAT)$/;

/** The variables of this process that set the clock and the time zone, for a child's environment. */
export function clockEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && CLOCK_VARIABLE.test(name)) env[name] = value;
  }
  return env;
}
