// The pulse's figures as Prometheus metrics (text exposition format 0.0.4), for the node
// exporter's textfile collector (`writeMetricsFile`) or an object beside pulse.json
// (`publishPulseMetrics`). Computed from the PulseResult, never from the report text.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Store } from '@svcmon/store';
import { PulseError } from './errors.js';
import { pulseExitCode } from './stages.js';
import { DEFAULT_MONITOR } from './state.js';
import type { PulseResult, TaskState } from './types.js';

export const PULSE_METRICS_KEY = 'pulse-metrics.prom';
/** What Prometheus's own clients send for the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Every task state, so that each task's `svcmon_task_state` is one-hot over a fixed set
// (the Record makes the compiler insist on a new state being listed here).
const TASK_STATE_SET: Record<TaskState, true> = {
  ok: true,
  late: true,
  missing: true,
  malformed: true,
  future: true,
  error: true,
  failed: true,
  overrun: true,
  paused: true,
  invalid: true,
};
const TASK_STATES = Object.keys(TASK_STATE_SET) as TaskState[];
const SITE_VERDICTS = ['up', 'pending', 'down'] as const;

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

// Lone surrogates cannot be written as UTF-8: U+FFFD, as any UTF-8 encoder would write them.
const wellFormed = (s: string): string => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** A label value in the text format: `\`, `"` and line feed escaped; lone surrogates become U+FFFD. */
export function escapeLabelValue(value: string): string {
  return wellFormed(value).replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text in the text format: `\` and line feed escaped. */
export function escapeHelp(text: string): string {
  return wellFormed(text).replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  // Go's ParseFloat reads JavaScript's number text (`1e+21`, `0.012`); no timestamps (the collector refuses them).
  const text = Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
  return `${name}{${pairs.join(',')}} ${text}\n`;
}

export interface RenderMetricsOptions {
  /** The monitor's name (`selfName`, `--beat NAME`); default `default`, as the state object's. */
  monitor?: string;
}

/** The first of each name: a name listed twice in the config would be a duplicate series. */
function firstOf<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}

const bool = (b: boolean): number => (b ? 1 : 0);

/**
 * The pulse's figures in the Prometheus text format: every series carries `bucket` and
 * `monitor`; a site's also `url`, a task's also `task`; the other labels take a fixed set of
 * values. A pulse that could not check anything still says so (`svcmon_pulse_success 0`).
 * The metrics are listed in the package README.
 */
export function renderMetrics(result: PulseResult, options: RenderMetricsOptions = {}): string {
  const base: Labels = { bucket: result.bucket, monitor: options.monitor ?? DEFAULT_MONITOR };
  const sites = firstOf(result.sites, (s) => s.url);
  const tasks = firstOf(result.tasks, (t) => t.name);
  // A pulse that read no config checked nothing: no counts (zero sites would be a claim).
  const checked = result.error === undefined || result.sites.length + result.tasks.length > 0;
  const families: Family[] = [];
  const family = (name: string, help: string, samples: Family['samples']): void => {
    if (samples.length > 0) families.push({ name: `svcmon_${name}`, help, samples });
  };
  const one = (value: number): Family['samples'] => [{ labels: base, value }];

  family('pulse_success', 'Whether the pulse did its whole job: read the config and the store, and told people (1), or not (0).', one(bool(pulseExitCode(result) <= 1)));
  family('pulse_healthy', 'Whether every site and task was healthy (1) or not (0).', one(bool(result.ok)));
  family('pulse_timestamp_seconds', 'When the pulse started, in seconds since the epoch.', one(result.startedAt.getTime() / 1000));
  family('pulse_duration_seconds', 'How long the pulse took, in seconds.', one(result.ms / 1000));
  if (checked) {
    const verdict = (s: (typeof sites)[number]): string => (!s.ok ? 'down' : s.pending || s.confirming ? 'pending' : 'up');
    family(
      'pulse_sites',
      'Sites by verdict: up, pending (failing, under its failures threshold or awaiting confirmation by other monitors), down.',
      SITE_VERDICTS.map((v) => ({ labels: { ...base, verdict: v }, value: sites.filter((s) => verdict(s) === v).length })),
    );
    family(
      'pulse_tasks',
      'Tasks by state.',
      TASK_STATES.map((state) => ({ labels: { ...base, state }, value: tasks.filter((t) => t.state === state).length })),
    );
  }

  const site = (s: (typeof sites)[number]): Labels => ({ ...base, url: s.url });
  family('site_up', 'Whether the site counts as up (1) or down (0).', sites.map((s) => ({ labels: site(s), value: bool(s.ok) })));
  family(
    'site_status_code',
    'HTTP status of the final answer, after redirects (absent when there was no answer).',
    sites.flatMap((s) => (s.status !== undefined ? [{ labels: site(s), value: s.status }] : [])),
  );
  family('site_duration_seconds', 'How long the site check took, in seconds.', sites.map((s) => ({ labels: site(s), value: s.ms / 1000 })));
  family(
    'site_certificate_expiry_timestamp_seconds',
    "When the https site's certificate expires, in seconds since the epoch.",
    sites.flatMap((s) => (s.certExpiry !== undefined ? [{ labels: site(s), value: s.certExpiry }] : [])),
  );

  const task = (t: (typeof tasks)[number]): Labels => ({ ...base, task: t.name });
  family('task_up', 'Whether the task is healthy (1: ok or paused) or not (0).', tasks.map((t) => ({ labels: task(t), value: bool(t.ok) })));
  family(
    'task_state',
    "The task's state, one-hot: ok, late, missing, malformed, future, error, failed, overrun, paused.",
    tasks.flatMap((t) => TASK_STATES.map((state) => ({ labels: { ...task(t), state }, value: bool(t.state === state) }))),
  );
  family(
    'task_last_beat_timestamp_seconds',
    "When the task's last heartbeat was recorded, in seconds since the epoch (the monitor's own task: the pulse's time).",
    tasks.flatMap((t) => (t.lastBeat !== undefined ? [{ labels: task(t), value: t.lastBeat.seconds }] : [])),
  );
  family('task_period_seconds', 'The most that may pass between two heartbeats of the task, in seconds.', tasks.map((t) => ({ labels: task(t), value: t.period })));

  return families
    .map((f) => `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} gauge\n${f.samples.map((s) => sample(f.name, s.labels, s.value)).join('')}`)
    .join('');
}

/** What a path that exists is, in a message: `a directory`, `a FIFO`, … */
function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The file `--metrics FILE` writes: FILE itself, or what a symbolic link there names (the link
 * stays). The file is replaced whole by a rename, so whatever is there must be a regular file:
 * a directory, FIFO, socket or device (`/dev/null`) is refused (`why`), not replaced; so is a
 * link that names nothing.
 */
export async function metricsTarget(file: string): Promise<{ target: string } | { why: string }> {
  if (file.trim() === '') return { why: 'no file name' };
  const link = await lstat(file).catch(() => undefined);
  let target = file;
  if (link?.isSymbolicLink()) {
    const real = await realpath(file).catch(() => undefined);
    if (real === undefined) return { why: 'it is a symbolic link to nothing' };
    target = real;
  }
  const st = link === undefined ? undefined : await stat(target).catch(() => undefined);
  if (st !== undefined && !st.isFile()) {
    const kind = fileKind(st);
    return { why: kind === 'not a regular file' ? kind : `it is ${kind}, not a file (the metrics file is replaced whole)` };
  }
  return { target };
}

/**
 * Write metrics for the node exporter's textfile collector: a temporary file in the same
 * directory (a dot name the collector skips), mode 0644, flushed, then renamed over `file` (or
 * what its link names: see metricsTarget), so the collector never reads half a file. Throws
 * PulseError `E_METRICS` naming the file.
 */
export async function writeMetricsFile(file: string, text: string): Promise<void> {
  const where = await metricsTarget(file);
  if ('why' in where) throw new PulseError('E_METRICS', `cannot write the metrics file ${file}: ${where.why}`, { file });
  const { target } = where;
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx', 0o644);
    created = true;
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, 0o644); // whatever the umask: the collector runs as another user
    await rename(temp, target);
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    const code = (e as { code?: unknown }).code;
    const reason =
      code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : e instanceof Error ? e.message : String(e);
    throw new PulseError('E_METRICS', `cannot write the metrics file ${file}: ${reason}`, { file, cause: e });
  }
}

/** Publish metrics as `pulse-metrics.prom` beside pulse.json: public-read like it, short cache. */
export async function publishPulseMetrics(store: Store, text: string): Promise<void> {
  await store.put(PULSE_METRICS_KEY, text, { publicRead: true, cacheControl: 'max-age=60, public', contentType: METRICS_CONTENT_TYPE });
}
