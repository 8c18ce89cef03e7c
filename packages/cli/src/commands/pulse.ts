// svcmon pulse <where>
import { CliError } from '../errors.js';
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
  emailConfig?: string;
  beat?: string;
  json?: boolean;
  concurrency?: number;
}

export async function pulseCommand(io: Io, where: string, flags: Flags): Promise<number> {
  if (flags.beat !== undefined && flags.beat === '') {
    throw new CliError('--beat needs a task name', { code: 'E_USAGE' });
  }
  const { takePulse, readEmailConfig, pulseExitCode } = await import('@svcmon/pulse');
  if (flags.remind !== undefined && (flags.email === false || flags.failEmail)) {
    throw new CliError('--remind works with --change-email (it repeats change messages while something stays down)', { code: 'E_USAGE' });
  }
  const emailMode =
    flags.email === false ? 'none' : flags.failEmail ? 'failure' : flags.changeEmail || flags.remind !== undefined ? 'change' : 'always';
  const emailConfig = flags.emailConfig !== undefined ? await readEmailConfig(flags.emailConfig) : undefined;

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

  const c = io.errColor;
  const code = pulseExitCode(result);
  for (const w of result.warnings ?? []) io.err(`svcmon: warning: ${w}`);
  if (result.error !== undefined) {
    io.err(`${c.red('svcmon: error:')} ${result.error}`);
  } else {
    for (const w of (result.webhooks ?? []).filter((w) => !w.sent)) {
      io.err(`${c.red('svcmon: error:')} webhook ${w.host} (${w.format}) failed: ${w.error ?? 'unknown reason'}`);
    }
    if (result.mail !== undefined && !result.mail.sent) {
      io.err(`${c.red('svcmon: error:')} could not send the report: ${result.mail.error ?? 'unknown reason'}`);
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
