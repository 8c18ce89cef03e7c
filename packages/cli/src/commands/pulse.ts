// svcmon pulse <where>
import { CliError, debugLines } from '../errors.js';
import type { Io } from '../_io.js';
import { toJson } from '../_json.js';
import { storeOptions, type StoreFlags } from '../_options.js';
import type { PulseEvent } from '@svcmon/pulse';
import { startProgress } from '../_progress.js';
import { pulseEventLines } from '../_report.js';

interface Flags extends StoreFlags {
  email?: boolean;
  failEmail?: boolean;
  changeEmail?: boolean;
  remind?: number;
  publish?: boolean;
  metrics?: string;
  publishMetrics?: boolean;
  emailConfig?: string;
  beat?: string;
  json?: boolean;
  concurrency?: number;
}

/** commander's Command, for the global --debug. */
interface Invocation {
  optsWithGlobals(): { debug?: boolean };
}

export async function pulseCommand(io: Io, where: string, flags: Flags, invocation?: Invocation): Promise<number> {
  const debug = invocation?.optsWithGlobals().debug === true;
  /** --debug: the stack and causes of the error behind a message. */
  const explain = (cause: unknown): void => {
    if (debug && cause !== undefined) for (const line of debugLines(cause)) io.err(line);
  };
  if (flags.beat !== undefined) {
    // Judged before anything runs: a monitor whose own heartbeat can never be recorded must not
    // take (and mail) a pulse first.
    const [{ monitorNameProblem }, { abridged }] = await Promise.all([import('@svcmon/pulse'), import('@svcmon/store')]);
    const problem = flags.beat === '' ? 'it needs a task name' : monitorNameProblem(flags.beat);
    if (problem !== undefined) throw new CliError(`--beat ${JSON.stringify(abridged(flags.beat))}: ${problem}`, { code: 'E_USAGE' });
  }
  const { takePulse, readEmailConfig, pulseExitCode, renderMetrics, writeMetricsFile, DEFAULT_MONITOR, limitYoungGeneration } = await import('@svcmon/pulse');
  // This process is the pulse's own: its garbage need not grow V8's young generation.
  limitYoungGeneration();
  if (flags.remind !== undefined && (flags.email === false || flags.failEmail)) {
    throw new CliError('--remind works with --change-email (it repeats change messages while something stays down)', { code: 'E_USAGE' });
  }
  const emailMode =
    flags.email === false ? 'none' : flags.failEmail ? 'failure' : flags.changeEmail || flags.remind !== undefined ? 'change' : 'always';
  const emailConfig = flags.emailConfig !== undefined ? await readEmailConfig(flags.emailConfig) : undefined;
  if (flags.metrics !== undefined) await checkMetricsDir(flags.metrics);

  const progress = startProgress(io, `taking a pulse of ${where}`, io.stderr.isTTY === true && !flags.json);
  const onEvent = (event: PulseEvent): void => {
    if (event.type === 'checks-planned') progress.plan(event.sites.length + event.tasks.length);
    if (event.type === 'site-checked' || (event.type === 'task-checked' && !event.verdict.self)) progress.done();
    const lines = pulseEventLines(event, io.color);
    if (lines.length === 0) return;
    progress.clear();
    for (const line of lines) io.out(line);
  };

  let result;
  try {
    const { openStore } = await import('@svcmon/store');
    result = await takePulse(openStore(where, storeOptions(flags)), {
      bucket: where,
      emailMode,
      ...(flags.remind !== undefined ? { remind: flags.remind } : {}),
      ...(flags.publish === false ? { publish: false } : {}),
      ...(flags.publishMetrics ? { publishMetrics: true } : {}),
      ...(emailConfig !== undefined ? { emailConfig } : {}),
      // After the mail went out, as the original: a monitor that cannot report must look dead.
      ...(flags.beat !== undefined ? { selfName: flags.beat, beat: true } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(flags.json ? {} : { onEvent }),
    });
  } finally {
    progress.stop();
  }

  if (flags.json) io.out(toJson(result));

  // Whatever the pulse did, failed pulses included: alert rules read svcmon_pulse_success.
  if (flags.metrics !== undefined) await writeMetricsFile(flags.metrics, renderMetrics(result, { monitor: flags.beat ?? DEFAULT_MONITOR }));

  const c = io.errColor;
  const code = pulseExitCode(result);
  for (const w of result.warnings ?? []) io.err(`svcmon: warning: ${w.message}`);
  if (result.error !== undefined) {
    io.err(`${c.red('svcmon: error:')} ${result.error}`);
    explain(result.cause);
  } else {
    for (const w of (result.webhooks ?? []).filter((w) => !w.sent)) {
      io.err(`${c.red('svcmon: error:')} webhook ${w.host} (${w.format}) failed: ${w.error ?? 'unknown reason'}`);
    }
    if (result.mail !== undefined && !result.mail.sent) {
      io.err(`${c.red('svcmon: error:')} could not send the report: ${result.mail.error ?? 'unknown reason'}`);
      explain(result.mail.cause);
    } else {
      if (result.state?.error !== undefined) io.err(`${c.red(code === 3 ? 'svcmon: error:' : 'svcmon: warning:')} ${result.state.error}`);
      if (result.published?.error !== undefined) io.err(`svcmon: warning: ${result.published.error}`);
    }
  }
  const beat = result.beat;
  if (beat?.reason !== undefined) io.err(`svcmon: not recording the heartbeat of ${beat.task}: ${beat.reason}`);
  if (beat?.error !== undefined) io.err(`${c.red('svcmon: error:')} ${beat.error}`);
  return code;
}

/** `--metrics FILE` names a file in a directory that exists and may be written: said before the pulse runs. */
async function checkMetricsDir(file: string): Promise<void> {
  const { access, constants } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const hint = "name a file in an existing directory, such as the node exporter's textfile collector directory";
  if (file.trim() === '') throw new CliError('--metrics needs a file name', { code: 'E_USAGE', hint });
  const { metricsTarget } = await import('@svcmon/pulse');
  const where = await metricsTarget(file);
  if ('why' in where) throw new CliError(`--metrics ${file}: ${where.why}`, { code: 'E_USAGE', hint });
  try {
    await access(dirname(where.target), constants.W_OK);
  } catch (e) {
    const why = (e as { code?: unknown }).code === 'ENOENT' ? 'no such directory' : 'the directory cannot be written';
    throw new CliError(`--metrics ${file}: ${why}`, { code: 'E_USAGE', hint });
  }
}
