import { heartbeatKey, isStoreError, readFailureRecord, type RunState, type Store } from '@svcmon/store';
import { fullReads, type TaskReads } from './_reads.js';
import { elapsedText, racketDate } from './_date.js';
import { taskPeriod } from '@svcmon/store';
import { DEFAULT_CONCURRENCY, limiter } from './_limit.js';
import type { OnPulseEvent } from './events.js';
import { dueSince, failureText, overrun, overrunText, pausedText, standingFailure, taskRules } from './_runs.js';
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
  /** Tasks read at once (default 32). */
  concurrency?: number;
  /** Told as each task's verdict is ready (`task-checked`). */
  onEvent?: OnPulseEvent;
  /** Where the heartbeats and run states come from (default: every one is read). */
  reads?: TaskReads;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function checkTask(
  store: Store,
  reads: TaskReads,
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
  const rules = taskRules(task, nowSeconds);
  if (rules.pausedUntil !== undefined) {
    return done({ ok: true, state: 'paused', pausedUntil: rules.pausedUntil, reason: pausedText(rules.pausedUntil) });
  }
  // The run state (`svcmon run`, start/success/fail) is read beside the heartbeat; most tasks have none.
  const runRead = reads.runState(name).then(
    (state) => ({ state: state ?? undefined }),
    (e: unknown) => ({ error: errorMessage(e).replace(` in ${store.location}`, '') }),
  );
  let beat;
  try {
    beat = await reads.heartbeat(name);
  } catch (e) {
    await runRead;
    if (isStoreError(e) && e.code === 'E_BAD_HEARTBEAT') {
      // The store's message names the key and the store; the report needs only the key and why.
      const message = errorMessage(e).replace(` in ${store.location}`, '');
      return done({ ok: false, state: 'malformed', reason: message.startsWith('malformed') ? message : `malformed heartbeat: ${message}` });
    }
    if (isStoreError(e) && e.code === 'E_BAD_KEY') {
      // No heartbeat can ever be stored under this name: the task is missing, not the store down.
      return done({ ok: false, state: 'missing', reason: `no heartbeat can be recorded: ${errorMessage(e).replace(` for ${store.location}`, '')}` });
    }
    return done({ ok: false, state: 'error', reason: `cannot read heartbeat: ${errorMessage(e)}` });
  }
  const run = await runRead;
  const runState: RunState | undefined = 'state' in run ? run.state : undefined;
  const extra: Partial<TaskVerdict> = {};
  if (runState && runState.running.length > 0) extra.running = runState.running;
  if (rules.grace > 0) extra.grace = rules.grace;
  const lastBeat = beat === null ? undefined : { seconds: beat.seconds, date: beat.date };

  const failed = standingFailure(runState, beat?.seconds);
  if (failed) {
    const record = await readFailureRecord(store, name).catch(() => null);
    return done({
      ok: false,
      state: 'failed',
      ...(lastBeat ? { lastBeat } : {}),
      ...extra,
      failure: record && record.runId === failed.id ? record : { task: name, runId: failed.id, ended: new Date(failed.at * 1000).toISOString(), ...(failed.exit !== undefined ? { exitCode: failed.exit } : {}), ...(failed.signal !== undefined ? { signal: failed.signal } : {}) },
      reason: failureText(failed, record, nowSeconds),
    });
  }
  const over = overrun(runState, rules.maxDuration, nowSeconds);
  if (over && rules.maxDuration !== undefined) {
    return done({ ok: false, state: 'overrun', ...(lastBeat ? { lastBeat } : {}), ...extra, reason: overrunText(over, rules.maxDuration, nowSeconds) });
  }
  if ('error' in run) {
    return done({ ok: false, state: 'error', reason: `cannot read run state: ${run.error}` });
  }
  if (beat === null || lastBeat === undefined) {
    return done({ ok: false, state: 'missing', ...extra, reason: `no heartbeat recorded (${heartbeatKey(name)} not found)` });
  }
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
  if (rules.schedule !== undefined) {
    const due = dueSince(rules, nowSeconds);
    if (due !== null) {
      extra.due = due;
      return beat.seconds >= due
        ? done({ ok: true, state: 'ok', lastBeat, ageSeconds, ...extra })
        : done({ ok: false, state: 'late', lastBeat, ageSeconds, ...extra });
    }
  }
  return ageSeconds <= period + rules.grace
    ? done({ ok: true, state: 'ok', lastBeat, ageSeconds, ...extra })
    : done({ ok: false, state: 'late', lastBeat, ageSeconds, ...extra });
}

/**
 * Read every task's heartbeat concurrently (at most `concurrency` tasks at once, default 32: the
 * store's request rate and sockets are the scarce part); verdicts come back in the given order.
 * A missing or malformed heartbeat is that task's error only.
 */
export async function checkTasks(store: Store, tasks: readonly TaskLike[], options: CheckTasksOptions = {}): Promise<TaskVerdict[]> {
  const limit = limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  const config = options.config ?? {};
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const onEvent = options.onEvent;
  const reads = options.reads ?? fullReads(store);
  return Promise.all(
    tasks.map((task) =>
      limit(async () => {
        const verdict = await checkTask(store, reads, task, taskPeriod(config, task), nowSeconds, options.selfName);
        onEvent?.({ type: 'task-checked', verdict });
        return verdict;
      }),
    ),
  );
}
