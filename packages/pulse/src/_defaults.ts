// Defaults as DESIGN.md and @svcmon/store define them (period: task, top-level, one day;
// timeout: site, top-level, 30 s). Kept local so that a malformed value falls back instead of throwing.
export const DEFAULT_PERIOD = 86400;
export const DEFAULT_TIMEOUT = 30;

/** A non-negative number of seconds, or undefined (also unwraps an rktd Flonum such as `30.0`). */
function seconds(v: unknown): number | undefined {
  const n = typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'number'
    ? (v as { value: number }).value
    : typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function taskPeriod(config: { period?: unknown }, task: { period?: unknown }): number {
  return seconds(task.period) ?? seconds(config.period) ?? DEFAULT_PERIOD;
}

export function siteTimeout(config: { timeout?: unknown }, site: { timeout?: unknown }, fallback = DEFAULT_TIMEOUT): number {
  return seconds(site.timeout) ?? seconds(config.timeout) ?? fallback;
}
