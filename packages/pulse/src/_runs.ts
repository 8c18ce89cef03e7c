// The task side of issue 9: grace, cron schedules with a time zone, pauses, max-duration,
// and the run state that `svcmon run` / @svcmon/beat's start/success/fail leave in the store.
import { Cron } from 'croner';
import type { FailureRecord, RunState } from '@svcmon/store';
import { elapsedText, racketDate } from './_date.js';

/** The task keys of issue 9, read leniently (a bad value is ignored, as a bad period is). */
export interface TaskRules {
  grace: number;
  schedule?: string;
  tz: string;
  maxDuration?: number;
  /** Unix seconds; null = paused indefinitely; undefined = not paused. */
  pausedUntil?: number | null;
}

function natural(v: unknown): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/** A time given as unix seconds or an ISO 8601 string. */
function unixSeconds(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
  }
  return natural(v);
}

export function taskRules(task: Record<string, unknown>, nowSeconds: number): TaskRules {
  const rules: TaskRules = { grace: natural(task.grace) ?? 0, tz: typeof task.tz === 'string' ? task.tz : 'UTC' };
  if (typeof task.schedule === 'string') rules.schedule = task.schedule;
  const max = natural(task['max-duration']);
  if (max !== undefined && max > 0) rules.maxDuration = max;
  const until = unixSeconds(task['paused-until']);
  if (task['paused?'] === true) rules.pausedUntil = until !== undefined && until > nowSeconds ? until : null;
  else if (until !== undefined && until > nowSeconds) rules.pausedUntil = until;
  return rules;
}

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

/** The scheduled time a success must follow: the latest one more than `grace` ago. */
export function dueSince(rules: TaskRules, nowSeconds: number): number | null {
  if (rules.schedule === undefined) return null;
  try {
    const t = latestScheduled(rules.schedule, rules.tz, new Date((nowSeconds - rules.grace) * 1000));
    return t === null ? null : Math.floor(t.getTime() / 1000);
  } catch {
    return null; // not a schedule croner understands: config validation refuses it, an old config falls back to the period
  }
}

/** A failure newer than the last success (or with no success at all). */
export function standingFailure(state: RunState | undefined, beatSeconds: number | undefined): RunState['failed'] {
  const failed = state?.failed;
  if (!failed) return undefined;
  return beatSeconds === undefined || failed.at >= beatSeconds ? failed : undefined;
}

/** The longest-running start past `maxDuration`, if any. */
export function overrun(state: RunState | undefined, maxDuration: number | undefined, nowSeconds: number): RunState['running'][number] | undefined {
  if (!state || maxDuration === undefined) return undefined;
  const over = state.running.filter((r) => nowSeconds - r.started > maxDuration).sort((a, b) => a.started - b.started);
  return over[0];
}

function exitText(exit: number | undefined, signal: string | undefined): string {
  if (signal !== undefined) return `killed by ${signal}`;
  if (exit !== undefined) return `exit status ${exit}`;
  return 'failed';
}

/** The report text of a failure (continuation lines are indented by the report). */
export function failureText(
  failed: NonNullable<RunState['failed']>,
  record: FailureRecord | null,
  nowSeconds: number,
): string {
  const r = record && record.runId === failed.id ? record : null;
  const exit = exitText(r?.exitCode ?? failed.exit, r?.signal ?? failed.signal);
  let line = `failed ${racketDate(failed.at)} (${elapsedText(Math.max(0, nowSeconds - failed.at))} ago): ${exit}`;
  const details: string[] = [];
  if (r?.durationMs !== undefined) details.push(`ran ${elapsedText(Math.round(r.durationMs / 1000))}`);
  if (r?.host) details.push(`on ${r.host}`);
  if (failed.id) details.push(`run ${failed.id}`);
  if (details.length > 0) line += ` (${details.join(', ')})`;
  const lines = [line];
  if (r?.message) lines.push(r.message);
  if (r?.output !== undefined && r.output !== '') {
    lines.push(r.outputTruncated ? 'last output (cut to its tail):' : 'output:');
    const out = r.output.replace(/\r\n/g, '\n').replace(/\n$/, '');
    for (const l of out.split('\n')) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}

export function overrunText(run: RunState['running'][number], maxDuration: number, nowSeconds: number): string {
  return (
    `running for ${elapsedText(nowSeconds - run.started)}, limit ${elapsedText(maxDuration)} ` +
    `(started ${racketDate(run.started)}, run ${run.id})`
  );
}

export function pausedText(until: number | null): string {
  return until === null ? 'paused until resumed' : `paused until ${racketDate(until)}`;
}

/**
 * A task's reason as it may be published (pulse.json is public-read): for a failure, only when it
 * failed and how — never the output, message or host, which stay in the report, the mail and the
 * private failure record.
 */
export function publicTaskReason(task: {
  state: string;
  reason?: string;
  failure?: Pick<FailureRecord, 'ended' | 'exitCode' | 'signal'>;
}): string | undefined {
  if (task.state !== 'failed') return task.reason;
  const f = task.failure;
  if (!f) return 'failed';
  const at = Math.floor(Date.parse(f.ended) / 1000);
  return `failed ${Number.isFinite(at) ? racketDate(at) : f.ended}: ${exitText(f.exitCode, f.signal)}`;
}
