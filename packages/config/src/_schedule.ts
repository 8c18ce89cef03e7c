// Task keys of `svcmon run` and schedules: grace, schedule, tz, max-duration, paused-until, paused?.
// The original's pulse ignores keys it does not know; these are all plain Racket data.
import { Cron } from 'croner';
import { ConfigError, type ConfigFunction } from './errors.js';

interface KeySpec {
  check: (v: unknown) => boolean;
  want: string;
}

const natural = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0)) || (typeof v === 'bigint' && v >= 0n);

/** Five fields (minute hour day-of-month month day-of-week) or a croner nickname (`@daily`), checked by croner. */
export function isCronSchedule(v: unknown): boolean {
  if (typeof v !== 'string' || v.trim() === '') return false;
  try {
    new Cron(v, { paused: true, mode: '5-part', timezone: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(v: unknown): boolean {
  if (typeof v !== 'string' || v === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export const RUN_TASK_KEYS: Record<string, KeySpec> = {
  grace: { check: natural, want: 'a non-negative exact integer (seconds)' },
  schedule: { check: isCronSchedule, want: 'a five-field cron expression such as "0 3 * * *"' },
  tz: { check: isTimeZone, want: 'an IANA time zone such as "Europe/Berlin"' },
  'max-duration': {
    check: (v) => natural(v) && v !== 0 && v !== 0n,
    want: 'a positive exact integer (seconds)',
  },
  'paused-until': { check: natural, want: 'a time as an exact integer of unix seconds' },
  'paused?': { check: (v) => typeof v === 'boolean', want: 'a boolean' },
};

/** A time zone without a schedule would change nothing: refused, never silently kept. */
export function checkScheduleZone(fn: ConfigFunction, entry: unknown): void {
  const e = entry as { tz?: unknown; schedule?: unknown } | null;
  if (e?.tz === undefined || e.schedule !== undefined) return;
  throw new ConfigError('E_INVALID_ENTRY', `${fn}: tz is the time zone of a schedule, but the task has no schedule (give a schedule too, or leave tz out)`, {
    fn,
    key: 'tz',
    value: e.tz,
  });
}
