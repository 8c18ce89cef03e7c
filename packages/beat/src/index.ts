import { assertTaskName, openStore, writeHeartbeat } from '@svcmon/store';
import type { Heartbeat, StoreOptions, Where } from '@svcmon/store';

export type { Heartbeat, StoreOptions, Where } from '@svcmon/store';

export type BeatOptions = StoreOptions & {
  /** The time to record (default: now). */
  now?: Date;
};

/**
 * Record that `task` just ran: writes `<task>-beat.json` to the bucket
 * (or directory) `where`, exactly as the Racket original's `beat` does.
 *
 * @example await beat('my-bucket', 'nightly-backup');
 */
export async function beat(where: Where, task: string, options: BeatOptions = {}): Promise<Heartbeat> {
  const { now, ...storeOptions } = options;
  assertTaskName(task);
  const store = openStore(where, storeOptions);
  return writeHeartbeat(store, task, now === undefined ? {} : { now });
}

export { start, success, fail, STALE_RUN_SECONDS } from './_signals.js';
export type { StartOptions, SuccessOptions, FailOptions, RunHandle } from './_signals.js';
export type { FailureRecord } from '@svcmon/store';
