// Option parsers of the alerting flags: --remind, --status, --max-ms, --cert-days, --failures.
import { InvalidArgumentError } from 'commander';

/** `30m`, `6h`, `1d`, `1h30m`, or seconds → seconds. */
export function duration(name: string) {
  return (value: string): number => {
    const t = value.trim();
    const re = /(\d+)\s*(d|h|m|s)/gy;
    let total = 0;
    let end = 0;
    let m: RegExpExecArray | null;
    if (/^\d+$/.test(t)) total = Number(t), (end = t.length);
    else
      while ((m = re.exec(t)) !== null) {
        total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
        end = re.lastIndex;
      }
    if (end === 0 || end !== t.length || !Number.isSafeInteger(total) || total <= 0) {
      throw new InvalidArgumentError(`${name} must be a duration such as 30m, 6h or 1d.`);
    }
    return total;
  };
}

/** `200,204` → [200, 204] (HTTP statuses 100–599). */
export function statusList(name: string) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim());
    const codes = parts.map((s) => (/^\d{3}$/.test(s) ? Number(s) : Number.NaN));
    if (codes.length === 0 || codes.some((c) => !(c >= 100 && c <= 599))) {
      throw new InvalidArgumentError(`${name} must be HTTP statuses separated by commas, such as 200,204.`);
    }
    return codes;
  };
}

/** A whole number within [min, max], e.g. --failures (1…), --max-ms (1…), --cert-days (0…). */
export function wholeNumber(name: string, min: number, what: string) {
  return (value: string): number => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be a whole number of ${what}${min > 0 ? ` (at least ${min})` : ''}.`);
    }
    return n;
  };
}
