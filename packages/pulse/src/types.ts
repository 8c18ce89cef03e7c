import type { PulseErrorCode } from './errors.js';

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
}

/**
 * How a task stands:
 * `ok` beat within its period; `late` last beat is older than its period;
 * `missing` no heartbeat object; `malformed` the heartbeat cannot be read;
 * `future` the heartbeat is more than 5 minutes ahead of the clock;
 * `error` the store failed while reading it.
 */
export type TaskState = 'ok' | 'late' | 'missing' | 'malformed' | 'future' | 'error';

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
  /** The pulse could not do its job (config unreadable, store down): one line. */
  error?: string;
  errorCode?: PulseErrorCode;
}

export type EmailMode = 'always' | 'failure' | 'none';
