// Start, success and failure signals: what `svcmon run` records, for code that reports without it.
import {
  openStore,
  updateRunState,
  writeFailureRecord,
  writeHeartbeat,
  type FailureRecord,
  type Heartbeat,
  type RunState,
  type Store,
  type Where,
  assertTaskName,
} from '@svcmon/store';

/** What every signal takes besides the store (which `openStore` alone configures). */
interface Common {
  /** The time to record (default: now). */
  now?: Date;
}

export interface StartOptions extends Common {
  /** The run id (default: a random UUID). */
  runId?: string;
}

export interface RunHandle {
  runId: string;
  /** When the run started (as recorded). */
  started: Date;
}

export interface SuccessOptions extends Common {
  /** The run that ended (from `start`). */
  runId?: string;
  /** When it started, if its start was not recorded (runs that began before it are superseded). */
  started?: Date;
  /** Where the warning goes when the heartbeat was recorded but not the run state (default: stderr). */
  onWarning?: (message: string) => void;
}

export interface FailOptions extends Common {
  runId?: string;
  /** When the run started, for the failure record's duration (default: unknown). */
  started?: Date;
  /** Why, for people (shown in the pulse's report). */
  message?: string;
  /** The exit status of the job. */
  exitCode?: number;
  /** The signal that ended the job (`SIGKILL`). */
  signal?: string;
  /** The last of the job's output (kept as given; `svcmon run` keeps 10 KB). */
  output?: string;
  /** The output was cut to its tail. */
  outputTruncated?: boolean;
  /** The machine (default: os.hostname()). */
  host?: string;
}

/** A start recorded this long ago without an end is dropped the next time the task's state is written. */
export const STALE_RUN_SECONDS = 7 * 86400;

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

// The run state this process last wrote, per store and task: success/fail of a run started here
// write it back with If-Match straight away (one round trip instead of a read and a write).
const lastWritten = new WeakMap<Store, Map<string, { state: RunState; etag: string }>>();

function remember(store: Store, task: string, written: { state: RunState; etag: string }): void {
  if (written.etag === '') return; // nothing was written: there is no object to match
  let byTask = lastWritten.get(store);
  if (!byTask) lastWritten.set(store, (byTask = new Map()));
  byTask.set(task, written);
}

function updateOptions(store: Store, task: string) {
  const current = lastWritten.get(store)?.get(task);
  return current ? { current } : {};
}

/** The runs still under way once `runId` has ended (or, at a start, before `runId` is added). */
function stillRunning(
  state: RunState,
  runId: string | undefined,
  nowSeconds: number,
  ending: boolean,
  startedSeconds?: number,
): RunStarted[] {
  let since = -Infinity;
  if (ending) {
    // A run that ends supersedes the runs that started before it: a start left behind by a run
    // killed with SIGKILL or a reboot is not reported forever. A success without a run id counts
    // as a run that started now (as a plain heartbeat does).
    const own = runId === undefined ? undefined : state.running.find((r) => r.id === runId);
    since = own ? own.started : startedSeconds ?? (runId === undefined ? nowSeconds : -Infinity);
  }
  return state.running.filter((r) => r.id !== runId && r.started >= since && nowSeconds - r.started < STALE_RUN_SECONDS);
}
type RunStarted = RunState['running'][number];

/**
 * Record that a run of `task` started (`<task>-run.json`); the pulse reports it when it
 * runs longer than the task's `max-duration`. Pass the returned `runId` to `success`/`fail`.
 *
 * @example const run = await start('my-bucket', 'backup'); … await success('my-bucket', 'backup', run);
 */
export async function start(where: Where, task: string, options: StartOptions = {}): Promise<RunHandle> {
  assertTaskName(task);
  const runId = options.runId ?? crypto.randomUUID();
  const at = seconds(options.now ?? new Date());
  const store = openStore(where);
  const written = await updateRunState(store, task, (state) => ({
    ...state,
    running: [...stillRunning(state, runId, at, false), { id: runId, started: at }],
  }));
  remember(store, task, written);
  return { runId, started: new Date(at * 1000) };
}

/**
 * Record a success: the ordinary heartbeat (`<task>-beat.json`, byte for byte what `beat`
 * writes), then the run's start is cleared and any earlier failure is superseded.
 */
export async function success(where: Where, task: string, options: SuccessOptions = {}): Promise<Heartbeat> {
  assertTaskName(task);
  const { now = new Date(), ...rest } = options;
  const store = openStore(where);
  const at = seconds(now);
  // Both at once: the heartbeat is what the original reads; the run state only clears the start,
  // so its failure is a warning (the success is recorded all the same).
  const [beaten, updated] = await Promise.allSettled([
    writeHeartbeat(store, task, { now }),
    updateRunState(store, task, (state) => {
      const next: RunState = {
        running: stillRunning(state, rest.runId, at, true, rest.started ? seconds(rest.started) : undefined),
      };
      // A failure recorded later than this success (an overlapping run) still stands.
      if (state.failed && state.failed.at > at) next.failed = state.failed;
      return next;
    }, updateOptions(store, task)),
  ]);
  if (beaten.status === 'rejected') throw beaten.reason;
  if (updated.status === 'fulfilled') {
    remember(store, task, updated.value);
  } else {
    const why = updated.reason instanceof Error ? updated.reason.message : String(updated.reason);
    const warn = rest.onWarning ?? ((m: string) => void process.stderr.write(`svcmon: warning: ${m}\n`));
    warn(`the heartbeat of ${JSON.stringify(task)} was recorded, but not its run state (${why.split('\n')[0]})`);
  }
  return beaten.value;
}

/**
 * Record a failure: `<task>-failure.json` in full (never public-read), and the failure's time and
 * exit status in `<task>-run.json`. The next pulse reports the task as ERROR, whatever its period.
 */
export async function fail(where: Where, task: string, options: FailOptions = {}): Promise<FailureRecord> {
  assertTaskName(task);
  const { now = new Date(), ...rest } = options;
  const store = openStore(where);
  const runId = rest.runId ?? crypto.randomUUID();
  const host = rest.host ?? (await import('node:os')).hostname();
  const record: FailureRecord = {
    task,
    runId,
    ...(rest.started ? { started: rest.started.toISOString(), durationMs: now.getTime() - rest.started.getTime() } : {}),
    ended: now.toISOString(),
    host,
    ...(rest.exitCode !== undefined ? { exitCode: rest.exitCode } : {}),
    ...(rest.signal !== undefined ? { signal: rest.signal } : {}),
    ...(rest.message !== undefined ? { message: rest.message } : {}),
    ...(rest.output !== undefined ? { output: rest.output } : {}),
    ...(rest.outputTruncated ? { outputTruncated: true } : {}),
  };
  // The full record first: a pulse that sees the flag finds the details.
  await writeFailureRecord(store, record);
  const at = seconds(now);
  const written = await updateRunState(store, task, (state) => ({
    running: stillRunning(state, runId, at, true, rest.started ? seconds(rest.started) : undefined),
    failed: {
      id: runId,
      at,
      ...(rest.exitCode !== undefined ? { exit: rest.exitCode } : {}),
      ...(rest.signal !== undefined ? { signal: rest.signal } : {}),
    },
  }), updateOptions(store, task));
  remember(store, task, written);
  return record;
}
