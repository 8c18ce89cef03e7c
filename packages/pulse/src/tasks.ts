import {
  evaluateTask,
  isStoreError,
  needsFailureRecord,
  readFailureRecord,
  type Store,
  type TaskEvidence,
} from '@svcmon/store';
import { fullReads, type TaskReads } from './_reads.js';
import { DEFAULT_CONCURRENCY } from './_limit.js';
import type { OnPulseEvent } from './events.js';
import type { TaskVerdict } from './types.js';

export { FUTURE_TOLERANCE_SECONDS } from '@svcmon/store';

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

function errorMessage(e: unknown, store: Store): string {
  return (e instanceof Error ? e.message : String(e)).replace(` in ${store.location}`, '').replace(` for ${store.location}`, '');
}

/** Read what the evaluation needs of one task; a failed read is evidence, never an exception. */
async function readEvidence(store: Store, reads: TaskReads, name: string): Promise<TaskEvidence> {
  let absence: string | undefined;
  const [heartbeat, run] = await Promise.all([
    reads.heartbeat(name).then(
      (b): TaskEvidence['heartbeat'] => {
        if (b === null || !('absent' in b)) return b;
        absence = b.absent;
        return null;
      },
      (e: unknown) => {
        if (isStoreError(e) && e.code === 'E_BAD_HEARTBEAT') return { error: errorMessage(e, store), malformed: true };
        if (isStoreError(e) && e.code === 'E_BAD_KEY') return { error: errorMessage(e, store), badKey: true };
        return { error: e instanceof Error ? e.message : String(e) };
      },
    ),
    reads.runState(name).then(
      (r): TaskEvidence['run'] => r,
      (e: unknown) => ({ error: errorMessage(e, store), malformed: isStoreError(e) && e.code === 'E_BAD_HEARTBEAT' }),
    ),
  ]);
  const evidence: TaskEvidence = { heartbeat, run, ...(absence !== undefined ? { absence } : {}) };
  if (needsFailureRecord(evidence)) {
    evidence.failure = await readFailureRecord(store, name).catch((e: unknown) => ({ error: errorMessage(e, store) }));
  }
  return evidence;
}

async function checkTask(store: Store, reads: TaskReads, task: TaskLike, config: object, nowSeconds: number, selfName: string | undefined): Promise<TaskVerdict> {
  const started = performance.now();
  const self = selfName !== undefined && task.name === selfName;
  // A name no heartbeat can have (or an invalid entry) is judged without reading anything.
  const verdict = (evidence: TaskEvidence): TaskVerdict => ({
    ...evaluateTask(task, config, evidence, nowSeconds, { self }),
    ms: Math.round(performance.now() - started),
  });
  const first = verdict({ heartbeat: null });
  if (self || first.state === 'invalid' || first.state === 'paused') return first;
  return verdict(await readEvidence(store, reads, task.name));
}

/**
 * Read every task's heartbeat concurrently (at most `concurrency` tasks at once, default 32: the
 * store's request rate and sockets are the scarce part); verdicts come back in the given order.
 * A missing or malformed heartbeat is that task's error only.
 */
export async function checkTasks(store: Store, tasks: readonly TaskLike[], options: CheckTasksOptions = {}): Promise<TaskVerdict[]> {
  const config = options.config ?? {};
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const onEvent = options.onEvent;
  const reads = options.reads ?? fullReads(store);
  let at = 0;
  const verdicts = new Array<TaskVerdict>(tasks.length);
  const workers = Math.max(1, Math.min(tasks.length, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY) || 1));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      // A fixed pool of workers taking the next task: no promise per task waits in a queue.
      for (let i = at++; i < tasks.length; i = at++) {
        const verdict = await checkTask(store, reads, tasks[i]!, config, nowSeconds, options.selfName);
        verdicts[i] = verdict;
        onEvent?.({ type: 'task-checked', verdict });
      }
    }),
  );
  return verdicts;
}
