import { heartbeatKey, isStoreError, readHeartbeat, type Store } from '@svcmon/store';
import { elapsedText, racketDate } from './_date.js';
import { taskPeriod } from '@svcmon/store';
import { DEFAULT_CONCURRENCY, limiter, type Limiter } from './_limit.js';
import type { TaskVerdict } from './types.js';

/** A heartbeat further ahead of the clock than this is reported as an error (clock skew or tampering). */
export const FUTURE_TOLERANCE_SECONDS = 300;

export interface TaskLike {
  name: string;
  period?: number;
  [key: string]: unknown;
}

export interface CheckTasksOptions {
  /** The config's top-level keys (`period`) for defaults. */
  config?: { period?: number; [key: string]: unknown };
  /** The clock (default: the current time). */
  now?: Date;
  /** The task that is this monitor: taken as having beaten just now, not read. */
  selfName?: string;
  /** Heartbeats read at once (default 32). */
  concurrency?: number;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function checkTask(
  store: Store,
  task: TaskLike,
  period: number,
  nowSeconds: number,
  selfName: string | undefined,
): Promise<TaskVerdict> {
  const started = performance.now();
  const name = task.name;
  const done = (rest: Omit<TaskVerdict, 'name' | 'period' | 'self' | 'ms'>, self = false): TaskVerdict => ({
    name,
    ...rest,
    period,
    self,
    ms: Math.round(performance.now() - started),
  });
  if (selfName !== undefined && name === selfName) {
    return done({ ok: true, state: 'ok', lastBeat: { seconds: nowSeconds }, ageSeconds: 0 }, true);
  }
  let beat;
  try {
    beat = await readHeartbeat(store, name);
  } catch (e) {
    if (isStoreError(e) && e.code === 'E_BAD_HEARTBEAT') {
      // The store's message names the key and the store; the report needs only the key and why.
      const message = errorMessage(e).replace(` in ${store.location}`, '');
      return done({ ok: false, state: 'malformed', reason: message.startsWith('malformed') ? message : `malformed heartbeat: ${message}` });
    }
    return done({ ok: false, state: 'error', reason: `cannot read heartbeat: ${errorMessage(e)}` });
  }
  if (beat === null) {
    return done({ ok: false, state: 'missing', reason: `no heartbeat recorded (${heartbeatKey(name)} not found)` });
  }
  const lastBeat = { seconds: beat.seconds, date: beat.date };
  const age = nowSeconds - beat.seconds;
  if (age < -FUTURE_TOLERANCE_SECONDS) {
    return done({
      ok: false,
      state: 'future',
      lastBeat,
      reason: `last report is in the future: ${racketDate(beat.seconds)} (${elapsedText(-age)} ahead)`,
    });
  }
  const ageSeconds = Math.max(0, age);
  return ageSeconds <= period
    ? done({ ok: true, state: 'ok', lastBeat, ageSeconds })
    : done({ ok: false, state: 'late', lastBeat, ageSeconds });
}

/**
 * Read every task's heartbeat concurrently (at most `concurrency` at once); verdicts come back in
 * the given order. A missing or malformed heartbeat is that task's error only.
 */
export function checkTasks(store: Store, tasks: readonly TaskLike[], options: CheckTasksOptions = {}): Promise<TaskVerdict[]> {
  return checkTasksWithin(limiter(options.concurrency ?? DEFAULT_CONCURRENCY), store, tasks, options);
}

/** checkTasks under a bound shared with other work (takePulse shares one with the site checks). */
export async function checkTasksWithin(
  limit: Limiter,
  store: Store,
  tasks: readonly TaskLike[],
  options: CheckTasksOptions = {},
): Promise<TaskVerdict[]> {
  const config = options.config ?? {};
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return Promise.all(
    tasks.map((task) =>
      limit(() => checkTask(store, task, taskPeriod(config, task), nowSeconds, options.selfName)),
    ),
  );
}
