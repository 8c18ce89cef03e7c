// How a pulse obtains each task's heartbeat and run state (what it makes of them is tasks.ts's).
// Either every object is read (`fullReads`, the way without s3:ListBucket), or the store is
// listed once and only what changed is read (`listedReads`): an object the listing does not
// name needs no GET, and one whose etag is what this monitor read last time is taken from
// what it remembered. It remembers the parsed objects, not verdicts: verdicts are computed
// afresh from them and the clock each pulse, so a remembered heartbeat still goes late.
import {
  heartbeatKey,
  isStoreError,
  parseHeartbeat,
  parseRunState,
  runStateKey,
  StoreError,
  type Heartbeat,
  type RunState,
  type Store,
} from '@svcmon/store';
import { DEFAULT_MONITOR } from './state.js';

/** A heartbeat or run state bigger than this is not read (a heartbeat is a few dozen bytes). */
export const MAX_OBJECT_BYTES = 64 * 1024;

/** Where a task's objects come from during one pulse. */
export interface TaskReads {
  heartbeat(task: string): Promise<Heartbeat | null>;
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

/** One remembered object: its etag and what it parsed to. */
type Remembered<T> = [etag: string, value: T];

interface ReadsMemo {
  version: 1;
  /** task → [etag, seconds] or [etag, seconds, date] when the date is not the one `seconds` gives. */
  beats: Record<string, Remembered<Heartbeat>>;
  runs: Record<string, Remembered<RunState>>;
}

/** One object, at most MAX_OBJECT_BYTES of it: a bigger one is malformed (the task fails with that reason). */
async function readSmall(store: Store, key: string): Promise<{ text: string; etag: string } | null> {
  try {
    const obj = await store.get(key, { maxBytes: MAX_OBJECT_BYTES });
    return obj === null ? null : { text: obj.body.toString('utf8'), etag: obj.etag };
  } catch (e) {
    if (isStoreError(e) && e.code === 'E_TOO_LARGE') {
      throw new StoreError('E_BAD_HEARTBEAT', `malformed ${JSON.stringify(key)}: larger than ${MAX_OBJECT_BYTES} bytes, not read`, {
        key,
        location: store.location,
        cause: e,
      });
    }
    throw e;
  }
}

/** Today's reads: every heartbeat and run state is asked for. */
export function fullReads(store: Store): TaskReads {
  return {
    async heartbeat(task) {
      const key = heartbeatKey(task);
      const obj = await readSmall(store, key);
      return obj === null ? null : parseHeartbeat(obj.text, key, store.location);
    },
    async runState(task) {
      const key = runStateKey(task);
      const obj = await readSmall(store, key);
      return obj === null ? null : parseRunState(obj.text, key, store.location);
    },
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

/** The reads of one pulse from a listing, and what to remember for the next. */
export interface ListedReads extends TaskReads {
  /** Writes what was read for the next pulse, when it changed. Throws a StoreError. */
  save(): Promise<void>;
  /** GETs of heartbeats and run states this pulse made, and how many it took from memory. */
  readonly stats: { gets: number; remembered: number };
}

/**
 * List the store once and remember (etag → parsed object) beside the monitor's state. Throws
 * StoreError E_LIST_DENIED when the store will not list (the caller falls back to `fullReads`).
 */
export async function listedReads(store: Store, selfName: string | undefined, tasks: ReadonlySet<string>): Promise<ListedReads> {
  const memoKey = pulseReadsKey(selfName);
  /** key → etag, of the heartbeats and run states of configured tasks only. */
  const listed = new Map<string, string>();
  let memoEtag: string | undefined;
  for await (const o of store.list('')) {
    if (o.key === memoKey) memoEtag = o.etag;
    else if (o.key.endsWith('-beat.json') ? tasks.has(o.key.slice(0, -10)) : o.key.endsWith('-run.json') && tasks.has(o.key.slice(0, -9))) {
      listed.set(o.key, o.etag);
    }
  }
  const before = memoEtag === undefined ? null : await store.get(memoKey);
  const old = before === null ? { version: 1 as const, beats: {}, runs: {} } : parseMemo(before.body.toString('utf8'));
  const next: ReadsMemo = { version: 1, beats: {}, runs: {} };
  let changed = false;
  const stats = { gets: 0, remembered: 0 };

  async function read<T>(
    key: string,
    task: string,
    from: Record<string, Remembered<T>>,
    into: Record<string, Remembered<T>>,
    parse: (text: string) => T,
    valid: (v: unknown) => boolean,
  ): Promise<T | null> {
    const etag = listed.get(key);
    if (etag === undefined) {
      if (from[task] !== undefined) changed = true;
      return null;
    }
    const known = from[task];
    if (Array.isArray(known) && known[0] === etag && valid(known[1])) {
      stats.remembered++;
      into[task] = known;
      return known[1];
    }
    changed = true;
    stats.gets++;
    const obj = await readSmall(store, key);
    if (obj === null) return null; // deleted since the listing
    const value = parse(obj.text); // a malformed one throws and is not remembered
    into[task] = [obj.etag, value];
    return value;
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
      // Tasks no longer configured (or not read this pulse) drop out.
      for (const [from, into] of [[old.beats, next.beats], [old.runs, next.runs]] as const) {
        if (Object.keys(from).length !== Object.keys(into).length) changed = true;
      }
      if (!changed) return;
      await store.put(memoKey, `${JSON.stringify(next)}\n`, { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false });
    },
  };
}
