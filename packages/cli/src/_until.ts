// `--until T` of `svcmon config pause-task`: when a pause ends.
import { InvalidArgumentError } from 'commander';

/**
 * A time as unix seconds: an ISO 8601 date or date-time (`2026-12-01`, `2026-12-01T06:00:00Z`; a date
 * without a zone is UTC, as the reports are), a duration from now (`90m`, `2h`, `3d`, `1w`, `1h30m`: the
 * store's `parseDuration`), or `@<unix seconds>`.
 */
export function parseUntil(value: string, parseDuration: (text: string) => number, now: Date = new Date()): number {
  const v = value.trim();
  if (/^\d+\s*[smhdw]/.test(v)) {
    try {
      return Math.floor(now.getTime() / 1000) + parseDuration(v);
    } catch {
      // not a duration: the message below says what is
    }
  }
  const unix = /^@(\d+)$/.exec(v);
  if (unix) return Number(unix[1]);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(v) || v.length === 10 ? v : `${v}Z`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  throw new InvalidArgumentError(
    '--until must be a time such as 2026-12-01T06:00:00Z or 2026-12-01 (UTC), a duration from now such as 2h or 3d, or @<unix seconds>.',
  );
}
