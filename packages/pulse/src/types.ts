import type { FailureRecord } from '@svcmon/store';
import type { Notification } from './alerts.js';
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
  /**
   * The check failed but the site's `failures` threshold is not reached yet: `ok` stays true and
   * the report says `FAILED (count of of: reason)`.
   */
  pending?: { count: number; of: number };
}

/**
 * How a task stands:
 * `ok` beat within its period; `late` last beat is older than its period;
 * `missing` no heartbeat object; `malformed` the heartbeat cannot be read;
 * `future` the heartbeat is more than 5 minutes ahead of the clock;
 * `error` the store failed while reading it;
 * `failed` a failure (`svcmon run`, `fail()`) is newer than the last success;
 * `overrun` a run started longer ago than the task's `max-duration` and has not ended;
 * `paused` the task is paused (`paused-until` in the future, or `paused? #t`): healthy.
 */
export type TaskState = 'ok' | 'late' | 'missing' | 'malformed' | 'future' | 'error' | 'failed' | 'overrun' | 'paused';

/** One task's verdict. */
export interface TaskVerdict {
  name: string;
  ok: boolean;
  state: TaskState;
  /** The period that applied, in seconds. */
  period: number;
  /** The heartbeat as read (for the self task: now). */
  lastBeat?: { seconds: number; date?: string };
  /** now − lastBeat.seconds, in seconds (never negative). */
  ageSeconds?: number;
  /** For `missing`, `malformed`, `future`, `error`: the message printed in the report. */
  reason?: string;
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
  /** Present when there was someone to mail. */
  mail?: { sent: boolean; error?: string };
  /** What the pulse worked around without failing (a store that will not list, …), one line each. */
  warnings?: string[];
  /** The pulse could not do its job (config unreadable, store down): one line. */
  error?: string;
  errorCode?: PulseErrorCode;
  /** What this pulse told people (mail and webhooks), when it told them anything. */
  notification?: Notification;
  /** One result per configured webhook, when the pulse notified. */
  webhooks?: WebhookResult[];
  /** The monitor's state object (`svcmon-pulse-state/<monitor>.json`): written, or why not. */
  state?: { written: boolean; key: string; error?: string };
  /** pulse.json and the badge: published, or why not (absent with `publish: false`). */
  published?: { ok: boolean; error?: string };
  /**
   * The monitor's own heartbeat (option `beat`): written, or the `reason` it was not (the pulse
   * could not do its job, the report was not sent, …), or the store's `error` writing it.
   */
  beat?: { task: string; written: boolean; reason?: string; error?: string };
}

/** When to mail (and call webhooks): every pulse, failing pulses, on a change of verdict (plus reminders), never. */
export type EmailMode = 'always' | 'failure' | 'change' | 'none';
