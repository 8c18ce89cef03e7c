// The one evaluation of a task: its config entry, its heartbeat, its run state (and failure
// record) → a verdict with its reason and due time. The pulse, `--json`, `config show` and the
// dashboard (a built copy of this file) all use it, so they cannot disagree. Pure: no I/O, no
// clock of its own; a value it cannot use is that task's error, never an exception.
import { Cron } from 'croner';
import { durationText, elapsedText, racketDate } from './duration.js';
import { jsonValueText, type Heartbeat } from './heartbeat.js';
import { runStateProblem, type FailureRecord, type RunState } from './runs.js';
import { isUnixTime as isTime, problemsText, taskSettings, type ConfigProblem, type TaskSettings } from './schema.js';

/** A heartbeat further ahead of the clock than this is reported as an error (clock skew or tampering). */
export const FUTURE_TOLERANCE_SECONDS = 300;

/**
 * How a task stands:
 * `ok` beat within its period (or since its latest scheduled time); `late` it did not;
 * `missing` no heartbeat object; `malformed` the heartbeat, run state or failure record cannot be
 * used; `future` the heartbeat is more than 5 minutes ahead of the clock; `error` the store failed
 * while reading; `failed` a failure (`svcmon run`, `fail()`) is newer than the last success;
 * `overrun` a run started longer ago than the task's `max-duration` and has not ended;
 * `paused` the task is paused (`paused-until` in the future, or `paused? #t`): healthy;
 * `invalid` its entry in config.rktd holds a value the schema refuses (or a name no heartbeat can have).
 */
export type TaskState = 'ok' | 'late' | 'missing' | 'malformed' | 'future' | 'error' | 'failed' | 'overrun' | 'paused' | 'invalid';

/** One task's verdict, as the evaluation gives it. */
export interface TaskEvaluation {
  name: string;
  ok: boolean;
  state: TaskState;
  /** The period that applied, in seconds (0 when the entry is invalid). */
  period: number;
  /** The heartbeat as read (for the self task: now). */
  lastBeat?: { seconds: number; date?: string };
  /** now − lastBeat.seconds, in seconds (never negative). */
  ageSeconds?: number;
  /** Why it is not ok (and for `paused`, until when), as the report prints it. */
  reason?: string;
  /** For `invalid`: the values config.rktd holds that the schema refuses, with where. */
  problems?: ConfigProblem[];
  /** Runs under way, as the run state says (`svcmon run`, `start()`). */
  running?: { id: string; started: number }[];
  /** For `failed`: the failure as recorded (output tail included when it was sent). */
  failure?: FailureRecord;
  /** For `paused`: until when (unix seconds), or null for "until resumed". */
  pausedUntil?: number | null;
  /** The task's grace (seconds on top of its period or schedule), when it has one. */
  grace?: number;
  /** For a task with a `schedule`: the scheduled time (unix seconds) its last success had to follow. */
  due?: number;
  /** The task is the monitor itself (`selfName`): taken as having beaten just now, not read. */
  self: boolean;
}

/** What was read for a task. `{ error }`: it could not be read (the message says why). */
export interface TaskEvidence {
  heartbeat: Heartbeat | null | { error: string; malformed?: boolean; badKey?: boolean };
  /** The run state (`<task>-run.json`); undefined or null when there is none. */
  run?: RunState | null | { error: string; malformed?: boolean };
  /** The failure record, when the run state names a failure and it was read. */
  failure?: FailureRecord | null | { error: string };
  /** With `heartbeat: null`: why it counts as missing when the store did not plainly say so (a 403 where listing is refused). */
  absence?: string;
}

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string';

/**
 * The latest time the cron `schedule` fired in zone `tz` at or before `at` (null when it never did
 * within croner's reach). croner does the calendar and the zone's DST rules.
 */
export function latestScheduled(schedule: string, tz: string, at: Date): Date | null {
  const cron = new Cron(schedule, { timezone: tz, paused: true, mode: '5-part' });
  // croner 10's previousRuns can answer a time after the reference when the scheduled local time
  // falls in a DST gap (02:30 on a spring-forward night is run at 03:30 and listed from 03:00 on):
  // ask for a few and keep the latest that is not in the future.
  const runs = cron.previousRuns(3, new Date(at.getTime() + 1000)).filter((d) => d.getTime() <= at.getTime());
  return runs.reduce<Date | null>((latest, d) => (latest === null || d > latest ? d : latest), null);
}

/** The scheduled time a success must follow: the latest one more than `grace` ago (null: none). */
export function dueSince(settings: Pick<TaskSettings, 'schedule' | 'tz' | 'grace'>, nowSeconds: number): number | null {
  if (settings.schedule === undefined) return null;
  const t = latestScheduled(settings.schedule, settings.tz, new Date((nowSeconds - settings.grace) * 1000));
  return t === null ? null : Math.floor(t.getTime() / 1000);
}

/** A run state whose every time is a time: anything else is that task's error. */
/** The fields of a failure record that have the right type (a record is free JSON in the store). */
function cleanFailure(record: FailureRecord, task: string): FailureRecord {
  const r = record as unknown as Record<string, unknown>;
  const out: FailureRecord = { task, runId: typeof r['runId'] === 'string' ? r['runId'] : '', ended: typeof r['ended'] === 'string' ? r['ended'] : '' };
  const str = ['started', 'host', 'signal', 'message', 'output'] as const;
  for (const k of str) if (typeof r[k] === 'string') (out as unknown as Record<string, unknown>)[k] = r[k];
  if (typeof r['durationMs'] === 'number' && Number.isFinite(r['durationMs']) && r['durationMs'] >= 0) out.durationMs = r['durationMs'];
  if (typeof r['exitCode'] === 'number' && Number.isSafeInteger(r['exitCode'])) out.exitCode = r['exitCode'];
  if (r['outputTruncated'] === true) out.outputTruncated = true;
  return out;
}

function exitText(exit: number | undefined, signal: string | undefined): string {
  if (signal !== undefined) return `killed by ${signal}`;
  if (exit !== undefined) return `exit status ${exit}`;
  return 'failed';
}

/** The report text of a failure (continuation lines are indented by the report). */
function failureText(failed: NonNullable<RunState['failed']>, record: FailureRecord | null, nowSeconds: number, unread?: string): string {
  const r = record && record.runId === failed.id ? record : null;
  const exit = exitText(r?.exitCode ?? failed.exit, r?.signal ?? failed.signal);
  let line = `failed ${racketDate(failed.at)} (${elapsedText(Math.max(0, nowSeconds - failed.at))} ago): ${exit}`;
  const details: string[] = [];
  if (r?.durationMs !== undefined) details.push(`ran ${elapsedText(Math.round(r.durationMs / 1000))}`);
  if (r?.host) details.push(`on ${r.host}`);
  if (failed.id) details.push(`run ${failed.id}`);
  if (details.length > 0) line += ` (${details.join(', ')})`;
  const lines = [line];
  // The record could not be read (too large, malformed, the store failed): said, not hidden.
  if (unread !== undefined) lines.push(`failure details not read: ${unread}`);
  if (r?.message) lines.push(r.message);
  if (r?.output !== undefined && r.output !== '') {
    lines.push(r.outputTruncated ? 'last output (cut to its tail):' : 'output:');
    const out = r.output.replace(/\r\n/g, '\n').replace(/\n$/, '');
    for (const l of out.split('\n')) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}

/**
 * A task's reason as it may be published (pulse.json is public-read): for a failure, only when it
 * failed and how — never the output, message or host, which stay in the report, the mail and the
 * private failure record.
 */
export function publicTaskReason(task: { state: string; reason?: string; failure?: Pick<FailureRecord, 'ended' | 'exitCode' | 'signal'> }): string | undefined {
  if (task.state !== 'failed') return task.reason;
  const f = task.failure;
  if (!f) return 'failed';
  const at = Math.floor(Date.parse(f.ended) / 1000);
  return `failed ${isTime(at) ? racketDate(at) : f.ended}: ${exitText(f.exitCode, f.signal)}`;
}

/**
 * Whether the evaluation needs the task's failure record: its run state names a failure newer
 * than the last success. The pulse reads the record only then.
 */
export function needsFailureRecord(evidence: TaskEvidence): boolean {
  const run = evidence.run;
  const beat = evidence.heartbeat;
  if (!run || isError(run) || run.failed === undefined || runStateProblem(run) !== undefined) return false;
  const beatSeconds = beat && !isError(beat) ? beat.seconds : undefined;
  return beatSeconds === undefined || run.failed.at >= beatSeconds;
}

/**
 * The verdict on one task. `entry` is the task's entry in config.rktd and `config` the whole
 * config (for the top-level `period`); `self` marks the monitor's own task (not read: healthy).
 * Never throws: a value it cannot use is that task's error.
 */
export function evaluateTask(
  entry: unknown,
  config: unknown,
  evidence: TaskEvidence,
  nowSeconds: number,
  options: { self?: boolean; source?: string } = {},
): TaskEvaluation {
  const rawName = (entry as { name?: unknown } | null)?.name;
  const name = typeof rawName === 'string' ? rawName : String(rawName);
  try {
    return evaluate(name, entry, config, evidence, nowSeconds, options);
  } catch (e) {
    // A last resort (a value no check foresaw): that task's error, never the caller's crash.
    return { name, ok: false, state: 'error', period: 0, self: false, reason: `cannot evaluate: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function evaluate(
  name: string,
  entry: unknown,
  config: unknown,
  evidence: TaskEvidence,
  nowSeconds: number,
  options: { self?: boolean; source?: string },
): TaskEvaluation {
  const read = taskSettings(entry, config, options.source);
  if (read.problems) {
    const problems = read.problems;
    return { name, ok: false, state: 'invalid', period: 0, self: false, reason: problemsText(problems), problems };
  }
  const s = read.settings;
  const base = { name, period: s.period, self: false } as const;
  // The monitor itself: its period and grace are how long its verdicts count for the other monitors.
  if (options.self) return { ...base, ...(s.grace > 0 ? { grace: s.grace } : {}), self: true, ok: true, state: 'ok', lastBeat: { seconds: nowSeconds }, ageSeconds: 0 };
  const pausedUntil = s.paused ? (s.pausedUntil !== undefined && s.pausedUntil > nowSeconds ? s.pausedUntil : null) : s.pausedUntil !== undefined && s.pausedUntil > nowSeconds ? s.pausedUntil : undefined;
  if (pausedUntil !== undefined) {
    return { ...base, ok: true, state: 'paused', pausedUntil, reason: pausedUntil === null ? 'paused until resumed' : `paused until ${racketDate(pausedUntil)}` };
  }
  const beat = evidence.heartbeat;
  if (isError(beat)) {
    if (beat.badKey) return { ...base, ok: false, state: 'missing', reason: `no heartbeat can be recorded: ${beat.error}` };
    if (beat.malformed) return { ...base, ok: false, state: 'malformed', reason: beat.error.startsWith('malformed') ? beat.error : `malformed heartbeat: ${beat.error}` };
    return { ...base, ok: false, state: 'error', reason: `cannot read heartbeat: ${beat.error}` };
  }
  // Any whole number of seconds is a time the original could have written (long ago: late; far ahead: future).
  if (beat !== null && !Number.isSafeInteger(beat.seconds)) {
    return { ...base, ok: false, state: 'malformed', reason: `malformed heartbeat "${name}-beat.json": "seconds" is not an integer: ${jsonValueText(beat.seconds)}` };
  }
  const runRead = evidence.run ?? null;
  if (isError(runRead) && runRead.malformed) return { ...base, ok: false, state: 'malformed', reason: runRead.error };
  let run: RunState | undefined;
  if (runRead !== null && !isError(runRead)) {
    const why = runStateProblem(runRead);
    if (why !== undefined) return { ...base, ok: false, state: 'malformed', reason: `malformed run state "${name}-run.json": ${why}` };
    run = runRead;
  }
  const extra: Partial<TaskEvaluation> = {};
  if (run && run.running.length > 0) extra.running = run.running;
  if (s.grace > 0) extra.grace = s.grace;
  const lastBeat = beat === null ? undefined : { seconds: beat.seconds, date: typeof beat.date === 'string' ? beat.date : racketDate(beat.seconds) };

  const failed = run?.failed;
  if (failed && (lastBeat === undefined || failed.at >= lastBeat.seconds)) {
    const f = evidence.failure;
    const record = f && !isError(f) ? cleanFailure(f, name) : null;
    const failure: FailureRecord =
      record && record.runId === failed.id
        ? record
        : { task: name, runId: failed.id, ended: new Date(failed.at * 1000).toISOString(), ...(failed.exit !== undefined ? { exitCode: failed.exit } : {}), ...(failed.signal !== undefined ? { signal: failed.signal } : {}) };
    return { ...base, ok: false, state: 'failed', ...(lastBeat ? { lastBeat } : {}), ...extra, failure, reason: failureText(failed, record, nowSeconds, f && isError(f) ? f.error : undefined) };
  }
  if (run && s.maxDuration !== undefined) {
    const over = run.running.filter((r) => nowSeconds - r.started > s.maxDuration!).sort((a, b) => a.started - b.started)[0];
    if (over) {
      const reason = `running for ${elapsedText(nowSeconds - over.started)}, limit ${elapsedText(s.maxDuration)} (started ${racketDate(over.started)}, run ${over.id})`;
      return { ...base, ok: false, state: 'overrun', ...(lastBeat ? { lastBeat } : {}), ...extra, reason };
    }
  }
  if (isError(runRead)) return { ...base, ok: false, state: 'error', reason: `cannot read run state: ${runRead.error}` };
  if (lastBeat === undefined) return { ...base, ok: false, state: 'missing', ...extra, reason: `no heartbeat recorded (${name}-beat.json not found${evidence.absence !== undefined ? `: ${evidence.absence}` : ''})` };
  const age = nowSeconds - lastBeat.seconds;
  if (age < -FUTURE_TOLERANCE_SECONDS) {
    return { ...base, ok: false, state: 'future', lastBeat, reason: `last report is in the future: ${racketDate(lastBeat.seconds)} (${elapsedText(-age)} ahead)` };
  }
  const ageSeconds = Math.max(0, age);
  if (s.schedule !== undefined) {
    const due = dueSince(s, nowSeconds);
    if (due !== null) {
      extra.due = due;
      const ok = lastBeat.seconds >= due;
      return { ...base, ok, state: ok ? 'ok' : 'late', lastBeat, ageSeconds, ...extra };
    }
  }
  const ok = ageSeconds <= s.period + s.grace;
  return { ...base, ok, state: ok ? 'ok' : 'late', lastBeat, ageSeconds, ...extra };
}

/** What a task must do, for people: `beats at least every 1 day`, `succeeds after each "0 3 * * 1" (UTC)`. */
export function expectationText(settings: TaskSettings): string {
  const grace = settings.grace > 0 ? ` (+ ${durationText(settings.grace)} grace)` : '';
  if (settings.schedule !== undefined) return `succeeds after each "${settings.schedule}" (${settings.tz})${grace}`;
  return `beats at least every ${durationText(settings.period)}${grace}`;
}
