// The one compare-and-swap of svcmon: read an object with its etag, compute the next bytes,
// write them only if the object is still what was read (If-Match, or If-None-Match: * when
// there was none), and on a lost race read again and recompute, with jittered waits, up to a
// fixed number of tries. Config edits, run state and pulse state all go through it.
import { StoreError, isStoreError } from './errors.js';
import { jitteredBackoff, sleep } from './_retry.js';
import type { PutOptions, Store, StoredObject } from './types.js';

/** Tries of an update before it gives up with E_CONFLICT (enough for ~20 writers at once). */
export const UPDATE_ATTEMPTS = 25;
const BACKOFF_BASE_MS = 20;
const BACKOFF_CAP_MS = 1000;

/** What `change` decides: bytes to write, or none to leave the object as it is. */
export interface UpdateStep<R> {
  /** The next content; omit it to write nothing. */
  write?: string | Uint8Array;
  /** What the update resolves to (from the try that ended it). */
  result: R;
}

export interface UpdateOptions<T> {
  /** How the object is written (content type, cache control, ACL); the condition is the update's. */
  put: Omit<PutOptions, 'ifMatch' | 'ifNoneMatch'>;
  /** Tries before E_CONFLICT (default UPDATE_ATTEMPTS). */
  attempts?: number;
  /** Refuse to read an object larger than this (StoreError E_TOO_LARGE): see `ReadOptions`. */
  maxBytes?: number;
  /**
   * The object as this process last wrote or read it (`etag: null`: known to be absent): the
   * first try uses it instead of reading. A stale one only costs a refused write and a read.
   */
  known?: { value: T; etag: string | null };
}

export interface UpdateResult<R> {
  result: R;
  /** True when this call's write is what the store now holds. */
  written: boolean;
  /** The object's etag after the update (null: there is none). */
  etag: string | null;
}

const bytesOf = (b: string | Uint8Array): Buffer => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

/**
 * Read → `parse` → `change` → conditional write of `key`, retried from a fresh read when another
 * writer got in between. `parse` may throw (a malformed object, a missing one the caller
 * refuses): that ends the update. `change` must not modify its argument. After `attempts` lost
 * races: StoreError E_CONFLICT naming the key.
 *
 * A write whose answer was lost and whose retry was refused (the first one had landed) is
 * recognised: when the next read holds exactly the bytes of the refused write, the update
 * ends there, as written, without applying the change a second time. So the bytes must say
 * what the change is for: a rival that wrote the very same bytes is taken as having done this
 * change (right for "set X to Y"; a counter must put something of its own in, e.g. a run id).
 */
export async function updateObject<T, R>(
  store: Store,
  key: string,
  parse: (object: StoredObject | null) => T,
  change: (current: T) => UpdateStep<R>,
  options: UpdateOptions<T>,
): Promise<UpdateResult<R>> {
  const attempts = Math.max(1, Math.floor(options.attempts ?? UPDATE_ATTEMPTS));
  let known = options.known;
  /** The last write refused for its precondition, and what its try would have returned. */
  let refused: { bytes: Buffer; result: R } | undefined;
  let lastConflict: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let value: T;
    let etag: string | null;
    if (known !== undefined) {
      ({ value, etag } = known);
      known = undefined;
    } else {
      const object = await store.get(key, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
      // The store holds exactly what the refused write carried: it had landed (or an identical
      // write won), so the change is done; computing it again would apply it twice.
      if (refused !== undefined && object !== null && refused.bytes.equals(object.body)) {
        return { result: refused.result, written: true, etag: object.etag };
      }
      value = parse(object);
      etag = object?.etag ?? null;
    }
    const step = change(value);
    if (step.write === undefined) return { result: step.result, written: false, etag };
    const bytes = bytesOf(step.write);
    try {
      const put = await store.put(key, bytes, {
        ...options.put,
        ...(etag === null ? { ifNoneMatch: '*' as const } : { ifMatch: etag }),
      });
      return { result: step.result, written: true, etag: put.etag };
    } catch (e) {
      if (!(isStoreError(e) && e.code === 'E_PRECONDITION')) throw e;
      lastConflict = e;
      refused = { bytes, result: step.result };
      if (attempt < attempts) await sleep(jitteredBackoff(attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS));
    }
  }
  throw new StoreError(
    'E_CONFLICT',
    `${JSON.stringify(key)} in ${store.location} kept changing under this update; gave up after ${attempts} tries`,
    { key, location: store.location, cause: lastConflict },
  );
}
