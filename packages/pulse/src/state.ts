// The pulse's memory between runs: one object per monitor in the bucket,
// written with a conditional write so two pulses of the same monitor never
// silently overwrite each other's verdicts.
import { MAX_STATE_BYTES, updateObject, type Store } from '@svcmon/store';
import type { Told } from './alerts.js';
import { PulseError } from './errors.js';

/** Verdicts kept per check for the uptime strip. */
export const HISTORY_LENGTH = 100;

/** The monitor name used without `selfName`. */
export const DEFAULT_MONITOR = 'default';

/** One check as the previous pulses left it. */
export interface CheckState {
  /** Counted as down (after the `failures` threshold). */
  down: boolean;
  /** Consecutive failed pulses (raw verdicts, before the threshold). */
  failures: number;
  /** Why it failed last time. */
  reason?: string;
  /** Seconds since the epoch when `down` last changed (or when first seen). */
  since: number;
  /** The last verdicts, oldest first, at most 100: `1` up, `0` failed (raw). */
  history: string;
  /** Seconds of the last failed pulse, if any. */
  lastFailure?: number;
}

/** The object `svcmon-pulse-state/<monitor>.json`. */
export interface PulseState {
  version: 1;
  monitor: string;
  /** Seconds since the epoch of the pulse that wrote it. */
  seconds: number;
  /** Counted healthy (thresholds applied). */
  ok: boolean;
  /** Check id (`site:<url>`, `task:<name>`) → its state. */
  checks: Record<string, CheckState>;
  /**
   * What this monitor last told people, as a state written before the ledger kept it (its
   * `alerted` and `notifiedAt`): read, never written, so that the first pulse on a bucket without a
   * ledger does not announce again what was announced already.
   */
  told?: Told;
}

/** Where a monitor keeps its state: `svcmon-pulse-state/<name>.json` (name URI-encoded). Not public. */
export function pulseStateKey(selfName?: string): string {
  return `svcmon-pulse-state/${encodeURIComponent(selfName ?? DEFAULT_MONITOR)}.json`;
}

function isCheckState(v: unknown): v is CheckState {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['down'] === 'boolean' && typeof c['failures'] === 'number' && typeof c['since'] === 'number' && typeof c['history'] === 'string';
}

/** Parse a state object; anything unreadable counts as no state (null). */
export function parsePulseState(text: string): PulseState | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Record<string, unknown>;
  if (s['version'] !== 1 || typeof s['checks'] !== 'object' || s['checks'] === null) return null;
  const checks: Record<string, CheckState> = {};
  for (const [id, c] of Object.entries(s['checks'] as Record<string, unknown>)) if (isCheckState(c)) checks[id] = c;
  const out: PulseState = {
    version: 1,
    monitor: typeof s['monitor'] === 'string' ? s['monitor'] : DEFAULT_MONITOR,
    seconds: typeof s['seconds'] === 'number' ? s['seconds'] : 0,
    ok: s['ok'] === true,
    checks,
  };
  if (Array.isArray(s['alerted'])) {
    out.told = { alerted: (s['alerted'] as unknown[]).filter((x): x is string => typeof x === 'string') };
    if (typeof s['notifiedAt'] === 'number') out.told.notifiedAt = s['notifiedAt'];
  }
  return out;
}

/** Read a monitor's state: null when there is none (or it cannot be parsed). Store failures throw. */
export async function readPulseState(store: Store, selfName?: string): Promise<{ state: PulseState | null; etag?: string }> {
  const obj = await store.get(pulseStateKey(selfName), { maxBytes: MAX_STATE_BYTES });
  if (obj === null) return { state: null };
  return { state: parsePulseState(obj.body.toString('utf8')), etag: obj.etag };
}

/**
 * The store's compare-and-swap (`updateObject`) on the monitor's state: when another pulse of the
 * same monitor wrote in between, read again and recompute, at most `attempts` times (default: the
 * store's). `compute` gets the state read (null when none) and returns the new state plus anything
 * the caller wants back.
 */
export async function updatePulseState<T>(
  store: Store,
  selfName: string | undefined,
  compute: (previous: PulseState | null) => { state: PulseState; value: T },
  attempts?: number,
  /** The state as already read (saves the first read). */
  initial?: { state: PulseState | null; etag?: string },
): Promise<T> {
  const key = pulseStateKey(selfName);
  try {
    const { result } = await updateObject(
      store,
      key,
      (obj) => (obj === null ? null : parsePulseState(obj.body.toString('utf8'))),
      (previous) => {
        const { state, value } = compute(previous);
        return { write: `${JSON.stringify(state)}\n`, result: value };
      },
      {
        put: { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false },
        maxBytes: MAX_STATE_BYTES,
        ...(attempts === undefined ? {} : { attempts }),
        ...(initial ? { known: { value: initial.state, etag: initial.etag ?? null } } : {}),
      },
    );
    return result;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new PulseError('E_STORE', `cannot write the pulse state ${key}: ${message.replace(/\s*\n\s*/g, ' ')}`, { cause: e });
  }
}
