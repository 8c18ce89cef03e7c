import type { TaskEvaluation } from '@svcmon/store';
import type { Notification } from './alerts.js';
import type { PulseWarning } from './events.js';
import type { MailOutcome } from './mail.js';
import type { PulseErrorCode } from './errors.js';
import type { WebhookResult } from './webhooks.js';

/** One site's verdict. */
export interface SiteVerdict {
  url: string;
  /** Up: the final answer (after at most 5 redirects) was 2xx or 3xx within the timeout. */
  ok: boolean;
  /** Why it is down, for people: `HTTP 500`, `timed out after 30 s`, `connection refused`, … */
  reason?: string;
  /** HTTP status of the final answer, when there was one. */
  status?: number;
  /** The URL that gave the final answer (differs from `url` after redirects). */
  finalUrl?: string;
  /** Redirects followed. */
  redirects: number;
  /** The timeout that applied, in seconds. */
  timeout: number;
  /** Time the check took, in milliseconds. */
  ms: number;
  /** https, with a `cert-days` check: when the certificate the server presented expires (unix seconds). */
  certExpiry?: number;
  /**
   * The check failed but the site's `failures` threshold is not reached yet: `ok` stays true and
   * the report says `FAILED (count of of: reason)`.
   */
  pending?: { count: number; of: number };
  /**
   * Fewer fresh monitors than the site's `confirm` saw it down (`count` of the `monitors` whose
   * verdicts are fresh; `needed` is its `confirm`): `ok` stays true and the report says
   * `FAILED (count of monitors monitors: reason)`.
   */
  confirming?: { count: number; monitors: number; needed: number };
}

export type { TaskState } from '@svcmon/store';

/** One task's verdict: the one evaluation (`evaluateTask` of @svcmon/store) plus the time its check took. */
export interface TaskVerdict extends TaskEvaluation {
  /** Time the check took, in milliseconds. */
  ms: number;
}

export interface PulseResult {
  /** Every site and task is healthy and the pulse could do its job. */
  ok: boolean;
  /** The bucket (or store location) as named in the subject line. */
  bucket: string;
  startedAt: Date;
  /** Wall time of the whole pulse, in milliseconds. */
  ms: number;
  sites: SiteVerdict[];
  tasks: TaskVerdict[];
  /** Addresses the report went (or was to go) to, in config order. */
  recipients: string[];
  /** The report text, exactly as the original prints it (starts with a blank line, ends with "\n"). */
  report: string;
  /**
   * Present when there was someone to mail: sent (every recipient accepted), or the error naming
   * who did not get it; `delivery` says per recipient whether the SMTP server accepted it.
   */
  mail?: MailOutcome;
  /** What the pulse worked around without failing (a store that will not list, …): a `code` and one line each. */
  warnings?: PulseWarning[];
  /** The pulse could not do its job (config unreadable, store down): one line. */
  error?: string;
  /** The error behind `error` (not enumerable: stays out of JSON; `--debug` prints its chain). */
  cause?: unknown;
  errorCode?: PulseErrorCode;
  /** What this pulse told people (mail and webhooks), when it told them anything. */
  notification?: Notification;
  /** One result per configured webhook, when the pulse notified. */
  webhooks?: WebhookResult[];
  /** The monitor's state object (`svcmon-pulse-state/<monitor>.json`): written, or why not. */
  state?: { written: boolean; key: string; error?: string };
  /** The shared ledger (`svcmon-pulse-ledger.json`) after a message this pulse took (change mode): recorded, or why not. */
  ledger?: { written: boolean; key: string; error?: string };
  /** pulse.json and the badge (and pulse-metrics.prom with `publishMetrics`): published, or why not (absent with `publish: false`). */
  published?: { ok: boolean; error?: string };
  /**
   * The monitor's own heartbeat (option `beat`): written, or the `reason` it was not (the pulse
   * could not do its job, the report was not sent, …), or the store's `error` writing it.
   */
  beat?: { task: string; written: boolean; reason?: string; error?: string };
}

/** When to mail (and call webhooks): every pulse, failing pulses, on a change of verdict (plus reminders), never. */
export type EmailMode = 'always' | 'failure' | 'change' | 'none';
