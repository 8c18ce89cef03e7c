// The richer site checks' keys (issue 10): what set-site accepts beside url and timeout.
// The pulse reads them; the original ignores them.

interface KeySpec {
  check: (v: unknown) => boolean;
  want: string;
}

const exactAtLeast = (min: number, want: string): KeySpec => ({
  check: (v) =>
    (typeof v === 'number' && Number.isInteger(v) && v >= min && !Object.is(v, -0)) || (typeof v === 'bigint' && v >= BigInt(min)),
  want,
});

const isStatus = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;

export const ALERT_SITE_KEYS: Record<string, KeySpec> = {
  /** Statuses that count as up. */
  status: {
    check: (v) => Array.isArray(v) && v.length > 0 && v.every(isStatus),
    want: 'a non-empty list of HTTP statuses (100–599)',
  },
  /** Text the body must contain. */
  contains: { check: (v) => typeof v === 'string' && v !== '', want: 'a non-empty string' },
  /** Slowest acceptable answer. */
  'max-ms': exactAtLeast(1, 'a positive exact integer (milliseconds)'),
  /** https: days of certificate validity required. */
  'cert-days': exactAtLeast(0, 'a non-negative exact integer (days)'),
  /** Consecutive failed pulses before the site counts as down. */
  failures: exactAtLeast(1, 'a positive exact integer (pulses)'),
};
