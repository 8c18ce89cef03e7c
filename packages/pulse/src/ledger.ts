// The ledger: one object in the bucket that every monitor of it shares, written only with the
// store's compare-and-swap (`updateObject`). It holds each monitor's last verdicts (for
// confirmation and the combined view) and what people were last told (so that one change makes
// one message, whichever monitor sees it first).
import { createHash, randomUUID } from 'node:crypto';
import { MAX_STATE_BYTES, updateObject, type Store, type StoredObject } from '@svcmon/store';
import type { Peers, Told } from './alerts.js';
import { PulseError } from './errors.js';
import { oneLine } from './_text.js';

/** The ledger's key: private (no ACL), beside the monitors' state objects. */
export const PULSE_LEDGER_KEY = 'svcmon-pulse-ledger.json';

/** How long a monitor's verdicts count when its own period is not known (no `selfName` task). */
export const DEFAULT_FRESH_SECONDS = 3600;

/** A message being delivered is another monitor's business this long; then anyone may deliver it. */
export const CLAIM_LEASE_SECONDS = 300;

/**
 * A time in the ledger later than this monitor's clock by more than this was written by a
 * monitor whose clock is ahead (or this one's is behind): it is not trusted, and it is said.
 */
export const CLOCK_AHEAD_SECONDS = 60;

/** Whether a time in the ledger is in this monitor's future (see CLOCK_AHEAD_SECONDS). */
export function isAhead(seconds: number, nowSeconds: number): boolean {
  return seconds - nowSeconds > CLOCK_AHEAD_SECONDS;
}

/** A monitor that has not pulsed for this long leaves the ledger (and the combined view). */
export const FORGET_MONITOR_SECONDS = 30 * 86400;

/** One monitor as its last pulse left it. */
export interface LedgerMonitor {
  /** Unix seconds of its last pulse. */
  seconds: number;
  /** Its own task's period and grace, when it has a task (`selfName`). */
  period?: number;
  grace?: number;
  /** Its verdicts count while `now - seconds <= fresh` (period + grace, else DEFAULT_FRESH_SECONDS). */
  fresh: number;
  /** Its verdict (thresholds and confirmation applied). */
  ok: boolean;
  /** The checks it saw down itself (its `failures` thresholds applied, before confirmation) → why. */
  down: Record<string, string>;
}


/** A message one monitor took to deliver (change mode). */
export interface LedgerClaim {
  /** This pulse's own id. */
  id: string;
  by: string;
  seconds: number;
  kind: 'change' | 'reminder';
  /** The checks down that the message announces: `told.alerted` once delivered. */
  alerted: string[];
  /** Channels that already have it (`channelId`): a redelivery skips them. */
  delivered: string[];
}

/** A message whose taker could not deliver it everywhere: the next taker delivers the rest. */
export interface LedgerUndelivered extends Omit<LedgerClaim, 'id'> {
  error: string;
}

/** The object `svcmon-pulse-ledger.json`. */
export interface PulseLedger {
  version: 1;
  monitors: Record<string, LedgerMonitor>;
  /** Absent: nobody was told anything through the ledger yet. */
  told?: Told;
  claim?: LedgerClaim;
  undelivered?: LedgerUndelivered;
}

/** A channel's id in the ledger: `mail:<address>`, `webhook:<first 16 hex of the URL's SHA-256>` (URLs hold tokens). */
export function channelId(kind: 'mail' | 'webhook', target: string): string {
  return kind === 'mail' ? `mail:${target}` : `webhook:${createHash('sha256').update(target).digest('hex').slice(0, 16)}`;
}

/** A new claim id. */
export function claimId(): string {
  return randomUUID();
}

const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** A record keyed by names people chose (monitor names: `__proto__` is one like any other). */
const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** A ledger with no monitor yet (its records have no prototype, so any monitor name is a plain key). */
export function emptyLedger(): PulseLedger {
  return { version: 1, monitors: dict() };
}

function parseMonitor(v: unknown): LedgerMonitor | undefined {
  const m = record(v);
  if (!m || !isSeconds(m['seconds']) || !isSeconds(m['fresh']) || typeof m['ok'] !== 'boolean') return undefined;
  const down = dict<string>();
  for (const [id, why] of Object.entries(record(m['down']) ?? {})) if (typeof why === 'string') down[id] = why;
  const out: LedgerMonitor = { seconds: m['seconds'], fresh: m['fresh'], ok: m['ok'], down };
  if (isSeconds(m['period'])) out.period = m['period'];
  if (isSeconds(m['grace'])) out.grace = m['grace'];
  return out;
}

function parseClaim(v: unknown): Omit<LedgerClaim, 'id'> & { id?: string } | undefined {
  const c = record(v);
  if (!c || typeof c['by'] !== 'string' || !isSeconds(c['seconds']) || !isStrings(c['alerted']) || !isStrings(c['delivered'])) return undefined;
  if (c['kind'] !== 'change' && c['kind'] !== 'reminder') return undefined;
  const out: Omit<LedgerClaim, 'id'> & { id?: string } = { by: c['by'], seconds: c['seconds'], kind: c['kind'], alerted: c['alerted'], delivered: c['delivered'] };
  if (typeof c['id'] === 'string') out.id = c['id'];
  return out;
}

/** A parsed ledger, and what in the object could not be used (empty when all of it could). */
export interface ParsedLedger {
  /** Null when there is none, or none of it can be used. */
  ledger: PulseLedger | null;
  /** Each part that was left out, and why: the pulse says so (warning `ledger-damaged`). */
  damage: string[];
  /**
   * A later version of the ledger: this monitor can neither use nor rewrite it (`updateLedger`
   * refuses, so an old monitor never erases what a newer one keeps there during an upgrade).
   */
  newer?: true;
}

/**
 * Parse the ledger. It is free JSON in the store, and one bad value must not silence every
 * monitor: a part that cannot be used is left out (and rewritten by the next update), and
 * `damage` says which, so the pulse reports it rather than quietly starting afresh.
 */
export function parseLedger(text: string): ParsedLedger {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ledger: null, damage: [`it is not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  const l = record(v);
  if (!l) return { ledger: null, damage: ['it is not a JSON object'] };
  const version = l['version'];
  if (typeof version === 'number' && Number.isSafeInteger(version) && version > 1) {
    return { ledger: null, damage: [`its version is ${version}: a newer svcmon wrote it`], newer: true };
  }
  if (version !== 1) return { ledger: null, damage: [`its version is ${JSON.stringify(version) ?? 'missing'}, not 1`] };
  const damage: string[] = [];
  const out = emptyLedger();
  if (l['monitors'] !== undefined && !record(l['monitors'])) damage.push('"monitors" is not an object');
  for (const [name, m] of Object.entries(record(l['monitors']) ?? {})) {
    const parsed = parseMonitor(m);
    if (parsed) out.monitors[name] = parsed;
    else damage.push(`the entry of monitor ${JSON.stringify(name)} is not one`);
  }
  if (l['told'] !== undefined) {
    const told = record(l['told']);
    if (told && isStrings(told['alerted'])) {
      out.told = { alerted: told['alerted'] };
      if (isSeconds(told['notifiedAt'])) out.told.notifiedAt = told['notifiedAt'];
      else if (told['notifiedAt'] !== undefined) damage.push('"told.notifiedAt" is not a time');
    } else damage.push('"told" is not what people were told');
  }
  if (l['claim'] !== undefined) {
    const claim = parseClaim(l['claim']);
    if (claim?.id !== undefined) out.claim = { ...claim, id: claim.id };
    else damage.push('"claim" is not a claim');
  }
  if (l['undelivered'] !== undefined) {
    const undelivered = parseClaim(l['undelivered']);
    const error = record(l['undelivered'])?.['error'];
    if (undelivered && typeof error === 'string') {
      const { id: _id, ...rest } = undelivered;
      out.undelivered = { ...rest, error };
    } else damage.push('"undelivered" is not an undelivered message');
  }
  return { ledger: out, damage };
}

/** Whether a monitor's verdicts still count at `nowSeconds` (not when they come from this clock's future). */
export function isFresh(monitor: Pick<LedgerMonitor, 'seconds' | 'fresh'>, nowSeconds: number): boolean {
  return nowSeconds - monitor.seconds <= monitor.fresh && !isAhead(monitor.seconds, nowSeconds);
}

/**
 * Whether `claim` is still its taker's to deliver at `nowSeconds`: for `CLAIM_LEASE_SECONDS`
 * after it was taken, whichever monitor took it. A monitor's own claim from an earlier pulse
 * counts too: that pulse may still be delivering (a cron that started the next one early). A
 * claim from this clock's future is its taker's as long (a taker whose clock is ahead is still
 * delivering; lapsing it early would send the message twice).
 */
export function claimIsLive(claim: LedgerClaim | undefined, nowSeconds: number): boolean {
  return claim !== undefined && Math.abs(nowSeconds - claim.seconds) < CLAIM_LEASE_SECONDS;
}

/**
 * What in the ledger is dated more than CLOCK_AHEAD_SECONDS after `nowSeconds` (a monitor's last
 * pulse, the last notification, a claim), said for people: one of the clocks is wrong. Such a
 * monitor's verdicts do not count (`isFresh`), and such a notification time does not hold
 * reminders back (`evaluatePulse`), until the clocks agree.
 */
export function aheadOfClock(ledger: PulseLedger | null, nowSeconds: number): string[] {
  const ahead = (seconds: number): boolean => isAhead(seconds, nowSeconds);
  const by = (seconds: number): string => `${seconds - nowSeconds} s after this monitor's clock`;
  const out: string[] = [];
  for (const [name, m] of Object.entries(ledger?.monitors ?? {})) {
    if (ahead(m.seconds)) out.push(`monitor ${JSON.stringify(name)} last pulsed ${by(m.seconds)}`);
  }
  const at = ledger?.told?.notifiedAt;
  if (at !== undefined && ahead(at)) out.push(`people were last told ${by(at)}`);
  if (ledger?.claim && ahead(ledger.claim.seconds)) out.push(`monitor ${JSON.stringify(ledger.claim.by)} took a message ${by(ledger.claim.seconds)}`);
  return out;
}

/** The other monitors whose verdicts are fresh at `nowSeconds`, and what they saw down. */
export function peersOf(ledger: PulseLedger | null, self: string, nowSeconds: number): Peers {
  const peers: Peers = { self, monitors: [], down: dict() };
  for (const [name, m] of Object.entries(ledger?.monitors ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name === self || !isFresh(m, nowSeconds)) continue;
    peers.monitors.push(name);
    for (const [id, reason] of Object.entries(m.down)) (peers.down[id] ??= []).push({ monitor: name, reason });
  }
  return peers;
}

/** Read the ledger: null when there is none. Store failures throw. */
export async function readLedger(store: Store): Promise<ParsedLedger & { etag?: string }> {
  const obj = await store.get(PULSE_LEDGER_KEY, { maxBytes: MAX_STATE_BYTES });
  if (obj === null) return { ledger: null, damage: [] };
  return { ...parseLedger(obj.body.toString('utf8')), etag: obj.etag };
}

/**
 * The store's compare-and-swap on the ledger: `compute` gets the ledger as it is now (null when
 * there is none; `damage`: what of it could not be used, see `parseLedger`) and returns the next one (or null to write nothing) and a value; when another
 * monitor wrote in between, it is called again with what that one left. Returns the value and
 * the ledger's etag after the update (for a second update without a read). StoreError → PulseError
 * `E_STORE` naming the ledger.
 */
export async function updateLedger<T>(
  store: Store,
  compute: (current: PulseLedger | null, damage: readonly string[]) => { ledger: PulseLedger | null; value: T },
  known?: { ledger: PulseLedger | null; etag: string | null },
): Promise<{ value: T; etag: string | null }> {
  try {
    const { result, etag } = await updateObject(
      store,
      PULSE_LEDGER_KEY,
      (obj: StoredObject | null): ParsedLedger => {
        const parsed = obj === null ? { ledger: null, damage: [] } : parseLedger(obj.body.toString('utf8'));
        if (parsed.newer) throw new Error(`${parsed.damage.join('; ')}; this monitor neither uses nor rewrites it: upgrade it`);
        return parsed;
      },
      (current) => {
        const { ledger, value } = compute(current.ledger, current.damage);
        return ledger === null ? { result: value } : { write: `${JSON.stringify(ledger)}\n`, result: value };
      },
      {
        put: { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false },
        maxBytes: MAX_STATE_BYTES,
        ...(known ? { known: { value: { ledger: known.ledger, damage: [] }, etag: known.etag } } : {}),
      },
    );
    return { value: result, etag };
  } catch (e) {
    throw new PulseError('E_STORE', `cannot update the pulse ledger ${PULSE_LEDGER_KEY}: ${oneLine(e)}`, { cause: e });
  }
}
