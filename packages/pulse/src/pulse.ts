import { stringify } from '@svcmon/rktd';
import { isStoreError, openStore, parseDuration, readConfig, type Store, type StoreOptions, type Where } from '@svcmon/store';
import { DEFAULT_CONCURRENCY, limiter } from './_limit.js';
import type { EmailConfig } from './email-config.js';
import { isPulseError, PulseError, type PulseErrorCode } from './errors.js';
import { sendReport } from './mail.js';
import { decideRecipients } from './recipients.js';
import { renderReport } from './report.js';
import { checkSitesWithin } from './sites.js';
import { checkTasksWithin } from './tasks.js';
import type { EmailMode, PulseResult } from './types.js';
import { decideNotification, evaluate, notificationTitle, renderChanges } from './alerts.js';
import { publishPulseStatus, pulseStatus } from './publish.js';
import { DEFAULT_MONITOR, pulseStateKey, readPulseState, updatePulseState, type PulseState } from './state.js';
import { sendWebhooks, webhookHost, type WebhookConfig, type WebhookPayload } from './webhooks.js';

export interface PulseOptions extends StoreOptions {
  /**
   * `always` (default), `failure` (only when a check failed), `change` (when some check's verdict
   * differs from what people were last told, plus reminders), `none`. Applies to mail and webhooks.
   */
  emailMode?: EmailMode;
  /** Change mode: repeat the message while anything stays down, this often (seconds, or `6h`, `30m`, `1d`). */
  remind?: number | string;
  /** Webhooks to call as mail is sent (default: `emailConfig.webhooks`). */
  webhooks?: readonly WebhookConfig[];
  /** Per webhook try, in milliseconds (default 10 000; one retry). */
  webhookTimeoutMs?: number;
  /** Publish pulse.json and pulse-badge.svg (public-read) to the store (default true). */
  publish?: boolean;
  /**
   * Keep the monitor's state (`svcmon-pulse-state/<selfName or default>.json`): needed by change
   * mode, reminders, `failures` thresholds and the uptime history (default true).
   */
  state?: boolean;
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
    remind,
    webhooks: webhooksOption,
    webhookTimeoutMs,
    publish = true,
    state: keepState = true,
    ...storeOptions
  } = options;
  const remindSeconds = remind === undefined ? undefined : typeof remind === 'number' ? remind : parseDuration(remind);
  const hooks: readonly WebhookConfig[] = webhooksOption ?? emailConfig.webhooks ?? [];
  const started = performance.now();
  const startedAt = now();
  let store: Store;
  const bucket = bucketName ?? (typeof where === 'string' ? where : where.location);
  /**
   * The pulse could not check anything. The original crashes here and tells
   * nobody; the recipients live in the unreadable config, but the webhooks
   * are local, so they hear of it (in every mode but `none`).
   */
  const cannotRun = async (code: PulseErrorCode, error: string): Promise<PulseResult> => {
    const result = failed({ bucket, startedAt }, code, error, started, log);
    if (emailMode === 'none' || hooks.length === 0) return result;
    if (log) {
      log('');
      log('Calling webhooks:');
      for (const hook of hooks) log(`  ${webhookHost(hook.url)} (${hook.format})`);
    }
    result.webhooks = await sendWebhooks(
      hooks,
      {
        version: 1,
        bucket,
        monitor: selfName ?? DEFAULT_MONITOR,
        ok: false,
        time: startedAt.toISOString(),
        event: 'report',
        title: `[take-pulse] PULSE FAILED at ${bucket}`,
        wentDown: [],
        recovered: [],
        checks: [],
        text: result.report,
      },
      webhookTimeoutMs !== undefined ? { timeoutMs: webhookTimeoutMs } : {},
    );
    result.ms = Math.round(performance.now() - started);
    return result;
  };
  try {
    store = typeof where === 'string' ? openStore(where, storeOptions) : where;
  } catch (e) {
    const code = isStoreError(e) && e.code === 'E_BAD_WHERE' ? 'E_CONFIG_UNREADABLE' : 'E_STORE';
    return cannotRun(code, e instanceof Error ? e.message : String(e));
  }

  let config;
  try {
    const read = await readConfig(store);
    if (read === null) return cannotRun('E_CONFIG_UNREADABLE', `no config.rktd in ${store.location}`);
    config = read.config;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isStoreError(e) && e.code === 'E_BAD_CONFIG') return cannotRun('E_CONFIG_UNREADABLE', message);
    return cannotRun('E_STORE', message.replace(/\s*\n\s*/g, ' '));
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
    checkSitesWithin(limit, sites, { config, now: clock, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
    checkTasksWithin(limit, store, tasks, { config, now: clock, ...(selfName !== undefined ? { selfName } : {}) }),
  ]);

  // The store answered for config.rktd but for no heartbeat: the pulse could not do its job.
  const read = taskVerdicts.filter((t) => !t.self);
  const storeFailure = read.length > 0 && read.every((t) => t.state === 'error') ? read[0]?.reason : undefined;
  const nowSeconds = Math.floor(clock.getTime() / 1000);
  const stateKey = pulseStateKey(selfName);
  const useState = keepState && storeFailure === undefined;
  let previous: PulseState | null = null;
  let initialState: { state: PulseState | null; etag?: string } | undefined;
  let stateError: string | undefined;
  if (useState) {
    try {
      initialState = await readPulseState(store, selfName);
      previous = initialState.state;
    } catch (e) {
      stateError = `cannot read the pulse state ${stateKey}: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`;
    }
  }
  const evaluation = evaluate(previous, siteVerdicts, sites, taskVerdicts, nowSeconds);
  const ok = evaluation.ok;
  const notification = decideNotification(emailMode, previous, evaluation, nowSeconds, remindSeconds);
  const recipients =
    emailMode === 'change' ? (notification ? decideRecipients(config, 'change', ok) : []) : decideRecipients(config, emailMode, ok);
  const report = renderReport({ ok, sites: evaluation.sites, tasks: taskVerdicts });
  logLines(log, report);

  const result: PulseResult = {
    ok,
    bucket,
    startedAt,
    ms: 0,
    sites: evaluation.sites,
    tasks: taskVerdicts,
    recipients,
    report,
  };
  if (storeFailure !== undefined) {
    result.error = `no heartbeat could be read (${read.length} tried): ${storeFailure}`;
    result.errorCode = 'E_STORE';
  }
  if (notification) result.notification = notification;
  const changes = notification ? renderChanges(notification, evaluation.checks) : '';
  const message = changes + report;
  const title = notification ? notificationTitle(bucket, ok, notification) : '';
  if (emailMode === 'change' && !notification && log) {
    log('');
    log(evaluation.down.length ? 'No change since the last message: not notifying' : 'All healthy, as last reported: not notifying');
  } else if (changes && log) {
    log('');
    logLines(log, changes);
  }
  const mailJob = async (): Promise<void> => {
    if (recipients.length === 0) return;
    if (log) {
      log('');
      log('Sending email:');
      for (const to of recipients) log(`  ${to}`);
    }
    try {
      await sendReport({
        emailConfig,
        recipients,
        bucket,
        ok,
        report: message,
        ...(notification && notification.kind !== 'report' ? { subject: title } : {}),
        date: now(),
      });
      result.mail = { sent: true };
    } catch (e) {
      const error = isPulseError(e) ? e.message : new PulseError('E_MAIL', String(e)).message;
      result.mail = { sent: false, error };
      result.errorCode ??= 'E_MAIL';
    }
  };
  const hookJob = async (): Promise<void> => {
    if (!notification || hooks.length === 0) return;
    if (log) {
      log('');
      log('Calling webhooks:');
      for (const hook of hooks) log(`  ${webhookHost(hook.url)} (${hook.format})`);
    }
    const payload: WebhookPayload = {
      version: 1,
      bucket,
      monitor: selfName ?? DEFAULT_MONITOR,
      ok,
      time: clock.toISOString(),
      event: notification.kind,
      title,
      wentDown: notification.wentDown.map((c) => c.id),
      recovered: notification.recovered.map((c) => c.id),
      checks: [
        ...evaluation.sites.map((s) => ({
          kind: 'site' as const,
          name: s.url,
          ok: s.ok,
          ...(s.reason !== undefined && (!s.ok || s.pending) ? { reason: s.reason } : {}),
          ...(s.status !== undefined ? { status: s.status } : {}),
          ms: s.ms,
        })),
        ...taskVerdicts.map((t) => ({ kind: 'task' as const, name: t.name, ok: t.ok, ...(t.reason !== undefined ? { reason: t.reason } : t.ok ? {} : { reason: t.state }) })),
      ],
      text: message,
    };
    result.webhooks = await sendWebhooks(hooks, payload, webhookTimeoutMs !== undefined ? { timeoutMs: webhookTimeoutMs } : {});
  };
  await Promise.all([mailJob(), hookJob()]);
  const told = notification !== null && result.mail?.sent !== false && (result.webhooks ?? []).every((w) => w.sent);

  let checks = evaluation.checks;
  if (useState && stateError === undefined) {
    try {
      checks = await updatePulseState(store, selfName, (latest) => {
        // Another pulse of this monitor wrote since we read: count from what it left.
        const again = latest === previous ? evaluation : evaluate(latest, siteVerdicts, sites, taskVerdicts, nowSeconds);
        const next: PulseState = {
          version: 1,
          monitor: selfName ?? DEFAULT_MONITOR,
          seconds: nowSeconds,
          ok: again.ok,
          checks: again.checks,
          alerted: told ? evaluation.down : (latest?.alerted ?? []),
        };
        const notifiedAt = told ? nowSeconds : latest?.notifiedAt;
        if (notifiedAt !== undefined) next.notifiedAt = notifiedAt;
        return { state: next, value: again.checks };
      }, 4, initialState);
      result.state = { written: true, key: stateKey };
    } catch (e) {
      stateError = e instanceof Error ? e.message : String(e);
    }
  }
  if (stateError !== undefined) {
    result.state = { written: false, key: stateKey, error: stateError };
    // Change mode cannot work without its memory: the pulse did not do its job.
    if (emailMode === 'change') result.errorCode ??= 'E_STORE';
  }
  if (publish && storeFailure === undefined) {
    const selfTask = selfName !== undefined ? tasks.find((t) => t.name === selfName) : undefined;
    const status = pulseStatus({
      monitor: selfName ?? DEFAULT_MONITOR,
      now: clock,
      ok,
      ...(selfTask ? { period: taskVerdicts.find((t) => t.self)?.period ?? 0 } : {}),
      sites: evaluation.sites,
      tasks: taskVerdicts,
      checks,
    });
    try {
      await publishPulseStatus(store, status);
      result.published = { ok: true };
    } catch (e) {
      const error = `cannot publish pulse.json: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`;
      result.published = { ok: false, error };
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

/**
 * The exit status the CLI uses: 0 healthy, 1 a check failed, 2 config error
 * (config.rktd missing or malformed), 3 the pulse could not finish its job (store, mail, a webhook,
 * the state in change mode).
 */
export function pulseExitCode(result: PulseResult): 0 | 1 | 2 | 3 {
  if (result.errorCode === 'E_CONFIG_UNREADABLE' || result.errorCode === 'E_EMAIL_CONFIG') return 2;
  if (result.error !== undefined || result.errorCode === 'E_STORE') return 3;
  if (result.mail && !result.mail.sent) return 3;
  if (result.webhooks?.some((w) => !w.sent)) return 3;
  return result.ok ? 0 : 1;
}
