import { assertTaskName, openStore, writeHeartbeat } from '@svcmon/store';
import type { Heartbeat, Where } from '@svcmon/store';

export type { Heartbeat, Where } from '@svcmon/store';

/**
 * Beat's own options. How to reach the store (credentials, endpoint, region, timeouts) is
 * `openStore`'s business: pass a bucket name, path or URL, or a `Store` it opened.
 */
export interface BeatOptions {
  /** The time to record (default: now). */
  now?: Date;
}

/**
 * Record that `task` just ran: writes `<task>-beat.json` to the bucket
 * (or directory) `where`, exactly as the Racket original's `beat` does.
 *
 * @example await beat('my-bucket', 'nightly-backup');
 * @example await beat(openStore('state', { endpoint: 'http://127.0.0.1:9000' }), 'nightly-backup');
 */
export async function beat(where: Where, task: string, options: BeatOptions = {}): Promise<Heartbeat> {
  assertTaskName(task);
  return writeHeartbeat(openStore(where), task, options.now === undefined ? {} : { now: options.now });
}

export { start, success, fail, STALE_RUN_SECONDS } from './_signals.js';
export type { StartOptions, SuccessOptions, FailOptions, RunHandle } from './_signals.js';
export type { FailureRecord } from '@svcmon/store';
