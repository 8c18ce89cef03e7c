import { stringify } from '@svcmon/rktd';
import { isStoreError, openStore, readConfig, type Store, type StoreOptions, type Where } from '@svcmon/store';
import { DEFAULT_CONCURRENCY, limiter } from './_limit.js';
import type { EmailConfig } from './email-config.js';
import { isPulseError, PulseError, type PulseErrorCode } from './errors.js';
import { sendReport } from './mail.js';
import { decideRecipients } from './recipients.js';
import { renderReport } from './report.js';
import { checkSitesWithin } from './sites.js';
import { checkTasksWithin } from './tasks.js';
import type { EmailMode, PulseResult } from './types.js';

export interface PulseOptions extends StoreOptions {
  /** `always` (default), `failure` (only when a check failed), `none`. */
  emailMode?: EmailMode;
  /** How to send mail (default: the local sendmail). */
  emailConfig?: EmailConfig;
  /** The task that is this monitor (`--beat NAME`): taken as having beaten just now. */
  selfName?: string;
  /** The clock (default: `() => new Date()`). */
  now?: () => Date;
  /** Sites and heartbeats checked at once, together (default 32). */
  concurrency?: number;
  /** A fetch for the site checks instead of the global one. */
  fetch?: typeof fetch;
  /**
   * Progress and report lines, each without its newline, as the original prints them:
   * `Pinging site …`, `Checking task "…"`, then the report, then `Sending email:` and the recipients.
   */
  log?: (line: string) => void;
  /** The name in the subject line and `result.bucket` (default: `where` as given, or the store's location). */
  bucket?: string;
}

function logLines(log: ((line: string) => void) | undefined, text: string): void {
  if (!log) return;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) log(line);
}

function failed(
  base: Pick<PulseResult, 'bucket' | 'startedAt'>,
  code: PulseErrorCode,
  error: string,
  started: number,
  log: PulseOptions['log'],
): PulseResult {
  const report = renderReport({ ok: false, sites: [], tasks: [], error });
  logLines(log, report);
  return {
    ok: false,
    ...base,
    ms: Math.round(performance.now() - started),
    sites: [],
    tasks: [],
    recipients: [],
    report,
    error,
    errorCode: code,
  };
}

/**
 * Take a pulse: read config.rktd, check every site and every task's heartbeat (concurrently,
 * bounded), render the report, mail it as `emailMode` says. Never throws for a failed check or
 * an unusable config/store/mail: the result says what happened (`ok`, `error`, `mail.error`).
 */
export async function takePulse(where: Where, options: PulseOptions = {}): Promise<PulseResult> {
  const {
    emailMode = 'always',
    emailConfig = {},
    selfName,
    now = () => new Date(),
    concurrency = DEFAULT_CONCURRENCY,
    fetch: fetchImpl,
    log,
    bucket: bucketName,
    ...storeOptions
  } = options;
  const started = performance.now();
  const startedAt = now();
  let store: Store;
  const bucket = bucketName ?? (typeof where === 'string' ? where : where.location);
  try {
    store = typeof where === 'string' ? openStore(where, storeOptions) : where;
  } catch (e) {
    const code = isStoreError(e) && e.code === 'E_BAD_WHERE' ? 'E_CONFIG_UNREADABLE' : 'E_STORE';
    return failed({ bucket, startedAt }, code, e instanceof Error ? e.message : String(e), started, log);
  }

  let config;
  try {
    const read = await readConfig(store);
    if (read === null) {
      return failed({ bucket, startedAt }, 'E_CONFIG_UNREADABLE', `no config.rktd in ${store.location}`, started, log);
    }
    config = read.config;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isStoreError(e) && e.code === 'E_BAD_CONFIG') {
      return failed({ bucket, startedAt }, 'E_CONFIG_UNREADABLE', message, started, log);
    }
    return failed({ bucket, startedAt }, 'E_STORE', message.replace(/\s*\n\s*/g, ' '), started, log);
  }

  const sites = config.sites ?? [];
  const tasks = config.tasks ?? [];
  if (log) {
    for (const site of sites) log(`Pinging site ${site.url}`);
    for (const task of tasks) if (task.name !== selfName) log(`Checking task ${stringify(task.name)}`);
  }

  // One bound for both kinds of check: a pulse costs about one site timeout.
  const limit = limiter(concurrency);
  const clock = startedAt;
  const [siteVerdicts, taskVerdicts] = await Promise.all([
    checkSitesWithin(limit, sites, { config, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
    checkTasksWithin(limit, store, tasks, { config, now: clock, ...(selfName !== undefined ? { selfName } : {}) }),
  ]);

  const ok = siteVerdicts.every((s) => s.ok) && taskVerdicts.every((t) => t.ok);
  // The store answered for config.rktd but for no heartbeat: the pulse could not do its job.
  const read = taskVerdicts.filter((t) => !t.self);
  const storeFailure = read.length > 0 && read.every((t) => t.state === 'error') ? read[0]?.reason : undefined;
  const recipients = decideRecipients(config, emailMode, ok);
  const report = renderReport({ ok, sites: siteVerdicts, tasks: taskVerdicts });
  logLines(log, report);

  const result: PulseResult = {
    ok,
    bucket,
    startedAt,
    ms: 0,
    sites: siteVerdicts,
    tasks: taskVerdicts,
    recipients,
    report,
  };
  if (storeFailure !== undefined) {
    result.error = `no heartbeat could be read (${read.length} tried): ${storeFailure}`;
    result.errorCode = 'E_STORE';
  }
  if (recipients.length > 0) {
    if (log) {
      log('');
      log('Sending email:');
      for (const to of recipients) log(`  ${to}`);
    }
    try {
      await sendReport({ emailConfig, recipients, bucket, ok, report, date: now() });
      result.mail = { sent: true };
    } catch (e) {
      const error = isPulseError(e) ? e.message : new PulseError('E_MAIL', String(e)).message;
      result.mail = { sent: false, error };
      result.errorCode ??= 'E_MAIL';
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

/**
 * The exit status the CLI uses: 0 healthy, 1 a check failed, 2 config error
 * (config.rktd missing or malformed), 3 the pulse could not finish its job (store, mail).
 */
export function pulseExitCode(result: PulseResult): 0 | 1 | 2 | 3 {
  if (result.errorCode === 'E_CONFIG_UNREADABLE' || result.errorCode === 'E_EMAIL_CONFIG') return 2;
  if (result.error !== undefined || result.errorCode === 'E_STORE') return 3;
  if (result.mail && !result.mail.sent) return 3;
  return result.ok ? 0 : 1;
}
