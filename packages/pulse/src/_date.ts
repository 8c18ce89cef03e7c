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
