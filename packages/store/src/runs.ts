// Run signals (`svcmon run`, and start/success/fail of @svcmon/beat): two objects per task beside
// the heartbeat, with names the Racket original never uses and no heartbeat key can take
// (heartbeat keys end in `-beat.json`):
//
//   <task>-run.json      run state: the runs under way and the last failure's time and exit status.
//                        No output, host or message, so it may be public-read like the heartbeat
//                        (the dashboard reads it); written with an etag check so overlapping runs
//                        do not lose each other's start.
//   <task>-failure.json  the last failure in full (exit status or signal, times, host, run id,
//                        message, output tail). Never public-read.
//
// A success is still only `<task>-beat.json`, byte for byte as `beat` writes it.
import { MAX_FAILURE_BYTES, MAX_RECORD_BYTES } from './_bounds.js';
import { StoreError } from './errors.js';
import { describeValue, isUnixTime as isTime } from './schema.js';
import type { Store } from './types.js';
import { updateObject } from './update.js';

export const RUN_CONTENT_TYPE = 'application/json';

/** The object holding a task's run state. */
export function runStateKey(task: string): string {
  return `${task}-run.json`;
}

/** The object holding a task's last failure in full. */
export function failureKey(task: string): string {
  return `${task}-failure.json`;
}

/** A run that started and has not ended (as far as the store knows). */
export interface RunStarted {
  /** The run id (a UUID unless the caller chose one). */
  id: string;
  /** Unix seconds. */
  started: number;
}

/** What the run state says of the last failure. */
export interface RunFailedSummary {
  id: string;
  /** When the run ended, unix seconds. */
  at: number;
  /** The exit status (absent when a signal ended it or no process was involved). */
  exit?: number;
  /** The signal that ended it (`SIGKILL`). */
  signal?: string;
}

export interface RunState {
  running: RunStarted[];
  /** The last failure, unless a success came after it. */
  failed?: RunFailedSummary;
}

export interface FailureRecord {
  task: string;
  runId: string;
  /** ISO 8601 times; `started` absent when the failure was signalled without a start. */
  started?: string;
  ended: string;
  durationMs?: number;
  host?: string;
  exitCode?: number;
  signal?: string;
  message?: string;
  /** The last bytes of the combined output, as text. */
  output?: string;
  /** The output was cut to its last bytes. */
  outputTruncated?: boolean;
}

function bad(what: string, key: string, location: string, why: string, cause?: unknown): never {
  throw new StoreError('E_BAD_HEARTBEAT', `malformed ${what} ${JSON.stringify(key)} in ${location}: ${why}`, {
    key,
    location,
    cause,
  });
}

const shown = (v: unknown): string => (v === undefined ? 'missing' : describeValue(v));

/**
 * What keeps a value from being a run state, or undefined when it is one: an object whose
 * `running` is a list of `{ id: string, started: time }` and whose `failed`, when present, is
 * `{ id: string, at: time, exit?: integer, signal?: string }` (times: whole unix seconds, year
 * 9999 at most). Other keys are ignored. The one rule: parseRunState and the verdict both use it.
 */
export function runStateProblem(data: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(data)) return `not a JSON object: ${shown(data)}`;
  const { running, failed } = data;
  if (!Array.isArray(running)) return `"running" is not a list: ${shown(running)}`;
  for (const [i, r] of running.entries()) {
    if (!isObject(r)) return `"running[${i}]" is not an object: ${shown(r)}`;
    if (typeof r['id'] !== 'string') return `"running[${i}].id" is not a string: ${shown(r['id'])}`;
    if (!isTime(r['started'])) return `"running[${i}].started" is not a time: ${shown(r['started'])}`;
  }
  if (failed === undefined) return undefined;
  if (!isObject(failed)) return `"failed" is not an object: ${shown(failed)}`;
  if (typeof failed['id'] !== 'string') return `"failed.id" is not a string: ${shown(failed['id'])}`;
  if (!isTime(failed['at'])) return `"failed.at" is not a time: ${shown(failed['at'])}`;
  if (failed['exit'] !== undefined && !Number.isSafeInteger(failed['exit'])) return `"failed.exit" is not an integer: ${shown(failed['exit'])}`;
  if (failed['signal'] !== undefined && typeof failed['signal'] !== 'string') return `"failed.signal" is not a string: ${shown(failed['signal'])}`;
  return undefined;
}

/**
 * A run-state object's text (`key` and `location` name it in errors): E_BAD_HEARTBEAT when it is
 * not JSON or not of the run state's shape (runStateProblem), never a state with the bad parts dropped.
 */
export function parseRunState(text: string, key: string, location: string): RunState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return bad('run state', key, location, 'not JSON', e);
  }
  const why = runStateProblem(data);
  if (why !== undefined) return bad('run state', key, location, why);
  const { running, failed } = data as { running: RunStarted[]; failed?: RunFailedSummary };
  const state: RunState = { running: running.map(({ id, started }) => ({ id, started })) };
  if (failed !== undefined) {
    const { id, at, exit, signal } = failed;
    state.failed = { id, at, ...(exit !== undefined ? { exit } : {}), ...(signal !== undefined ? { signal } : {}) };
  }
  return state;
}

/** The task's run state and its etag, or null when it has none. */
export async function readRunState(store: Store, task: string): Promise<{ state: RunState; etag: string } | null> {
  const key = runStateKey(task);
  const obj = await store.get(key, { maxBytes: MAX_RECORD_BYTES });
  if (obj === null) return null;
  return { state: parseRunState(obj.body.toString('utf8'), key, store.location), etag: obj.etag };
}

export function formatRunState(state: RunState): string {
  return JSON.stringify({ running: state.running, ...(state.failed ? { failed: state.failed } : {}) });
}

/**
 * Read-modify-write of the run state through `updateObject` (If-Match / If-None-Match, retried
 * when another run wrote in between; E_CONFLICT after `attempts`). `publicRead` as the store's
 * heartbeats (default true). With `current` (the state and etag this process last wrote), the
 * first try skips the read. When the change leaves the state as it is (or empty, with no object
 * yet), nothing is written (`etag` is then the current one, or '' when there is no object).
 */
export async function updateRunState(
  store: Store,
  task: string,
  change: (state: RunState) => RunState,
  options: { attempts?: number; publicRead?: boolean; current?: { state: RunState; etag: string } } = {},
): Promise<{ state: RunState; etag: string }> {
  const key = runStateKey(task);
  const { result, etag } = await updateObject(
    store,
    key,
    (obj): RunState | null => (obj === null ? null : parseRunState(obj.body.toString('utf8'), key, store.location)),
    (current) => {
      const next = change(current ?? { running: [] });
      const text = formatRunState(next);
      // Nothing to change (the common end of a run that recorded no start): no write at all.
      const same = current ? text === formatRunState(current) : next.running.length === 0 && !next.failed;
      return same ? { result: next } : { write: text, result: next };
    },
    {
      put: { contentType: RUN_CONTENT_TYPE, cacheControl: 'no-cache', publicRead: options.publicRead ?? true },
      maxBytes: MAX_RECORD_BYTES,
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
      ...(options.current ? { known: { value: options.current.state, etag: options.current.etag } } : {}),
    },
  );
  return { state: result, etag: etag ?? '' };
}

/** Writes `<task>-failure.json` (never public-read). */
export async function writeFailureRecord(store: Store, record: FailureRecord): Promise<void> {
  await store.put(failureKey(record.task), JSON.stringify(record), {
    contentType: RUN_CONTENT_TYPE,
    cacheControl: 'no-cache',
    publicRead: false,
  });
}

/** The task's last failure in full, or null. */
export async function readFailureRecord(store: Store, task: string): Promise<FailureRecord | null> {
  const key = failureKey(task);
  const obj = await store.get(key, { maxBytes: MAX_FAILURE_BYTES });
  if (obj === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(obj.body.toString('utf8'));
  } catch (e) {
    return bad('failure record', key, store.location, 'not JSON', e);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('failure record', key, store.location, 'not a JSON object');
  const r = data as Record<string, unknown>;
  if (typeof r.ended !== 'string') return bad('failure record', key, store.location, 'no "ended"');
  return r as unknown as FailureRecord;
}
