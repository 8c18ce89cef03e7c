// How a pulse obtains each task's heartbeat and run state (what it makes of them is tasks.ts's).
// Either every object is read (`fullReads`, the way without s3:ListBucket), or the store is
// listed and only what changed is read (`listedReads`): an object the listing does not
// name needs no GET, and one whose etag is what this monitor read last time is taken from
// what it remembered. It remembers the parsed objects, not verdicts: verdicts are computed
// afresh from them and the clock each pulse, so a remembered heartbeat still goes late.
import {
  heartbeatKey,
  isStoreError,
  MAX_RECORD_BYTES,
  MAX_STATE_BYTES,
  parseHeartbeat,
  parseRunState,
  runStateKey,
  StoreError,
  type Heartbeat,
  type ListedObject,
  type RunState,
  type Store,
} from '@svcmon/store';
import { DEFAULT_MONITOR } from './state.js';

/** A heartbeat or run state bigger than this is not read (a heartbeat is a few dozen bytes). */
export const MAX_OBJECT_BYTES = MAX_RECORD_BYTES;

/**
 * A heartbeat that counts as missing although the store did not answer "no such object"
 * (`absent` says why: a 403 where listing is refused).
 */
export interface AbsentHeartbeat {
  absent: string;
}

/** Where a task's objects come from during one pulse. */
export interface TaskReads {
  heartbeat(task: string): Promise<Heartbeat | null | AbsentHeartbeat>;
  runState(task: string): Promise<RunState | null>;
}

/**
 * What a monitor remembers of the objects it read, beside its state:
 * `svcmon-pulse-state/reads/<monitor>.json` (private, like the state). Its own object, not part
 * of the state: it grows with the number of tasks, and the state is rewritten by compare-and-swap
 * every pulse (a lost race reads it again), while this is only a cache — its etags are checked
 * against the listing, so a lost or stale write costs GETs, never a wrong verdict.
 */
export function pulseReadsKey(selfName?: string): string {
  return `svcmon-pulse-state/reads/${encodeURIComponent(selfName ?? DEFAULT_MONITOR)}.json`;
}

/**
 * One remembered object: its etag and what it parsed to, or, for a malformed one, null and why
 * (the message without the store's location). One too large is not remembered: the listing's
 * size tells that without a GET.
 */
type Remembered<T> = [etag: string, value: T] | [etag: string, value: null, malformed: string];

interface ReadsMemo {
  version: 1;
  /** task → [etag, heartbeat] or [etag, null, why it is malformed]. */
  beats: Record<string, Remembered<Heartbeat>>;
  runs: Record<string, Remembered<RunState>>;
}

/** What the task's object is called in messages (as the parsers' own messages call it). */
const objectKind = (key: string): string => (key.endsWith('-run.json') ? 'run state' : 'heartbeat');

/** A heartbeat or run state over the bound: the same error whether the listing's size or a GET found it. */
function tooLargeObject(store: Store, key: string, cause?: unknown): StoreError {
  return new StoreError('E_BAD_HEARTBEAT', `malformed ${objectKind(key)} ${JSON.stringify(key)} in ${store.location}: larger than ${MAX_OBJECT_BYTES} bytes, not read`, {
    key,
    location: store.location,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Why a 403 is read as "no such object" once the store has refused to list: S3 will not tell
 * such credentials whether a key exists, and the documented policy grants s3:GetObject on every
 * object the pulse reads, so the 403 can only mean there is none.
 */
export const DENIED_MEANS_ABSENT = 'S3 answered 403 AccessDenied, which is how it says "no such object" to credentials without s3:ListBucket';

/** The store's refusal that, once it has refused to list, means there is no such object (DENIED_MEANS_ABSENT). */
const deniedMeansAbsent = (e: unknown): boolean => isStoreError(e) && e.code === 'E_ACCESS_DENIED';

/**
 * `store` as a pulse reads it once the store has refused to list: a 403 AccessDenied on a GET is
 * no such object (DENIED_MEANS_ABSENT), for the run states, failure records, the monitor's state
 * and the ledger, as for heartbeats (`fullReads`, which also says why a task is missing). Writes
 * are the store's own: a state or ledger that exists but could not be read is never overwritten,
 * since one read as none is only created (If-None-Match), and that write fails.
 */
export function absentWhenDenied(store: Store): Store {
  return {
    kind: store.kind,
    location: store.location,
    get: (key, options) =>
      store.get(key, options).catch((e: unknown) => {
        if (deniedMeansAbsent(e)) return null;
        throw e;
      }),
    list: (prefix, options) => store.list(prefix, options),
    put: (key, body, options) => store.put(key, body, options),
    delete: (key) => store.delete(key),
  };
}

/** One object, at most MAX_OBJECT_BYTES of it: a bigger one is malformed (the task fails with that reason). */
async function readSmall(store: Store, key: string): Promise<{ text: string; etag: string } | null> {
  try {
    const obj = await store.get(key, { maxBytes: MAX_OBJECT_BYTES });
    return obj === null ? null : { text: obj.body.toString('utf8'), etag: obj.etag };
  } catch (e) {
    if (isStoreError(e) && e.code === 'E_TOO_LARGE') throw tooLargeObject(store, key, e);
    throw e;
  }
}

export interface FullReadsOptions {
  /**
   * The store refused to list (E_LIST_DENIED): a 403 AccessDenied on a heartbeat or run state
   * then means there is no such object (DENIED_MEANS_ABSENT).
   */
  listingRefused?: boolean;
}

/** Today's reads: every heartbeat and run state is asked for. */
export function fullReads(store: Store, options: FullReadsOptions = {}): TaskReads {
  /** The object at `key` parsed, null if there is none, or `denied` for a 403 once the store has refused to list. */
  async function readOrDenied<T, D>(key: string, parse: (text: string, key: string, location: string) => T, denied: D): Promise<T | null | D> {
    let obj;
    try {
      obj = await readSmall(store, key);
    } catch (e) {
      if (options.listingRefused === true && deniedMeansAbsent(e)) return denied;
      throw e;
    }
    return obj === null ? null : parse(obj.text, key, store.location);
  }
  return {
    heartbeat: (task) => readOrDenied(heartbeatKey(task), parseHeartbeat, { absent: DENIED_MEANS_ABSENT }),
    // Denied: no run state, the common case, nothing to report.
    runState: (task) => readOrDenied(runStateKey(task), parseRunState, null),
  };
}

function parseMemo(text: string): ReadsMemo {
  const empty: ReadsMemo = { version: 1, beats: {}, runs: {} };
  try {
    const v = JSON.parse(text) as Partial<ReadsMemo> | null;
    if (v === null || typeof v !== 'object' || v.version !== 1) return empty;
    const ok = (r: unknown): r is Record<string, Remembered<unknown>> => typeof r === 'object' && r !== null && !Array.isArray(r);
    return { version: 1, beats: ok(v.beats) ? v.beats : {}, runs: ok(v.runs) ? v.runs : {} };
  } catch {
    return empty; // unreadable: everything is read again
  }
}

/** The memo's bytes: tasks in name order, so the same memo is the same bytes whatever order the reads finished in. */
function memoText(memo: ReadsMemo): string {
  const sorted = <T>(r: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]!]));
  return `${JSON.stringify({ version: 1, beats: sorted(memo.beats), runs: sorted(memo.runs) })}\n`;
}

/** The reads of one pulse from a listing, and what to remember for the next. */
export interface ListedReads extends TaskReads {
  /** Writes what was read for the next pulse, when it changed. Throws a StoreError. */
  save(): Promise<void>;
  /** GETs of heartbeats and run states this pulse made, and how many it took from memory. */
  readonly stats: { gets: number; remembered: number };
}

/** What the listing says of one object. */
interface Listed {
  etag: string;
  size: number;
  /** Something `get` refuses (a directory store's folder or special file): read it for the same error. */
  unreadable: boolean;
}

/** A folder with more subfolders to descend into than this is listed once, without delimiter, instead of once per subfolder. */
const MAX_DESCENTS = 10;

/** The longest common prefix of two keys, never ending inside a surrogate pair (it is sent as a prefix). */
function commonPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  const last = a.charCodeAt(n - 1);
  return a.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

/**
 * Lists what the store holds of `needed` (sorted keys, the memo's among them) and no more: the
 * part of a folder that can hold a needed key (their longest common prefix), one level at a
 * time (delimiter), descending into a folder only when a needed key is under it. A folder under
 * which the memo is the only needed key is not listed: the memo is read whenever it may exist.
 * Returns whether it may: unless a listing that covers its key names nothing readable there.
 */
async function listNeeded(store: Store, needed: readonly string[], memoKey: string, found: (o: ListedObject) => void): Promise<boolean> {
  const wanted = new Set(needed);
  let memoMayExist = true;
  /** needed[from, to) as narrowed to the keys under `prefix` (keys under a prefix are contiguous in any sort). */
  const under = (prefix: string, from: number, to: number): [number, number] => {
    const first = (pred: (k: string) => boolean, lo: number, hi: number): number => {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pred(needed[mid]!)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const lo = first((k) => k < prefix, from, to);
    return [lo, first((k) => k.startsWith(prefix), lo, to)];
  };
  const take = (o: ListedObject, coversMemo: { covered: boolean }): void => {
    if (o.key === memoKey) {
      coversMemo.covered = true;
      memoMayExist = o.unreadable === undefined;
    } else if (wanted.has(o.key)) found(o);
  };
  const visit = async (from: number, to: number): Promise<void> => {
    if (to - from === 1 && needed[from] === memoKey) return;
    const prefix = commonPrefix(needed[from]!, needed[to - 1]!);
    const memoHere = { covered: !memoKey.startsWith(prefix) };
    const folders: Array<[key: string, from: number, to: number]> = [];
    for await (const o of store.list(prefix, { delimiter: '/' })) {
      if (!('folder' in o)) {
        take(o, memoHere);
        continue;
      }
      const [lo, hi] = under(o.key, from, to);
      if (lo === hi) continue;
      if (memoKey.startsWith(o.key)) memoHere.covered = true;
      folders.push([o.key, lo, hi]);
    }
    if (!memoHere.covered) memoMayExist = false;
    if (folders.length <= MAX_DESCENTS) {
      for (const [, lo, hi] of folders) await visit(lo, hi);
      return;
    }
    // Many small folders (a task per folder): one listing of them all costs less than one each.
    const flat = commonPrefix(folders[0]![0], folders.at(-1)![0]);
    const memoFlat = { covered: !memoKey.startsWith(flat) };
    for await (const o of store.list(flat)) take(o, memoFlat);
    if (!memoFlat.covered) memoMayExist = false;
  };
  if (needed.length > 0) await visit(0, needed.length);
  return memoMayExist;
}

/**
 * List the store (only where the tasks' objects can be: `listNeeded`) and remember (etag →
 * parsed object, or why it is malformed) beside the monitor's state. Throws StoreError
 * E_LIST_DENIED when the store will not list (the caller falls back to `fullReads`).
 */
export interface ListedReadsOptions {
  /** Told when what this monitor remembered cannot be used (it is then read as empty: every listed object is read). */
  onUnusable?: (message: string) => void;
}

export async function listedReads(
  store: Store,
  selfName: string | undefined,
  tasks: ReadonlySet<string>,
  options: ListedReadsOptions = {},
): Promise<ListedReads> {
  const memoKey = pulseReadsKey(selfName);
  /** key → what the listing says, of the heartbeats and run states of configured tasks only. */
  const listed = new Map<string, Listed>();
  const needed = [memoKey, ...[...tasks].flatMap((t) => [heartbeatKey(t), runStateKey(t)])].sort();
  const memoMayExist = await listNeeded(store, needed, memoKey, (o) => listed.set(o.key, { etag: o.etag, size: o.size, unreadable: o.unreadable !== undefined }));
  // Only a cache: one that cannot be read is read as empty (and rewritten, or warned about, by save).
  const before = memoMayExist
    ? await store.get(memoKey, { maxBytes: MAX_STATE_BYTES }).catch((e: unknown) => {
        options.onUnusable?.(`cannot use what this monitor remembered: ${e instanceof Error ? e.message : String(e)}; reading every listed object`);
        return null;
      })
    : null;
  const old: ReadsMemo = before === null ? { version: 1, beats: {}, runs: {} } : parseMemo(before.body.toString('utf8'));
  // No memo and nothing to remember is nothing to write either.
  const beforeText = before === null ? memoText(old) : before.body.toString('utf8');
  const next: ReadsMemo = { version: 1, beats: {}, runs: {} };
  const stats = { gets: 0, remembered: 0 };
  const withoutLocation = (message: string): string => message.replace(` in ${store.location}`, '');

  async function read<T>(
    key: string,
    task: string,
    from: Record<string, Remembered<T>>,
    into: Record<string, Remembered<T>>,
    parse: (text: string) => T,
    valid: (v: unknown) => boolean,
  ): Promise<T | null> {
    const seen = listed.get(key);
    if (seen === undefined) return null;
    // Over the bound by the listing's own size: no GET (a full read refuses it the same way).
    if (!seen.unreadable && seen.size > MAX_OBJECT_BYTES) throw tooLargeObject(store, key);
    const known = from[task];
    if (Array.isArray(known) && known[0] === seen.etag) {
      if (known[1] === null && typeof known[2] === 'string') {
        stats.remembered++;
        into[task] = known;
        throw new StoreError('E_BAD_HEARTBEAT', known[2], { key, location: store.location });
      }
      if (valid(known[1])) {
        stats.remembered++;
        into[task] = known;
        return known[1];
      }
    }
    stats.gets++;
    let obj: { text: string; etag: string } | null | undefined;
    try {
      obj = await readSmall(store, key);
      if (obj === null) return null; // deleted since the listing
      const value = parse(obj.text);
      into[task] = [obj.etag, value];
      return value;
    } catch (e) {
      // A malformed object is remembered too (by the etag of the bytes read), so it is not read
      // again until it changes. One too large for the bound is not: the next listing's size says so.
      if (obj != null && isStoreError(e) && e.code === 'E_BAD_HEARTBEAT') into[task] = [obj.etag, null, withoutLocation(e.message)];
      throw e;
    }
  }

  return {
    stats,
    async heartbeat(task) {
      const key = heartbeatKey(task);
      return read(key, task, old.beats, next.beats, (text) => parseHeartbeat(text, key, store.location), (v) => Number.isSafeInteger((v as Heartbeat | null)?.seconds) && typeof (v as Heartbeat).date === 'string');
    },
    async runState(task) {
      const key = runStateKey(task);
      return read(key, task, old.runs, next.runs, (text) => parseRunState(text, key, store.location), (v) => Array.isArray((v as RunState | null)?.running));
    },
    async save() {
      // Tasks no longer configured (or not read this pulse) drop out; nothing changed, nothing written.
      const text = memoText(next);
      if (text === beforeText) return;
      await store.put(memoKey, text, { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false });
    },
  };
}
