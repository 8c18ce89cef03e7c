// svcmon run <where> <task> [options] -- <command> [args…]
// Runs a job as cron would, and tells the bucket how it went: a start, then the ordinary heartbeat
// on exit 0, or a failure record (exit status or signal, times, host, run id, output tail).
// The job comes first: its exit status is svcmon's, and the store being slow or down costs at
// most --timeout-store seconds after the job ended and one line on stderr.
// Parsed without commander (the argv after `--` belongs to the job, and cold start matters).
import type { Io } from '../_io.js';
import { classifyError } from '../errors.js';

export const RUN_USAGE = `usage: svcmon run [options] <where> <task> -- <command> [args…]

Run <command>, record its start, then a heartbeat (exit 0) or a failure record
(exit status or signal, output tail) for <task> in <where>. stdin, stdout and
stderr are passed through; svcmon exits with the command's status (128+N when a
signal N ended it, 127 when it cannot be started).

  --no-output          do not keep or send the command's output (stdout/stderr stay the terminal's)
  --output-bytes N     how much of the combined output a failure record keeps (default 10240)
  --timeout-store S    most seconds to spend on the store after the command ended (default 10)
  --region R           AWS region of the bucket
  --endpoint URL       an S3-compatible endpoint
  --no-acl             no public-read ACL on the heartbeat and run state
  -h, --help           show this help

Example:
  $ svcmon run my-bucket nightly-backup -- /usr/local/bin/backup --full
`;

export const DEFAULT_OUTPUT_BYTES = 10240;
export const DEFAULT_STORE_TIMEOUT_S = 10;
/** A run that ends sooner records no start (only its end). */
export const START_DELAY_MS = 1000;
/** Tries of each store request within the --timeout-store budget. */
const STORE_ATTEMPTS = 3;

/** Each try's bound for a budget: a third of it, at least a second. */
const tryTimeoutMs = (budgetMs: number): number => Math.max(1000, Math.floor(budgetMs / STORE_ATTEMPTS));

/** The largest --timeout-store whose tries the store can still time (its deadline is one Node timer). */
const maxStoreTimeoutS = (maxTimeoutMs: (attempts: number) => number): number =>
  Math.floor((maxTimeoutMs(STORE_ATTEMPTS) * STORE_ATTEMPTS) / 1000);

interface RunFlags {
  where: string;
  task: string;
  command: string;
  args: string[];
  output: boolean;
  outputBytes: number;
  storeTimeoutS: number;
  region?: string;
  endpoint?: string;
  acl: boolean;
}

class UsageError extends Error {}

function parseRunArgs(argv: readonly string[], maxStoreTimeout: number): RunFlags | 'help' {
  const dash = argv.indexOf('--');
  const front = dash < 0 ? argv : argv.slice(0, dash);
  const job = dash < 0 ? [] : argv.slice(dash + 1);
  const positionals: string[] = [];
  const flags: Partial<RunFlags> & { output: boolean; acl: boolean } = { output: true, acl: true };
  const number = (name: string, v: string | undefined, min: number, max?: { value: number; why: string }): number => {
    // Plain digits, as every number option (no " 2", 1e6, 0x10); _parsers.ts would load commander.
    const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (max !== undefined && n > max.value) throw new UsageError(`${name} must be at most ${max.value} (${max.why}), got ${v}`);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be an integer of at least ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < front.length; i++) {
    const arg = front[i]!;
    const m = /^(--[a-z-]+)(?:=(.*))?$/.exec(arg);
    const value = (): string | undefined => m?.[2] ?? front[++i];
    if (arg === '-h' || arg === '--help') return 'help';
    else if (arg === '--no-output') flags.output = false;
    else if (arg === '--no-acl') flags.acl = false;
    else if (m?.[1] === '--output-bytes') flags.outputBytes = number('--output-bytes', value(), 0);
    else if (m?.[1] === '--timeout-store') {
      flags.storeTimeoutS = number('--timeout-store', value(), 1, { value: maxStoreTimeout, why: 'seconds, about 24 days: the longest a timer can wait' });
    }
    else if (m?.[1] === '--region') flags.region = value() ?? '';
    else if (m?.[1] === '--endpoint') flags.endpoint = value() ?? '';
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else positionals.push(arg);
  }
  if (positionals.length !== 2) {
    throw new UsageError(`expected <where> and <task> before "--", got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  }
  if (job.length === 0) throw new UsageError('no command: give it after "--", as in svcmon run my-bucket backup -- ./backup.sh');
  if (positionals[1] === '') throw new UsageError('the task name is empty');
  return {
    where: positionals[0]!,
    task: positionals[1]!,
    command: job[0]!,
    args: job.slice(1),
    output: flags.output,
    outputBytes: flags.outputBytes ?? DEFAULT_OUTPUT_BYTES,
    storeTimeoutS: flags.storeTimeoutS ?? DEFAULT_STORE_TIMEOUT_S,
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    acl: flags.acl,
  };
}

/** The last `max` bytes of a stream of chunks. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes seen in all. */
  total = 0;
  constructor(readonly max: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.max === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.max) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.max;
  }

  /** The tail as text, starting on a whole UTF-8 character. */
  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.max) buf = buf.subarray(buf.length - this.max);
    let start = 0;
    if (this.truncated) while (start < buf.length && start < 4 && (buf[start]! & 0xc0) === 0x80) start++;
    return buf.subarray(start).toString('utf8');
  }
}

interface Writable {
  write(chunk: string | Uint8Array): unknown;
  once?: (event: 'drain', listener: () => void) => unknown;
}

interface Ended {
  exitCode: number;
  code?: number;
  signal?: string;
  spawnError?: string;
}

async function runChild(flags: RunFlags, io: Io, tail: OutputTail | null): Promise<Ended> {
  const { spawn } = await import('node:child_process');
  const { constants } = await import('node:os');
  return new Promise<Ended>((resolve) => {
    let child: import('node:child_process').ChildProcess;
    try {
      child = spawn(flags.command, flags.args, { stdio: tail ? ['inherit', 'pipe', 'pipe'] : 'inherit' });
    } catch (e) {
      resolve({ exitCode: 127, spawnError: (e as Error).message });
      return;
    }
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const cleanup = (): void => {
      for (const [s, h] of handlers) process.off(s, h);
    };
    if (tail) {
      const pass = (from: NodeJS.ReadableStream, to: Writable): void => {
        from.on('data', (chunk: Buffer) => {
          tail.push(chunk);
          if (to.write(chunk) === false && to.once) {
            from.pause();
            to.once('drain', () => from.resume());
          }
        });
      };
      pass(child.stdout!, io.stdout as Writable);
      pass(child.stderr!, io.stderr as Writable);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      // The command could not be started (ENOENT, EACCES): as a shell says it, status 127.
      cleanup();
      const why = e.code === 'ENOENT' ? 'command not found' : e.code === 'EACCES' ? 'permission denied' : e.message;
      resolve({ exitCode: 127, spawnError: `cannot start ${JSON.stringify(flags.command)}: ${why}` });
    });
    // 'close' waits for the output pipes too; a background process that inherited them (a
    // daemonising script) must not hold the job: give them a moment after the exit, then go on.
    let timer: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        child.emit('close', code, signal);
      }, 2000);
      timer.unref();
    });
    let closed = false;
    child.on('close', (code, signal) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      cleanup();
      if (signal !== null) {
        const n = (constants.signals as Record<string, number>)[signal] ?? 0;
        resolve({ exitCode: 128 + n, signal });
      } else {
        resolve({ exitCode: code ?? 1, code: code ?? 1 });
      }
    });
  });
}

function deadline<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: string; timedOut: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; error: string; timedOut: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${Math.round(ms / 1000)} s`, timedOut: true }), ms);
  });
  return Promise.race([
    p.then(
      (value) => ({ ok: true as const, value }),
      (e: unknown) => ({ ok: false as const, error: e instanceof Error ? e.message.split('\n')[0]! : String(e), timedOut: false }),
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

export async function runCommand(io: Io, argv: readonly string[]): Promise<number> {
  // The store first: its limits bound the options. A <where> that can never work is a usage error before the job runs.
  const { abridged, heartbeatKey, maxTimeoutMs, openStore, requireFolder, taskNameProblem } = await import('@svcmon/store');
  let flags: RunFlags | 'help';
  try {
    flags = parseRunArgs(argv, maxStoreTimeoutS(maxTimeoutMs));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // One line, as every other command's usage error.
    io.err(`${io.errColor.red('svcmon: error:')} run: ${e.message} (see 'svcmon run --help')`);
    return 2;
  }
  if (flags === 'help') {
    io.stdout.write(RUN_USAGE);
    return 0;
  }
  const startedAt = new Date();
  const runId = crypto.randomUUID();
  const budgetMs = flags.storeTimeoutS * 1000;

  // A name no heartbeat can have: refused before the job runs, not after.
  const nameProblem = taskNameProblem(flags.task);
  if (nameProblem !== undefined) {
    io.err(`${io.errColor.red('svcmon: error:')} run: invalid task name ${JSON.stringify(abridged(flags.task))}: ${nameProblem}`);
    return 2;
  }
  const warnings: string[] = [];
  let store;
  try {
    store = openStore(flags.where, {
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
      ...(flags.acl ? {} : { publicRead: false }),
      // Each try bounded, retried within the budget; the whole budget is enforced below.
      timeoutMs: tryTimeoutMs(budgetMs),
      maxAttempts: STORE_ATTEMPTS,
      onWarning: (m) => void warnings.push(m),
    });
  } catch (e) {
    io.err(`${io.errColor.red('svcmon: error:')} run: ${(e as Error).message}`);
    return 2;
  }
  try {
    // A directory store's folder is never created: a missing one would lose this run's record.
    await requireFolder(store, heartbeatKey(flags.task));
  } catch (e) {
    // The words (and hint) `svcmon beat` has for it; here a usage error, as the job has not run.
    const { known, message, hint } = classifyError(e, 'run');
    if (!known) throw e;
    io.err(`${io.errColor.red('svcmon: error:')} run: ${message}${hint ? ` ${io.errColor.dim(`(${hint})`)}` : ''}`);
    return 2;
  }
  const signals = import('@svcmon/beat');
  // The start is recorded once the job has run for START_DELAY_MS, with its true start time: a
  // shorter run could never exceed a max-duration (whole seconds, at least 1), and a job that is
  // over by then costs one write fewer. A slow store never delays the job.
  let started: Promise<unknown> | null = null;
  const startNow = (): void => {
    started ??= signals.then(({ start }) => start(store, flags.task, { runId, now: startedAt }));
    started.catch(() => undefined);
  };
  const startTimer = setTimeout(startNow, START_DELAY_MS);

  const tail = flags.output && flags.outputBytes > 0 ? new OutputTail(flags.outputBytes) : null;
  const ended = await runChild(flags, io, tail);
  clearTimeout(startTimer);
  if (ended.spawnError) io.err(`svcmon run: ${ended.spawnError}`);
  const endedAt = new Date();

  const { success, fail } = await signals;
  const what = ended.exitCode === 0 ? 'the heartbeat' : 'the failure';
  const record = (async () => {
    const s = started ? await deadline(started, budgetMs) : ({ ok: true } as const);
    if (ended.exitCode === 0) {
      await success(store, flags.task, { runId, started: startedAt, now: endedAt, onWarning: (m) => void warnings.push(m) });
    } else {
      await fail(store, flags.task, {
        runId,
        started: startedAt,
        now: endedAt,
        ...(ended.code !== undefined ? { exitCode: ended.code } : {}),
        ...(ended.spawnError !== undefined ? { exitCode: 127, message: ended.spawnError } : {}),
        ...(ended.signal !== undefined ? { signal: ended.signal } : {}),
        ...(tail ? { output: tail.text(), ...(tail.truncated ? { outputTruncated: true } : {}) } : {}),
      });
    }
    return s;
  })();
  const result = await deadline(record, budgetMs);
  for (const w of new Set(warnings)) io.err(`svcmon run: ${w}`);
  if (result.ok && !result.value.ok && warnings.length === 0) {
    // Only the start was lost: the end was recorded, but max-duration could not watch this run.
    io.err(`svcmon run: could not record the start of ${JSON.stringify(flags.task)} in ${store.location} (${result.value.error}); its end was recorded`);
  }
  if (!result.ok) {
    io.err(
      `svcmon run: could not record ${what} of ${JSON.stringify(flags.task)} in ${store.location} (${result.error}); ` +
        `the command's exit status ${ended.exitCode} stands`,
    );
    // Requests still in flight must not keep the job alive: when run as the process itself, leave.
    if (result.timedOut && io.stdout === process.stdout) {
      setTimeout(() => process.exit(ended.exitCode), 100).unref();
    }
  }
  return ended.exitCode;
}
