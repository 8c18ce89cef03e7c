// `<task>-beat.json`, byte for byte as the Racket original writes it:
// {"date":"Tue, 24 Nov 2026 02:51:36 +0000","seconds":1795488696}
import { MAX_RECORD_BYTES } from './_bounds.js';
import { StoreError } from './errors.js';
import { assertTaskName } from './schema.js';
import type { Store } from './types.js';

export interface Heartbeat {
  /** Unix time in whole seconds, UTC. */
  seconds: number;
  /** The same instant for people (RFC 2822, as Racket's date->string writes it). */
  date: string;
}

export const HEARTBEAT_CONTENT_TYPE = 'application/json';
export const HEARTBEAT_CACHE_CONTROL = 'max-age=60, public';

/**
 * A value read from JSON, in a message: as JSON, but a number as itself (`1e400` parses to
 * Infinity, which JSON would write as `null`).
 */
export function jsonValueText(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
}

/** The object name a task's heartbeat lives under. */
export function heartbeatKey(task: string): string {
  return `${task}-beat.json`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Racket's `(date->string d #t)` in rfc2822 mode for a UTC date: the day of
 * the month is not padded (`Thu, 1 Jan 2026 00:00:00 +0000`), the time is.
 */
export function formatRfc2822(seconds: number): string {
  const d = new Date(seconds * 1000);
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function heartbeatAt(now: Date): Heartbeat {
  const ms = now.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`cannot record a heartbeat at an invalid date (${String(now)})`);
  const seconds = Math.floor(ms / 1000);
  return { seconds, date: formatRfc2822(seconds) };
}

/** The exact bytes of a heartbeat object for the instant `now`. */
export function formatHeartbeat(now: Date): string {
  const hb = heartbeatAt(now);
  return `{"date":${JSON.stringify(hb.date)},"seconds":${hb.seconds}}`;
}

/** Record that `task` ran now: writes `<task>-beat.json` (public-read, max-age=60). */
export async function writeHeartbeat(
  store: Store,
  task: string,
  options: { now?: Date } = {},
): Promise<Heartbeat> {
  assertTaskName(task);
  const now = options.now ?? new Date();
  await store.put(heartbeatKey(task), formatHeartbeat(now), {
    contentType: HEARTBEAT_CONTENT_TYPE,
    cacheControl: HEARTBEAT_CACHE_CONTROL,
    publicRead: true,
  });
  return heartbeatAt(now);
}

/**
 * The task's last heartbeat, or null when it never beat. Extra keys are
 * ignored; a body that is not JSON or lacks an integer `seconds` is a
 * StoreError E_BAD_HEARTBEAT (the original would take it as 1970).
 */
export async function readHeartbeat(store: Store, task: string): Promise<Heartbeat | null> {
  const key = heartbeatKey(task);
  const obj = await store.get(key, { maxBytes: MAX_RECORD_BYTES });
  if (obj === null) return null;
  return parseHeartbeat(obj.body.toString('utf8'), key, store.location);
}

/** A heartbeat object's text → the heartbeat; throws StoreError E_BAD_HEARTBEAT naming `key`. */
export function parseHeartbeat(text: string, key: string, location: string): Heartbeat {
  const bad = (why: string, cause?: unknown): never => {
    throw new StoreError('E_BAD_HEARTBEAT', `malformed heartbeat ${JSON.stringify(key)} in ${location}: ${why}`, {
      key,
      location,
      cause,
    });
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return bad('not JSON', e);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('not a JSON object');
  const { seconds, date } = data as { seconds?: unknown; date?: unknown };
  if (seconds === undefined) return bad('no "seconds"');
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds)) {
    return bad(`"seconds" is not an integer: ${jsonValueText(seconds)}`);
  }
  return { seconds, date: typeof date === 'string' ? date : formatRfc2822(seconds) };
}
