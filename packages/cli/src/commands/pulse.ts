// svcmon pulse <where>
import { CliError, debugLines } from '../errors.js';
import type { Io } from '../_io.js';
import { toJson } from '../_json.js';
import { storeOptions, type StoreFlags } from '../_options.js';
import { startProgress } from '../_progress.js';
import { colorReportLine, isHeadline } from '../_report.js';

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
  let reportPrinted = false;
  const log = (text: string) => {
    progress.clear();
    for (const line of text.replace(/\n$/, '').split('\n')) {
      if (isHeadline(line)) reportPrinted = true;
      if (/^(Pinging site |Checking task )/.test(line)) progress.step();
      io.out(colorReportLine(line, io.color));
    }
  };

  let result;
  try {
    result = await takePulse(where, {
      ...storeOptions(flags),
      emailMode,
      ...(flags.remind !== undefined ? { remind: flags.remind } : {}),
      ...(flags.publish === false ? { publish: false } : {}),
      ...(emailConfig !== undefined ? { emailConfig } : {}),
      ...(flags.beat !== undefined ? { selfName: flags.beat } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      log: flags.json ? () => {} : log,
    });
  } finally {
    progress.stop();
  }

  if (flags.json) {
    io.out(toJson(result));
  } else if (!reportPrinted && !result.error) {
    for (const line of result.report.replace(/\n$/, '').split('\n')) io.out(colorReportLine(line, io.color));
  }

  const c = io.errColor;
  const code = pulseExitCode(result);
  if (result.error !== undefined) {
    io.err(`${c.red('svcmon: error:')} ${result.error}`);
    explain(result.cause);
    if (flags.beat !== undefined) io.err(`svcmon: not recording the heartbeat of ${flags.beat}: the pulse could not do its job`);
    return code;
  }
  const failedHooks = (result.webhooks ?? []).filter((w) => !w.sent);
  for (const w of failedHooks) io.err(`${c.red('svcmon: error:')} webhook ${w.host} (${w.format}) failed: ${w.error ?? 'unknown reason'}`);
  if (result.mail !== undefined && !result.mail.sent) {
    io.err(`${c.red('svcmon: error:')} could not send the report: ${result.mail.error ?? 'unknown reason'}`);
    explain(result.mail.cause);
    if (flags.beat !== undefined) io.err(`svcmon: not recording the heartbeat of ${flags.beat}: the report was not sent`);
    return code;
  }
  if (result.state?.error !== undefined) io.err(`${c.red(code === 3 ? 'svcmon: error:' : 'svcmon: warning:')} ${result.state.error}`);
  if (result.published?.error !== undefined) io.err(`svcmon: warning: ${result.published.error}`);
  if (code === 3) {
    if (flags.beat !== undefined) io.err(`svcmon: not recording the heartbeat of ${flags.beat}: the pulse could not finish its job (a webhook or its state)`);
    return code;
  }
  if (flags.beat !== undefined) {
    // After the mail went out, as the original: a monitor that cannot report must look dead.
    const { openStore, writeHeartbeat } = await import('@svcmon/store');
    await writeHeartbeat(openStore(where, storeOptions(flags)), flags.beat);
  }
  return code;
}
