import type { Where } from '@svcmon/store';
import type { EmailConfig } from './email-config.js';
import { assertMonitorName } from './monitor-name.js';
import type { OnPulseEvent } from './events.js';
import { checkPulse, evaluatePulse, failedPulse, notifyPulse, persistPulse, pulseResult, readPulseConfig, type PulseChecks } from './stages.js';
import type { EmailMode, PulseResult } from './types.js';
import type { SiteRequest } from './sites.js';
import type { WebhookConfig } from './webhooks.js';

/** The pulse's own options; how to reach the store is `openStore`'s (pass a `Store` it opened). */
export interface PulseOptions {
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
  /** Also publish the pulse's figures as Prometheus metrics, `pulse-metrics.prom` (public-read), beside pulse.json (default false). */
  publishMetrics?: boolean;
  /**
   * Keep the monitor's state (`svcmon-pulse-state/<selfName or default>.json`): needed by change
   * mode, reminders, `failures` thresholds and the uptime history (default true).
   */
  state?: boolean;
  /** How to send mail (default: the local sendmail). */
  emailConfig?: EmailConfig;
  /** The task that is this monitor: taken as having beaten just now. */
  selfName?: string;
  /**
   * Record `selfName`'s heartbeat after the pulse, as the original's `--beat NAME` (default false):
   * only when the pulse did its job (checks ran, the report and every webhook went out, the state
   * in change mode was written), so that a monitor that cannot report looks dead.
   */
  beat?: boolean;
  /** The clock (default: `() => new Date()`). */
  now?: () => Date;
  /** Store reads in flight: heartbeats and run states (default 32). */
  concurrency?: number;
  /** Site requests in flight (default 1024); sites never wait behind the store. */
  siteConcurrency?: number;
  /** List the store and read only what changed (default true); false reads every heartbeat and run state. */
  listing?: boolean;
  /** How the site checks send their GETs (default `siteRequest`: node:http / node:https). */
  siteRequest?: SiteRequest;
  /**
   * Told what happens as it happens (`PulseEvent`). `eventLines(event)` gives the lines the
   * original prints for it: progress, the report, `Sending email:` and the recipients.
   */
  onEvent?: OnPulseEvent;
  /** The name in the subject line and `result.bucket` (default: `where` as given, or the store's location). */
  bucket?: string;
}

const NO_CHECKS: PulseChecks = { sites: [], tasks: [] };

/**
 * Take a pulse: the stages read config → check → evaluate → notify → persist and publish, in
 * that order (see stages.ts). Never throws for a failed check or an unusable config/store/mail:
 * the result says what happened (`ok`, `error`, `mail.error`, `state.error`, `beat`). A
 * `selfName` that breaks `monitorNameProblem`'s rule throws StoreError E_BAD_KEY before anything.
 */
export async function takePulse(where: Where, options: PulseOptions = {}): Promise<PulseResult> {
  const {
    emailMode = 'always',
    emailConfig = {},
    selfName,
    beat = false,
    now = () => new Date(),
    concurrency,
    siteConcurrency,
    listing,
    siteRequest,
    onEvent,
    bucket,
    remind,
    webhooks,
    webhookTimeoutMs,
    publish = true,
    publishMetrics = false,
    state = true,
  } = options;
  // Before anything runs: a monitor whose state, status or heartbeat no store can hold must not
  // check and mail first and fail at the end (StoreError E_BAD_KEY naming the name).
  if (selfName !== undefined) assertMonitorName(selfName);
  const started = performance.now();
  const startedAt = now();
  const input = await readPulseConfig(where, bucket !== undefined ? { bucket } : {});
  const checks = input.ok ? await checkPulse(input, { now: startedAt, selfName, siteRequest, concurrency, siteConcurrency, listing, onEvent }) : NO_CHECKS;
  const verdict = input.ok
    ? await evaluatePulse(input, checks, { now: startedAt, selfName, emailMode, remind, state, onEvent })
    : failedPulse(input, { now: startedAt, selfName, emailMode, onEvent });
  const notified = await notifyPulse(verdict, { emailConfig, webhooks, webhookTimeoutMs, date: now(), onEvent });
  const persisted = await persistPulse(input.ok ? input : null, checks, verdict, notified, {
    publish,
    publishMetrics,
    elapsedMs: () => Math.round(performance.now() - started),
    beat,
    beatTime: now(),
    onEvent,
  });
  return pulseResult(verdict, notified, persisted, { startedAt, ms: Math.round(performance.now() - started) });
}

