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

function parseMonitor(v: unknown): LedgerMonitor | undefined {
  const m = record(v);
  if (!m || !isSeconds(m['seconds']) || !isSeconds(m['fresh']) || typeof m['ok'] !== 'boolean') return undefined;
  const down: Record<string, string> = {};
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

/**
 * Parse the ledger; an unreadable one (or a part of it) counts as absent: it is free JSON in the
 * store, and one bad value must not silence every monitor. Null when there is none.
 */
export function parseLedger(text: string): PulseLedger | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const l = record(v);
  if (!l || l['version'] !== 1) return null;
  const out: PulseLedger = { version: 1, monitors: {} };
  for (const [name, m] of Object.entries(record(l['monitors']) ?? {})) {
    const parsed = parseMonitor(m);
    if (parsed) out.monitors[name] = parsed;
  }
  const told = record(l['told']);
  if (told && isStrings(told['alerted'])) {
    out.told = { alerted: told['alerted'] };
    if (isSeconds(told['notifiedAt'])) out.told.notifiedAt = told['notifiedAt'];
  }
  const claim = parseClaim(l['claim']);
  if (claim?.id !== undefined) out.claim = { ...claim, id: claim.id };
  const undelivered = parseClaim(l['undelivered']);
  const error = record(l['undelivered'])?.['error'];
  if (undelivered && typeof error === 'string') {
    const { id: _id, ...rest } = undelivered;
    out.undelivered = { ...rest, error };
  }
  return out;
}

/** Whether a monitor's verdicts still count at `nowSeconds`. */
export function isFresh(monitor: Pick<LedgerMonitor, 'seconds' | 'fresh'>, nowSeconds: number): boolean {
  return nowSeconds - monitor.seconds <= monitor.fresh;
}

/**
 * Whether `claim` is still its taker's to deliver at `nowSeconds` for monitor `self`: not when
 * it is older than the lease (its taker died or hangs), nor when it is `self`'s own from an
 * earlier pulse (that pulse is over: killed before it could say how delivery went).
 */
export function claimIsLive(claim: LedgerClaim | undefined, self: string, nowSeconds: number): boolean {
  return claim !== undefined && claim.by !== self && nowSeconds - claim.seconds < CLAIM_LEASE_SECONDS && nowSeconds >= claim.seconds - CLAIM_LEASE_SECONDS;
}

/** The other monitors whose verdicts are fresh at `nowSeconds`, and what they saw down. */
export function peersOf(ledger: PulseLedger | null, self: string, nowSeconds: number): Peers {
  const peers: Peers = { monitors: [], down: {} };
  for (const [name, m] of Object.entries(ledger?.monitors ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name === self || !isFresh(m, nowSeconds)) continue;
    peers.monitors.push(name);
    for (const [id, reason] of Object.entries(m.down)) (peers.down[id] ??= []).push({ monitor: name, reason });
  }
  return peers;
}

/** Read the ledger: null when there is none. Store failures throw. */
export async function readLedger(store: Store): Promise<{ ledger: PulseLedger | null; etag?: string }> {
  const obj = await store.get(PULSE_LEDGER_KEY, { maxBytes: MAX_STATE_BYTES });
  if (obj === null) return { ledger: null };
  return { ledger: parseLedger(obj.body.toString('utf8')), etag: obj.etag };
}

/**
 * The store's compare-and-swap on the ledger: `compute` gets the ledger as it is now (null when
 * there is none) and returns the next one (or null to write nothing) and a value; when another
 * monitor wrote in between, it is called again with what that one left. Returns the value and
 * the ledger's etag after the update (for a second update without a read). StoreError → PulseError
 * `E_STORE` naming the ledger.
 */
export async function updateLedger<T>(
  store: Store,
  compute: (current: PulseLedger | null) => { ledger: PulseLedger | null; value: T },
  known?: { ledger: PulseLedger | null; etag: string | null },
): Promise<{ value: T; etag: string | null }> {
  try {
    const { result, etag } = await updateObject(
      store,
      PULSE_LEDGER_KEY,
      (obj: StoredObject | null) => (obj === null ? null : parseLedger(obj.body.toString('utf8'))),
      (current) => {
        const { ledger, value } = compute(current);
        return ledger === null ? { result: value } : { write: `${JSON.stringify(ledger)}\n`, result: value };
      },
      {
        put: { contentType: 'application/json', cacheControl: 'no-cache', publicRead: false },
        maxBytes: MAX_STATE_BYTES,
        ...(known ? { known: { value: known.ledger, etag: known.etag } } : {}),
      },
    );
    return { value: result, etag };
  } catch (e) {
    throw new PulseError('E_STORE', `cannot update the pulse ledger ${PULSE_LEDGER_KEY}: ${oneLine(e)}`, { cause: e });
  }
}
