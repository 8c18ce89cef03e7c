// How a pulse obtains each task's heartbeat and run state (what it makes of them is tasks.ts's).
// Either every object is read (`fullReads`, the way without s3:ListBucket), or the store is
// listed once and only what changed is read (`listedReads`): an object the listing does not
// name needs no GET, and one whose etag is what this monitor read last time is taken from
// what it remembered. It remembers the parsed objects, not verdicts: verdicts are computed
// afresh from them and the clock each pulse, so a remembered heartbeat still goes late.
// The listing is not waited for whole: a task is read as soon as the listing has gone past its
// keys (keys come in order), so the GETs of one page overlap the listing of the next.
import {
  compareKeys,
  formatRfc2822,
  heartbeatKey,
  isStoreError,
  MAX_RECORD_BYTES,
  MAX_STATE_BYTES,
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
export const MAX_OBJECT_BYTES = MAX_RECORD_BYTES;

/** Where a task's objects come from during one pulse. */
export interface TaskReads {
  heartbeat(task: string): Promise<Heartbeat | null>;
  runState(task: string): Promise<RunState | null>;
  /**
   * The order to read tasks in, as a source of indexes into `names`, each handed out once its
   * objects can be read (undefined: none left). Absent: the given order, at once.
   */
  order?(names: readonly string[]): () => Promise<number | undefined>;
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

/** A remembered heartbeat: [etag, seconds], with the date only when it is not the one `seconds` gives. */
type RememberedBeat = [etag: string, seconds: number] | [etag: string, seconds: number, date: string];
type RememberedRun = [etag: string, state: RunState];

interface ReadsMemo {
  version: 2;
  beats: Record<string, RememberedBeat>;
  runs: Record<string, RememberedRun>;
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

async function readBeat(store: Store, key: string): Promise<{ value: Heartbeat; etag: string } | null> {
  const obj = await readSmall(store, key);
  return obj === null ? null : { value: parseHeartbeat(obj.text, key, store.location), etag: obj.etag };
}

async function readRun(store: Store, key: string): Promise<{ value: RunState; etag: string } | null> {
  const obj = await readSmall(store, key);
  return obj === null ? null : { value: parseRunState(obj.text, key, store.location), etag: obj.etag };
}

/** Today's reads: every heartbeat and run state is asked for. */
export function fullReads(store: Store): TaskReads {
  return {
    heartbeat: async (task) => (await readBeat(store, heartbeatKey(task)))?.value ?? null,
    runState: async (task) => (await readRun(store, runStateKey(task)))?.value ?? null,
  };
}

const isRecord = (r: unknown): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r);

function parseMemo(text: string): ReadsMemo {
  const v = JSON.parse(text) as Partial<ReadsMemo> | null;
  if (!isRecord(v) || v.version !== 2) return emptyMemo();
  return { version: 2, beats: isRecord(v.beats) ? v.beats : {}, runs: isRecord(v.runs) ? v.runs : {} } as ReadsMemo;
}

const emptyMemo = (): ReadsMemo => ({ version: 2, beats: {}, runs: {} });

function rememberedBeat(r: unknown, etag: string): Heartbeat | undefined {
  if (!Array.isArray(r) || r[0] !== etag || !Number.isSafeInteger(r[1])) return undefined;
  const seconds = r[1] as number;
  if (r.length === 2) return { seconds, date: formatRfc2822(seconds) };
  return r.length === 3 && typeof r[2] === 'string' ? { seconds, date: r[2] } : undefined;
}

function rememberedRun(r: unknown, etag: string): RunState | undefined {
  return Array.isArray(r) && r.length === 2 && r[0] === etag && Array.isArray((r[1] as RunState | null)?.running) ? (r[1] as RunState) : undefined;
}

/** The reads of one pulse from a listing, and what to remember for the next. */
export interface ListedReads extends TaskReads {
  /** Writes what was read for the next pulse, when it changed. Throws a StoreError. */
  save(): Promise<void>;
  /** GETs of heartbeats and run states this pulse made, and how many it took from memory. */
  readonly stats: { gets: number; remembered: number };
}

export interface ListedReadsOptions {
  /**
   * Told once when the listing broke off after its first page, or what was remembered could not
   * be read: the tasks it did not reach are then read in full, every object GET.
   */
  onDegraded?: (message: string) => void;
}

/**
 * List the store and remember (etag → parsed object) beside the monitor's state. Resolves once
 * the first page is in (the rest is listed while the tasks are read); throws StoreError
 * E_LIST_DENIED (or another) when that page is refused (the caller falls back to `fullReads`).
 */
export async function listedReads(
  store: Store,
  selfName: string | undefined,
  tasks: ReadonlySet<string>,
  options: ListedReadsOptions = {},
): Promise<ListedReads> {
  const memoKey = pulseReadsKey(selfName);
  /** key → etag, of the heartbeats and run states of configured tasks only. */
  const listed = new Map<string, string>();
  /** The last key listed; every key up to it that exists has been seen. */
  let reached = '';
  let finished = false;
  /** The listing broke off after `reached`: keys past it are read without it. */
  let brokeOff = false;
  const wakers: Array<() => void> = [];
  let waking: NodeJS.Immediate | undefined;
  const wake = (): void => {
    waking = undefined;
    for (const w of wakers.splice(0)) w();
  };
  const degraded = (message: string): void => options.onDegraded?.(message);

  const iterator = store.list('')[Symbol.asyncIterator]();
  let memoListed = false;
  const take = (key: string, etag: string): void => {
    if (key === memoKey) memoListed = true;
    else if (key.endsWith('-beat.json') ? tasks.has(key.slice(0, -10)) : key.endsWith('-run.json') && tasks.has(key.slice(0, -9))) {
      listed.set(key, etag);
    }
  };
  // The first page decides whether this store lists at all.
  const first = await iterator.next();
  if (!first.done) {
    take(first.value.key, first.value.etag);
    reached = first.value.key;
  } else finished = true;
  void (async () => {
    try {
      for (let r = finished ? first : await iterator.next(); !r.done; r = await iterator.next()) {
        take(r.value.key, r.value.etag);
        reached = r.value.key;
        // Once the objects at hand are taken (a page comes in one go), not once per object.
        if (wakers.length > 0) waking ??= setImmediate(wake);
      }
    } catch (e) {
      brokeOff = true;
      degraded(`listing ${store.location} broke off after ${JSON.stringify(reached)}: ${e instanceof Error ? e.message : String(e)}; reading the rest in full`);
    }
    finished = true;
    if (waking !== undefined) clearImmediate(waking);
    wake();
  })();

  /** Whether the listing has decided whether `key` exists. */
  const decided = (key: string): boolean => finished || compareKeys(key, reached) <= 0;
  /** Whether the listing tells whether `key` exists (it is decided and did not break off before it). */
  const told = (key: string): boolean => decided(key) && !(brokeOff && compareKeys(key, reached) > 0);
  const until = async (key: string): Promise<void> => {
    while (!decided(key)) await new Promise<void>((r) => wakers.push(r));
  };

  /**
   * What was remembered, read when the first task needs it: not at all when the listing is past
   * its key without naming it, else while the rest is listed (without waiting for the listing to
   * get there, at the cost of a 404 when there is none).
   */
  let memo: Promise<ReadsMemo> | undefined;
  const remembered = (): Promise<ReadsMemo> =>
    (memo ??= (told(memoKey) && !memoListed ? Promise.resolve(null) : store.get(memoKey, { maxBytes: MAX_STATE_BYTES })).then(
      (obj) => (obj === null ? emptyMemo() : parseMemo(obj.body.toString('utf8'))),
    ).catch((e: unknown) => {
      degraded(`cannot use what this monitor remembered (${e instanceof Error ? e.message : String(e)}); reading every listed object`);
      return emptyMemo();
    }));
  const next: ReadsMemo = emptyMemo();
  let changed = false;
  const stats = { gets: 0, remembered: 0 };

  /** A task's object: from memory when the listing has the etag remembered, else read. */
  async function read<T, R>(
    key: string,
    task: string,
    kind: 'beats' | 'runs',
    fromMemory: (r: unknown, etag: string) => T | undefined,
    get: () => Promise<{ value: T; etag: string } | null>,
    remember: (etag: string, value: T) => R,
  ): Promise<T | null> {
    await until(key);
    const before = (await remembered())[kind] as Record<string, unknown>;
    const into = next[kind] as Record<string, R | unknown>;
    const etag = listed.get(key);
    if (etag === undefined && told(key)) {
      if (before[task] !== undefined) changed = true;
      return null;
    }
    const known = etag === undefined ? undefined : fromMemory(before[task], etag);
    if (known !== undefined) {
      stats.remembered++;
      into[task] = before[task];
      return known;
    }
    changed = true;
    stats.gets++;
    const obj = await get(); // a malformed one throws and is not remembered
    if (obj === null) return null; // deleted since the listing
    into[task] = remember(obj.etag, obj.value);
    return obj.value;
  }

  return {
    stats,
    heartbeat(task) {
      const key = heartbeatKey(task);
      return read(key, task, 'beats', rememberedBeat, () => readBeat(store, key), (etag, b): RememberedBeat =>
        b.date === formatRfc2822(b.seconds) ? [etag, b.seconds] : [etag, b.seconds, b.date],
      );
    },
    runState(task) {
      const key = runStateKey(task);
      return read(key, task, 'runs', rememberedRun, () => readRun(store, key), (etag, r): RememberedRun => [etag, r]);
    },
    order(names) {
      // A task's keys are `<name>-beat.json` < `<name>-run.json`: it can be read once the
      // listing is past the second. Tasks go in that order, each as soon as it can.
      const keys = names.map((n) => `${n}-run.json`);
      const sorted = Array.from(names.keys()).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
      let at = 0;
      return async () => {
        if (at >= sorted.length) return undefined;
        const i = sorted[at++]!;
        await until(keys[i]!);
        return i;
      };
    },
    async save() {
      const from = await remembered();
      // Tasks no longer configured (or not read this pulse) drop out.
      for (const kind of ['beats', 'runs'] as const) {
        if (Object.keys(from[kind]).length !== Object.keys(next[kind]).length) changed = true;
      }
      if (!changed) return;
      await store.put(memoKey, `${JSON.stringify(next)}\n`, { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false });
    },
  };
}
