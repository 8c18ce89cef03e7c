// Thresholds, change detection and reminders: pure functions from the raw
// verdicts and the previous pulse's state to the verdicts people see, the
// next state, and whether to tell anyone.
import { MAX_UNIX_SECONDS, racketDate, siteSettings } from '@svcmon/store';
import { HISTORY_LENGTH, type CheckState, type PulseState } from './state.js';
import type { SiteVerdict, TaskVerdict } from './types.js';

/** When to notify: every pulse, failing pulses, on a change of verdict (plus reminders), never. */
export type NotifyMode = 'always' | 'failure' | 'change' | 'none';

/** `site:<url>` or `task:<name>`. */
export function checkId(kind: 'site' | 'task', name: string): string {
  return `${kind}:${name}`;
}

/** One check that went down or recovered. */
export interface CheckChange {
  id: string;
  kind: 'site' | 'task';
  name: string;
  /** Why it is down (went down), absent for a recovery. */
  reason?: string;
}

export interface Notification {
  /** `report`: always/failure mode; `change`: something went down or recovered; `reminder`: still down. */
  kind: 'report' | 'change' | 'reminder';
  wentDown: CheckChange[];
  recovered: CheckChange[];
  /** For a reminder: the checks still down. */
  stillDown: CheckChange[];
}

/** A site's `failures` threshold and `confirm` count, from the schema (an entry the schema refuses is already failed). */
function rulesOf(site: { [key: string]: unknown }): { failures: number; confirm: number } {
  const s = siteSettings(site).settings;
  return { failures: s?.failures ?? 1, confirm: s?.confirm ?? 1 };
}

/** What people were last told: the checks counted down then (sorted ids), and when (for reminders). */
export interface Told {
  alerted: string[];
  notifiedAt?: number;
}

/** The other monitors of the bucket whose last verdicts are fresh (from the ledger). */
export interface Peers {
  /** This monitor's name: what it saw itself is said under it, as the others' is under theirs. */
  self: string;
  /** Their names. */
  monitors: string[];
  /** Check id → those of them that saw it down (their own `failures` thresholds applied), and why. */
  down: Record<string, Array<{ monitor: string; reason: string }>>;
}

export interface Evaluation {
  /**
   * Site verdicts with thresholds and confirmation applied (`ok` true and `pending` set while
   * under the `failures` threshold, `confirming` while fewer monitors than `confirm` saw it down).
   */
  sites: SiteVerdict[];
  tasks: TaskVerdict[];
  ok: boolean;
  /** Check ids counted as down, sorted. */
  down: string[];
  /** The checks this monitor saw down itself (its thresholds applied, before confirmation) → why: its word in the ledger. */
  own: Record<string, string>;
  checks: Record<string, CheckState>;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_UNIX_SECONDS;

/**
 * A check's previous state when every value in it can be used; else none (the check starts
 * afresh): the state object is free JSON in the store, and one bad value must not stop the pulse.
 */
function usable(prev: CheckState | undefined): CheckState | undefined {
  if (prev === undefined || typeof prev !== 'object' || prev === null) return undefined;
  const ok =
    typeof prev.down === 'boolean' &&
    Number.isSafeInteger(prev.failures) &&
    prev.failures >= 0 &&
    isTime(prev.since) &&
    typeof prev.history === 'string' &&
    /^[01]*$/.test(prev.history) &&
    (prev.lastFailure === undefined || isTime(prev.lastFailure)) &&
    (prev.reason === undefined || typeof prev.reason === 'string');
  return ok ? prev : undefined;
}

function nextCheck(prev: CheckState | undefined, rawOk: boolean, down: boolean, now: number, reason: string | undefined): CheckState {
  const failures = rawOk ? 0 : (prev?.failures ?? 0) + 1;
  const history = ((prev?.history ?? '') + (rawOk ? '1' : '0')).slice(-HISTORY_LENGTH);
  // Never later than now: a pulse that started earlier may write after one that started later
  // (overlapping pulses of one monitor), and a clock that ran ahead may have written the state;
  // a reminder must not say "down since" a time still to come.
  const since = prev !== undefined && prev.down === down ? Math.min(prev.since, now) : now;
  const c: CheckState = { down, failures, since, history };
  if (!rawOk && reason !== undefined) c.reason = reason;
  const lastFailure = rawOk ? (prev?.lastFailure === undefined ? undefined : Math.min(prev.lastFailure, now)) : now;
  if (lastFailure !== undefined) c.lastFailure = lastFailure;
  return c;
}

/** Why a site is down when only other monitors saw it fail: the first one's word. */
function seenElsewhere(others: ReadonlyArray<{ monitor: string; reason: string }>): string {
  const [first] = others;
  const more = others.length > 1 ? `, and ${others.length - 1} more monitor${others.length > 2 ? 's' : ''}` : '';
  return first ? `${first.monitor}: ${first.reason}${more}` : 'failed';
}

/**
 * Apply the sites' `failures` thresholds against the previous state, then their `confirm`
 * counts against what the other fresh monitors saw (`peers`; none: this monitor alone), and
 * compute each check's next state. `siteEntries[i]` is the config entry of `sites[i]`.
 *
 * A site is down when at least `confirm` fresh monitors (this one included) saw it down by their
 * own thresholds; with fewer, it is `confirming` (and healthy). Tasks are judged from the bucket's
 * own objects, the same for every monitor: each monitor's own verdict.
 */
export function evaluate(
  previous: PulseState | null,
  sites: readonly SiteVerdict[],
  siteEntries: ReadonlyArray<{ [key: string]: unknown }>,
  tasks: readonly TaskVerdict[],
  nowSeconds: number,
  peers?: Peers,
): Evaluation {
  const checks: Record<string, CheckState> = {};
  const down: string[] = [];
  const own: Record<string, string> = {};
  const monitors = 1 + (peers?.monitors.length ?? 0);
  const outSites = sites.map((raw, i): SiteVerdict => {
    const id = checkId('site', raw.url);
    const prev = usable(Object.hasOwn(previous?.checks ?? {}, id) ? previous!.checks[id] : undefined);
    const { failures: threshold, confirm } = rulesOf(siteEntries[i] ?? {});
    const count = raw.ok ? 0 : (prev?.failures ?? 0) + 1;
    const ownDown = !raw.ok && count >= threshold;
    if (ownDown) own[id] = raw.reason ?? 'failed';
    const others = Object.hasOwn(peers?.down ?? {}, id) ? peers!.down[id]! : [];
    const seen = (ownDown ? 1 : 0) + others.length;
    const isDown = seen >= confirm;
    checks[id] = nextCheck(prev, raw.ok, isDown, nowSeconds, raw.reason ?? (isDown ? seenElsewhere(others) : undefined));
    if (isDown) {
      down.push(id);
      return ownDown ? raw : { ...raw, ok: false, reason: seenElsewhere(others) };
    }
    if (!raw.ok && !ownDown) return { ...raw, ok: true, pending: { count, of: threshold } };
    if (seen > 0) {
      const reason = ownDown ? (peers && raw.reason !== undefined ? `${peers.self}: ${raw.reason}` : raw.reason) : seenElsewhere(others);
      return { ...raw, ok: true, ...(reason !== undefined ? { reason } : {}), confirming: { count: seen, monitors, needed: confirm } };
    }
    return raw;
  });
  for (const task of tasks) {
    const id = checkId('task', task.name);
    const prev = usable(Object.hasOwn(previous?.checks ?? {}, id) ? previous!.checks[id] : undefined);
    const reason = task.ok ? undefined : (task.reason ?? task.state);
    checks[id] = nextCheck(prev, task.ok, !task.ok, nowSeconds, reason);
    if (!task.ok) {
      down.push(id);
      own[id] = (reason ?? task.state).split('\n')[0] ?? task.state;
    }
  }
  down.sort();
  return { sites: outSites, tasks: [...tasks], ok: down.length === 0, down, own, checks };
}

function change(id: string, reason?: string): CheckChange {
  const colon = id.indexOf(':');
  const c: CheckChange = { id, kind: id.slice(0, colon) as 'site' | 'task', name: id.slice(colon + 1) };
  if (reason !== undefined) c.reason = reason;
  return c;
}

/**
 * Whether this pulse notifies, and what changed. In change mode: when the set of checks counted
 * down differs from the set people were last told about (`told.alerted`, the ledger's; none
 * without, so anything down is news), or, with `remindSeconds`, when something is still down and
 * the last notification is at least that old. The one decision: whoever delivers, every monitor
 * decides with this from the same ledger.
 */
export function decideNotification(
  mode: NotifyMode,
  told: Told | null,
  evaluation: Evaluation,
  nowSeconds: number,
  remindSeconds?: number,
): Notification | null {
  if (mode === 'none') return null;
  const current = new Set(evaluation.down);
  const known = new Set(Object.keys(evaluation.checks));
  // Checks no longer configured are neither down nor recovered.
  const before = new Set((told?.alerted ?? []).filter((id) => known.has(id)));
  const reasons = evaluation.checks;
  const wentDown = [...current].filter((id) => !before.has(id)).map((id) => change(id, reasons[id]?.reason));
  const recovered = [...before].filter((id) => !current.has(id)).map((id) => change(id));
  const stillDown = [...current].filter((id) => before.has(id)).map((id) => change(id, reasons[id]?.reason));
  if (mode === 'always') return { kind: 'report', wentDown, recovered, stillDown };
  if (mode === 'failure') return evaluation.ok ? null : { kind: 'report', wentDown, recovered, stillDown };
  if (wentDown.length > 0 || recovered.length > 0) return { kind: 'change', wentDown, recovered, stillDown };
  if (remindSeconds !== undefined && current.size > 0) {
    const last = told?.notifiedAt;
    if (last === undefined || nowSeconds - last >= remindSeconds) return { kind: 'reminder', wentDown, recovered, stillDown };
  }
  return null;
}

function label(c: CheckChange): string {
  return c.kind === 'site' ? c.name : `task ${JSON.stringify(c.name)}`;
}

/**
 * The lines put before the report in a change or reminder message (empty for `report`):
 * `Went down:` / `Recovered:` / `Still down:` sections, each check on its own indented line.
 */
export function renderChanges(n: Notification, states?: Record<string, CheckState>): string {
  if (n.kind === 'report') return '';
  let out = '';
  const section = (title: string, list: CheckChange[], withReason: boolean): void => {
    if (list.length === 0) return;
    out += `${title}\n`;
    for (const c of list) {
      const since = states?.[c.id]?.since;
      const tail = withReason && c.reason !== undefined ? ` (${c.reason.split('\n')[0]})` : '';
      const when = n.kind === 'reminder' && since !== undefined ? `, down since ${racketDate(since)}` : '';
      out += `  ${label(c)}${tail}${when}\n`;
    }
  };
  section('Went down:', n.wentDown, true);
  section('Recovered:', n.recovered, false);
  section(n.kind === 'reminder' ? 'Still down (reminder):' : 'Still down:', n.stillDown, true);
  return out;
}

/** One line for a subject or a push title. */
export function notificationTitle(bucket: string, ok: boolean, n: Notification): string {
  if (n.kind === 'report') return `[take-pulse] ${ok ? 'successful' : 'FAILED'} health check at ${bucket}`;
  if (n.kind === 'reminder') return `[take-pulse] still FAILED at ${bucket}: ${n.stillDown.map(label).join(', ')}`;
  const parts: string[] = [];
  if (n.wentDown.length) parts.push(`DOWN ${n.wentDown.map(label).join(', ')}`);
  if (n.recovered.length) parts.push(`recovered ${n.recovered.map(label).join(', ')}`);
  return `[take-pulse] ${parts.join('; ')} at ${bucket}`;
}
