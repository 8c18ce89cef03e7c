// Time as people read it, in one place: the dates and elapsed times of the report, the text of
// a configured span, and the parsing of a duration typed by a person (`6h`, `1d`).

// The original prints dates with Racket's `(date->string (seconds->date s #f) #t)`
// under the default `date-display-format` ('american), in UTC:
// "Tuesday, November 24th, 2026 2:51:36am". Users' mail filters may rely on it.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const last = n % 10;
  const suffix = teen ? 'th' : last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Unix seconds → Racket's american date string with time, in UTC. A time no date can hold
 * (beyond ±100,000,000 days from 1970, NaN, infinite) is said as such, never as `NaN`.
 */
export function racketDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) {
    return Number.isFinite(seconds)
      ? `${seconds} seconds after 1970-01-01 (a time too far from now to be a date)`
      : `an impossible time (${Number.isNaN(seconds) ? 'not a number of seconds' : 'infinitely far'})`;
  }
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const ampm = hours < 12 ? 'am' : 'pm';
  return (
    `${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${ordinal(d.getUTCDate())}, ${d.getUTCFullYear()} ` +
    `${hour12}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${ampm}`
  );
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function nOf(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The largest whole unit among day/hour/minute/second: "1 day", "3 hours", "0 seconds". */
export function elapsedText(seconds: number): string {
  if (seconds >= DAY) return nOf(Math.floor(seconds / DAY), 'day');
  if (seconds >= HOUR) return nOf(Math.floor(seconds / HOUR), 'hour');
  if (seconds >= MINUTE) return nOf(Math.floor(seconds / MINUTE), 'minute');
  return nOf(seconds, 'second');
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
  ['second', 1],
];

/**
 * A number of seconds as people write it: `30`, `2.5`, `0.0000001` (never `1e-7`), for the
 * fractions a timeout may hold.
 */
export function secondsText(seconds: number): string {
  return Number.isFinite(seconds) ? seconds.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : String(seconds);
}

/**
 * A configured span, exactly: `86400` → `1 day`, `5400` → `1 hour 30 minutes`, `0` → `0 seconds`,
 * `2.5` → `2.5 seconds`. (Elapsed time in reports is `elapsedText`: the largest whole unit.)
 */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(seconds)) {
    return `${secondsText(seconds)} second${seconds === 1 ? '' : 's'}`;
  }
  let rest = seconds;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(nOf(n, unit));
    rest -= n * size;
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

const PARTS: Record<string, number> = { w: 7 * DAY, d: DAY, h: HOUR, m: MINUTE, s: 1 };

/**
 * `6h`, `30m`, `1d`, `2w`, `90s`, `1h30m`, or plain seconds (`3600`) → seconds (a positive safe
 * integer). Throws RangeError on anything else.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  let total = 0;
  let end = 0;
  if (/^\d+$/.test(t)) {
    total = Number(t);
    end = t.length;
  } else {
    const re = /(\d+)\s*([wdhms])\s*/gy;
    let m: RegExpExecArray | null;
    while ((m = re.exec(t)) !== null) {
      total += Number(m[1]) * PARTS[m[2]!]!;
      end = re.lastIndex;
    }
  }
  if (end === 0 || end !== t.length || !Number.isSafeInteger(total) || total <= 0) {
    throw new RangeError(`not a duration: ${JSON.stringify(text)} (use e.g. 30m, 6h, 1d)`);
  }
  return total;
}
