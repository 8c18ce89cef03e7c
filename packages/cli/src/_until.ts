// `--until T` of `svcmon config pause-task`: when a pause ends.
import { InvalidArgumentError } from 'commander';

const USAGE =
  '--until must be a time such as 2026-12-01T06:00:00Z or 2026-12-01 (UTC), a duration from now such as 2h or 3d, or @<unix seconds>';

// A date, optionally a time of day (seconds and a fraction optional), optionally a zone.
const ISO =
  /^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})(?:[T ](?<h>\d{2}):(?<mi>\d{2})(?::(?<s>\d{2})(?<frac>\.\d+)?)?)?(?<zone>Z|(?<sign>[+-])(?<zh>\d{2}):?(?<zm>\d{2}))?$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Unix milliseconds of an ISO date-time that exists (no 30 February, no 24:00), else undefined. */
function isoMs(g: Record<string, string | undefined>): number | undefined {
  const n = (x: string | undefined): number => Number(x ?? 0);
  const [y, mo, d, h, mi, s, zh, zm] = [n(g.y), n(g.mo), n(g.d), n(g.h), n(g.mi), n(g.s), n(g.zh), n(g.zm)];
  const monthDays = mo === 2 && isLeap(y) ? 29 : DAYS[mo - 1];
  if (monthDays === undefined || d < 1 || d > monthDays || h > 23 || mi > 59 || s > 59 || zh > 23 || zm > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads the years 0–99 as 1900–1999
  const offsetMinutes = (g.sign === '-' ? -1 : 1) * (zh * 60 + zm);
  return date.getTime() + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + Math.floor(n(g.frac) * 1000);
}

/**
 * A time as unix seconds: an ISO 8601 date or date-time (`2026-12-01`, `2026-12-01T06:00:00Z`; a date
 * without a zone is UTC, as the reports are; a time of day needs its zone, `Z` or `+hh:mm`), a duration
 * from now (`90m`, `2h`, `3d`, `1w`, `1h30m`: the store's `parseDuration`), or `@<unix seconds>`.
 * A date or time of day that does not exist (`2030-02-30`, `25:00`) is refused, never rolled over.
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
  const iso = ISO.exec(v)?.groups;
  const ms = iso && isoMs(iso);
  if (iso && ms !== undefined) {
    if (iso.h !== undefined && iso.zone === undefined) throw new InvalidArgumentError(`${USAGE}: a time of day needs a zone (Z or +hh:mm).`);
    return Math.floor(ms / 1000);
  }
  throw new InvalidArgumentError(`${USAGE}.`);
}
