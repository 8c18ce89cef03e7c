// What a pulse tells its caller while it runs: typed events, each with its data. A renderer
// (the CLI's terminal output, a log shipper) works from these, never from the report's text.
import { stringify } from '@svcmon/rktd';
import { shownText } from '@svcmon/store';
import type { Notification } from './alerts.js';
import type { ReportLine } from './report.js';
import type { SiteVerdict, TaskVerdict } from './types.js';
import type { WebhookFormat, WebhookResult } from './webhooks.js';

export type PulseEvent =
  /** The config was read: what will be checked, in config order (`tasks` without the self task). */
  | { type: 'checks-planned'; sites: string[]; tasks: string[] }
  /** A site's request went out. */
  | { type: 'site-started'; url: string }
  | { type: 'site-checked'; verdict: SiteVerdict }
  /** A task's heartbeat (and run state) was read and judged. */
  | { type: 'task-checked'; verdict: TaskVerdict }
  /**
   * Something the pulse worked around, once per pulse: `listing-refused` (the store will not list:
   * every heartbeat and run state is read instead), `listing-failed` (likewise, for another
   * reason), `reads-not-used` (what the last pulse remembered cannot be read: every listed object
   * is read), `reads-not-saved` (what was read could not be remembered: the next pulse reads more),
   * `ledger-damaged` (part of the shared ledger could not be used: it is rewritten without it),
   * `clock-ahead` (the ledger holds times in this monitor's future: one of the clocks is wrong).
   */
  | { type: 'warning'; code: PulseWarningCode; message: string }
  /** The report: its lines as data, and the text (also in the result). */
  | { type: 'report'; ok: boolean; lines: ReportLine[]; text: string }
  /**
   * Whether anyone is told. `notification` null: nobody (`quiet` says why in change mode:
   * `unchanged` something is down as last reported, `healthy` all healthy as last reported,
   * `taken` another monitor, `takenBy`, is delivering the message right now).
   * `changes`: the lines put before the report in a change or reminder message.
   */
  | { type: 'notification'; notification: Notification | null; changes: string; quiet?: 'unchanged' | 'healthy' | 'taken'; takenBy?: string }
  | { type: 'mail-sending'; recipients: string[] }
  | { type: 'mail-result'; sent: boolean; error?: string }
  /** Webhooks are called (by host: their URLs hold tokens). */
  | { type: 'webhooks-calling'; hooks: Array<{ host: string; format: WebhookFormat }> }
  | { type: 'webhook-result'; result: WebhookResult }
  | { type: 'state-result'; written: boolean; key: string; error?: string }
  | { type: 'published'; ok: boolean; error?: string }
  /** The monitor's own heartbeat (`beat: true`): recorded, or `reason` it was not, or the store's `error`. */
  | { type: 'beat-result'; task: string; written: boolean; reason?: string; error?: string }
  /** `pulse-metrics.prom` (`publishMetrics`), after the heartbeat: published, or the store's `error`. */
  | { type: 'metrics-published'; ok: boolean; error?: string };

export type PulseWarningCode = 'listing-refused' | 'listing-failed' | 'reads-not-used' | 'reads-not-saved' | 'ledger-damaged' | 'clock-ahead';

/** Something the pulse worked around, as `result.warnings` holds it (the `warning` event's data). */
export interface PulseWarning {
  code: PulseWarningCode;
  message: string;
}

export type PulseEventType = PulseEvent['type'];

/** A listener for a pulse's events. */
export type OnPulseEvent = (event: PulseEvent) => void;

function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The lines the original prints for an event (each without its newline; none for most):
 * `Pinging site …` and `Checking task "…"` before the report, the report, then the change
 * summary, `Sending email:` and the recipients, `Calling webhooks:` and their hosts.
 */
export function eventLines(event: PulseEvent): string[] {
  switch (event.type) {
    case 'checks-planned':
      return [...event.sites.map((url) => `Pinging site ${shownText(url)}`), ...event.tasks.map((name) => `Checking task ${stringify(name)}`)];
    case 'report':
      return event.lines.map((l) => l.text);
    case 'notification':
      if (event.quiet === 'unchanged') return ['', 'No change since the last message: not notifying'];
      if (event.quiet === 'healthy') return ['', 'All healthy, as last reported: not notifying'];
      if (event.quiet === 'taken') return ['', `Monitor ${stringify(event.takenBy ?? '?')} is delivering this change: not notifying`];
      return event.changes ? ['', ...textLines(event.changes)] : [];
    case 'mail-sending':
      return ['', 'Sending email:', ...event.recipients.map((to) => `  ${shownText(to)}`)];
    case 'webhooks-calling':
      return ['', 'Calling webhooks:', ...event.hooks.map((h) => `  ${h.host} (${h.format})`)];
    default:
      return [];
  }
}
