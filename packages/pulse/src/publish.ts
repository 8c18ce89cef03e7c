// Pulse status for people: pulse.json (what the dashboard reads: the combined view of every
// monitor of the bucket), each monitor's own status and an SVG badge, all public-read like the
// dashboard.
import type { Store } from '@svcmon/store';
import { DEFAULT_FRESH_SECONDS, isFresh, type LedgerMonitor } from './ledger.js';
import type { CheckState } from './state.js';
import type { SiteVerdict, TaskVerdict } from './types.js';
import { publicTaskReason } from '@svcmon/store';

export const PULSE_JSON_KEY = 'pulse.json';
export const PULSE_BADGE_KEY = 'pulse-badge.svg';

/**
 * Where one monitor's own status goes: `pulse/<monitor>.status.json` (the name URI-encoded, as
 * its state's). No task's object can have this key: those end in `-beat.json`, `-run.json`,
 * `-failure.json`.
 */
export function monitorStatusKey(monitor: string): string {
  return `pulse/${encodeURIComponent(monitor)}.status.json`;
}

/** One monitor of the bucket in pulse.json's `monitors`, as the ledger knew it when pulse.json was written. */
export interface MonitorView {
  name: string;
  /** Its own status object (`monitorStatusKey`). */
  key: string;
  /** Its last pulse: unix seconds and ISO 8601. */
  seconds: number;
  time: string;
  /** Its own task's period and grace, when it has one. */
  period?: number;
  grace?: number;
  /** Its verdicts count (and it counts as running) while its last pulse is at most this many seconds old. */
  fresh: number;
  /** Its last pulse was older than `fresh` when pulse.json was written (the dashboard judges again by its own clock). */
  stopped: boolean;
  /** Its verdict, and the checks it saw down itself (`site:<url>`, `task:<name>`). */
  ok: boolean;
  down: string[];
}

/** The body of pulse.json. */
export interface PulseStatus {
  version: 1;
  /** The monitor that published it (`--beat` name, or `default`). */
  monitor: string;
  /** Seconds since the epoch, and ISO 8601, of the pulse. */
  seconds: number;
  time: string;
  /** Everything counted healthy. */
  ok: boolean;
  /** How often this monitor runs, in seconds, when known (its task's period): the dashboard warns when the pulse is late. */
  period?: number;
  sites: Array<{
    url: string;
    ok: boolean;
    reason?: string;
    status?: number;
    ms: number;
    /** Failed but under its `failures` threshold. */
    pending?: { count: number; of: number };
    /** Seen down by fewer fresh monitors than its `confirm`. */
    confirming?: { count: number; monitors: number; needed: number };
    /** Last verdicts, oldest first, at most 100: `1` up, `0` failed. */
    history: string;
    lastFailure?: string;
  }>;
  tasks: Array<{ name: string; ok: boolean; state: string; reason?: string; history: string; lastFailure?: string }>;
  /** pulse.json only: every monitor of the bucket, by name. */
  monitors?: MonitorView[];
}

/** pulse.json's `monitors` from the ledger's, at `nowSeconds`. */
export function monitorsView(monitors: Readonly<Record<string, LedgerMonitor>>, nowSeconds: number): MonitorView[] {
  return Object.entries(monitors)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => ({
      name,
      key: monitorStatusKey(name),
      seconds: m.seconds,
      time: new Date(m.seconds * 1000).toISOString(),
      ...(m.period !== undefined ? { period: m.period } : {}),
      ...(m.grace !== undefined ? { grace: m.grace } : {}),
      fresh: m.fresh,
      stopped: !isFresh(m, nowSeconds),
      ok: m.ok,
      down: Object.keys(m.down).sort(),
    }));
}

function iso(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

export function pulseStatus(input: {
  monitor: string;
  now: Date;
  ok: boolean;
  period?: number;
  sites: readonly SiteVerdict[];
  tasks: readonly TaskVerdict[];
  checks: Record<string, CheckState>;
}): PulseStatus {
  const seconds = Math.floor(input.now.getTime() / 1000);
  const status: PulseStatus = {
    version: 1,
    monitor: input.monitor,
    seconds,
    time: new Date(seconds * 1000).toISOString(),
    ok: input.ok,
    sites: input.sites.map((s) => {
      const c = input.checks[`site:${s.url}`];
      const lastFailure = iso(c?.lastFailure);
      return {
        url: s.url,
        ok: s.ok,
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.status !== undefined ? { status: s.status } : {}),
        ms: s.ms,
        ...(s.pending ? { pending: s.pending } : {}),
        ...(s.confirming ? { confirming: s.confirming } : {}),
        history: c?.history ?? (s.ok && !s.pending && !s.confirming ? '1' : '0'),
        ...(lastFailure !== undefined ? { lastFailure } : {}),
      };
    }),
    tasks: input.tasks.map((t) => {
      const c = input.checks[`task:${t.name}`];
      const lastFailure = iso(c?.lastFailure);
      return {
        name: t.name,
        ok: t.ok,
        state: t.state,
        ...(t.reason !== undefined ? { reason: publicTaskReason(t) } : {}),
        history: c?.history ?? (t.ok ? '1' : '0'),
        ...(lastFailure !== undefined ? { lastFailure } : {}),
      };
    }),
  };
  if (input.period !== undefined) status.period = input.period;
  return status;
}

function textWidth(text: string): number {
  // Verdana 11px, roughly: good enough for a badge.
  return Math.round([...text].reduce((w, c) => w + (/[il.:,' ]/.test(c) ? 3.5 : /[mwMW]/.test(c) ? 9.5 : /[A-Z]/.test(c) ? 7.5 : 6.5), 0)) + 10;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A shields-style badge: `pulse | healthy` (green) or `pulse | 2 failing` (red). */
export function renderBadge(status: Pick<PulseStatus, 'ok' | 'sites' | 'tasks' | 'time'>, label = 'pulse'): string {
  const failing = status.sites.filter((s) => !s.ok).length + status.tasks.filter((t) => !t.ok).length;
  const value = status.ok ? 'healthy' : `${failing} failing`;
  const color = status.ok ? '#2e7d32' : '#c62828';
  const lw = textWidth(label);
  const vw = textWidth(value);
  const w = lw + vw;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${esc(`${label}: ${value}`)}">` +
    `<title>${esc(`${label}: ${value} (${status.time})`)}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${color}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14">${esc(label)}</text><text x="${lw + vw / 2}" y="14">${esc(value)}</text></g></svg>\n`
  );
}

/**
 * Write the monitor's own status (`monitorStatusKey`), pulse.json (the same, with `monitors`: the
 * combined view) and the badge (public-read, short cache). Without `monitors`: this one alone.
 */
export async function publishPulseStatus(store: Store, status: PulseStatus, monitors?: MonitorView[]): Promise<void> {
  const common = { publicRead: true, cacheControl: 'max-age=60, public' } as const;
  const json = { ...common, contentType: 'application/json' };
  const { monitors: _mine, ...own } = status;
  const down = Object.fromEntries([
    ...status.sites.filter((x) => !x.ok).map((x) => [`site:${x.url}`, x.reason ?? 'failed']),
    ...status.tasks.filter((x) => !x.ok).map((x) => [`task:${x.name}`, x.state]),
  ]);
  const alone = { [status.monitor]: { seconds: status.seconds, fresh: status.period || DEFAULT_FRESH_SECONDS, ok: status.ok, down } };
  const combined: PulseStatus = { ...own, monitors: monitors ?? monitorsView(alone, status.seconds) };
  await Promise.all([
    store.put(monitorStatusKey(status.monitor), `${JSON.stringify(own)}\n`, json),
    store.put(PULSE_JSON_KEY, `${JSON.stringify(combined)}\n`, json),
    store.put(PULSE_BADGE_KEY, renderBadge(combined), { ...common, contentType: 'image/svg+xml' }),
  ]);
}
