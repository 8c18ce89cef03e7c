// The pulse as stages: read config → check → evaluate → notify → persist and publish.
// `takePulse` is exactly these, in this order; a custom monitor composes the same ones.
import { hideCredentials, isStoreError, openStore, parseDuration, readConfig, writeHeartbeat, type Config, type Store, type Where } from '@svcmon/store';
import { decideNotification, evaluate, notificationTitle, renderChanges, type Evaluation, type Notification, type Peers } from './alerts.js';
import type { EmailConfig } from './email-config.js';
import { keepCause, type PulseErrorCode } from './errors.js';
import { oneLine } from './_text.js';
import type { OnPulseEvent, PulseEvent, PulseWarning } from './events.js';
import { absentWhenDenied, DENIED_MEANS_ABSENT, fullReads, listedReads, type TaskReads } from './_reads.js';
import {
  aheadOfClock,
  channelId,
  claimId,
  claimIsLive,
  DEFAULT_FRESH_SECONDS,
  emptyLedger,
  FORGET_MONITOR_SECONDS,
  isAhead,
  peersOf,
  PULSE_LEDGER_KEY,
  updateLedger,
  type LedgerClaim,
  type PulseLedger,
} from './ledger.js';
import { deliverReport, type MailOutcome } from './mail.js';
import { publishPulseMetrics, PULSE_METRICS_KEY, renderMetrics } from './metrics.js';
import { monitorStatusKey, monitorsView, publishPulseStatus, PULSE_BADGE_KEY, PULSE_JSON_KEY, pulseStatus } from './publish.js';
import { decideRecipients } from './recipients.js';
import { renderReport, reportLines, type ReportInput } from './report.js';
import { checkSites, type SiteRequest } from './sites.js';
import { DEFAULT_MONITOR, pulseStateKey, readPulseState, updatePulseState, type PulseState } from './state.js';
import { checkTasks } from './tasks.js';
import type { EmailMode, PulseResult, SiteVerdict, TaskVerdict } from './types.js';
import { sendWebhooks, webhookHost, webhookPayload, type WebhookConfig, type WebhookResult } from './webhooks.js';


// ── 1. read config ────────────────────────────────────────────────────────────

/** What every later stage reads: the store, its config, and the name people know it by. */
export interface PulseInput {
  store: Store;
  config: Config;
  /** The name in the subject line and the result (`bucket` option, else `where` as given). */
  bucket: string;
}

/** The pulse cannot check anything: no store, or no usable config.rktd. */
export interface PulseInputFailure {
  bucket: string;
  code: 'E_CONFIG_UNREADABLE' | 'E_STORE';
  /** One line for people. */
  error: string;
  /** The error behind `error` (`--debug` prints it). */
  cause?: unknown;
}

export type PulseConfigRead = ({ ok: true } & PulseInput) | ({ ok: false } & PulseInputFailure);

export interface ReadPulseConfigOptions {
  /** The name in the subject line and the result (default: `where` as given, or the store's location). */
  bucket?: string;
}

async function isFolder(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then((st) => st.isDirectory(), () => false);
}

/** Stage 1: open the store and read its config.rktd. Never throws: a failure says why in one line. */
export async function readPulseConfig(where: Where, options: ReadPulseConfigOptions = {}): Promise<PulseConfigRead> {
  const { bucket: bucketName } = options;
  const bucket = bucketName ?? (typeof where === 'string' ? where : where.location);
  const fail = (code: PulseInputFailure['code'], error: string, cause?: unknown): PulseConfigRead =>
    ({ ok: false, bucket, code, error, ...(cause !== undefined ? { cause } : {}) });
  let store: Store;
  try {
    store = openStore(where);
  } catch (e) {
    return fail(isStoreError(e) && e.code === 'E_BAD_WHERE' ? 'E_CONFIG_UNREADABLE' : 'E_STORE', e instanceof Error ? e.message : String(e), e);
  }
  try {
    const read = await readConfig(store);
    if (read === null) {
      // A mistyped folder is the likelier mistake than a missing file: said when it is that.
      const noFolder = store.kind === 'dir' && !(await isFolder(store.location));
      return fail('E_CONFIG_UNREADABLE', `no config.rktd in ${store.location}${noFolder ? ': there is no such folder' : ''}`);
    }
    return { ok: true, store, config: read.config, bucket };
  } catch (e) {
    if (isStoreError(e) && e.code === 'E_BAD_CONFIG') return fail('E_CONFIG_UNREADABLE', e.message, e);
    // Without s3:ListBucket a missing config.rktd is a 403 too: which one it is, S3 will not say.
    if (isStoreError(e) && e.code === 'E_ACCESS_DENIED') return fail('E_STORE', `${oneLine(e)}: these credentials may not read it, or there is none (${DENIED_MEANS_ABSENT})`, e);
    return fail('E_STORE', oneLine(e), e);
  }
}

// ── 2. check ──────────────────────────────────────────────────────────────────

export interface CheckPulseOptions {
  /** The pulse's clock. */
  now: Date;
  /** The task that is this monitor: taken as having beaten just now, not read. */
  selfName?: string;
  /** How the site checks send their GETs (default `siteRequest`: node:http / node:https). */
  siteRequest?: SiteRequest;
  /** Store reads in flight (heartbeats, run states; default 32). */
  concurrency?: number;
  /** Site requests in flight (default 1024): sites never wait behind the store, nor hanging sites behind each other. */
  siteConcurrency?: number;
  /**
   * List the store once and read only the heartbeats and run states that changed since this
   * monitor last read them (default true). false: read every one, as without s3:ListBucket.
   */
  listing?: boolean;
  onEvent?: OnPulseEvent;
}

/** Raw verdicts, in config order (before thresholds). */
export interface PulseChecks {
  sites: SiteVerdict[];
  tasks: TaskVerdict[];
  /** What the pulse worked around (the `warning` events' data). */
  warnings?: PulseWarning[];
  /**
   * The store refused to list (S3 without s3:ListBucket): a 403 AccessDenied on an object the
   * pulse reads means there is none, in this stage and the ones after it (`pulseStore`).
   */
  listingRefused?: true;
}

/** The store as the pulse reads it once listing was refused or not: see `PulseChecks.listingRefused`. */
const pulseStore = (store: Store, listingRefused: boolean | undefined): Store => (listingRefused === true ? absentWhenDenied(store) : store);

type Warning = Extract<PulseEvent, { type: 'warning' }>;

/**
 * The task reads of one pulse: from one listing and what this monitor remembered, or, when the
 * store will not list, every object (with a warning).
 */
async function taskReads(
  store: Store,
  config: Config,
  options: Pick<CheckPulseOptions, 'selfName' | 'listing'>,
  warn: (w: Warning) => void,
): Promise<{ reads: TaskReads; save?: () => Promise<void>; refused?: true }> {
  if (options.listing === false) return { reads: fullReads(store) };
  try {
    const names = new Set((config.tasks ?? []).map((t) => t.name));
    const listed = await listedReads(store, options.selfName, names, {
      onUnusable: (message) => warn({ type: 'warning', code: 'reads-not-used', message }),
    });
    return { reads: listed, save: () => listed.save() };
  } catch (e) {
    const refused = isStoreError(e) && e.code === 'E_LIST_DENIED';
    warn({
      type: 'warning',
      code: refused ? 'listing-refused' : 'listing-failed',
      message: refused
        ? `${oneLine(e)}; reading every heartbeat and run state instead (two GETs per task: allow s3:ListBucket to read only what changed)`
        : `${oneLine(e)}; reading every heartbeat and run state instead, this pulse (${
            store.kind === 's3' ? 'if it lasts, check that the endpoint answers ListObjectsV2' : 'if it lasts, check that every folder in it can be read'
          })`,
    });
    return { reads: fullReads(store, { listingRefused: refused }), ...(refused ? { refused } : {}) };
  }
}

/**
 * Stage 2: check every site and every task's heartbeat, sites and store reads each under their
 * own bound, all at once. Emits `checks-planned`, then `site-started` / `site-checked` /
 * `task-checked` as they happen. Never throws: a failed check is that check's verdict.
 */
export async function checkPulse(input: Pick<PulseInput, 'store' | 'config'>, options: CheckPulseOptions): Promise<PulseChecks> {
  const { store, config } = input;
  const { now, selfName, onEvent } = options;
  const sites = config.sites ?? [];
  const tasks = config.tasks ?? [];
  // A site is named as its verdict will be: a hand-written password is never printed.
  onEvent?.({ type: 'checks-planned', sites: sites.map((s) => hideCredentials(String(s.url))), tasks: tasks.filter((t) => t.name !== selfName).map((t) => t.name) });
  const warnings: PulseWarning[] = [];
  const warn = (w: Warning): void => {
    warnings.push({ code: w.code, message: w.message });
    onEvent?.(w);
  };
  const [siteVerdicts, { verdicts: taskVerdicts, refused }] = await Promise.all([
    checkSites(sites, { config, now, request: options.siteRequest, concurrency: options.siteConcurrency, onEvent }),
    (async () => {
      const { reads, save, refused } = await taskReads(store, config, options, warn);
      // The failure records of failed runs are read through the same rule as the run states.
      const verdicts = await checkTasks(pulseStore(store, refused), tasks, { config, now, selfName, concurrency: options.concurrency, onEvent, reads });
      await save?.().catch((e: unknown) => {
        warn({ type: 'warning', code: 'reads-not-saved', message: `cannot remember what this pulse read: ${oneLine(e)}` });
      });
      return { verdicts, refused };
    })(),
  ]);
  return { sites: siteVerdicts, tasks: taskVerdicts, ...(warnings.length > 0 ? { warnings } : {}), ...(refused ? { listingRefused: refused } : {}) };
}

// ── 3. evaluate ───────────────────────────────────────────────────────────────

/** The monitor's state as read for this pulse (`svcmon-pulse-state/<monitor>.json`). */
export interface PulseMemory {
  key: string;
  /** null: no state yet (or it could not be read: then `error`). */
  previous: PulseState | null;
  etag?: string;
  error?: string;
}

/** The ledger as this pulse wrote it, and what it took there. */
export interface PulseLedgerRead {
  ledger: PulseLedger;
  etag: string | null;
  /** The other fresh monitors and what they saw: what the verdicts were confirmed against. */
  peers: Peers;
  /** The message this pulse took to deliver (change mode). */
  claim?: LedgerClaim;
  /** Another monitor is delivering the change right now: this one stays quiet. */
  takenBy?: string;
}

/** Everything the pulse concluded, before anyone is told: what the notify and persist stages act on. */
export interface PulseVerdict {
  /** Every site and task healthy (thresholds applied) and the pulse could do its job. */
  ok: boolean;
  bucket: string;
  selfName?: string;
  /** `selfName`, or `default`. */
  monitor: string;
  /** The pulse's clock. */
  time: Date;
  emailMode: EmailMode;
  /** Site verdicts as people see them (thresholds applied). */
  sites: SiteVerdict[];
  tasks: TaskVerdict[];
  /** Thresholds and each check's next state (null when nothing could be checked). */
  evaluation: Evaluation | null;
  /** Whom to tell, and what: null when nobody is told. */
  notification: Notification | null;
  recipients: string[];
  /** Subject line and push title ('' without a notification). */
  title: string;
  /** The change summary put before the report ('' for a plain report). */
  changes: string;
  /** The report text, as the original prints it. */
  report: string;
  /** What is sent: `changes` then `report`. */
  message: string;
  /** The pulse could not do its job. */
  error?: string;
  errorCode?: PulseErrorCode;
  /** The error behind `error` (`--debug` prints it). */
  cause?: unknown;
  /** Absent with `state: false`, or when the store answered for no heartbeat. */
  memory?: PulseMemory;
  /** The shared ledger as this pulse left it (absent with `state: false`, or when it could not be updated: then `memory.error`). */
  ledger?: PulseLedgerRead;
  /** What the checks worked around (listing refused, …). */
  warnings?: PulseWarning[];
}

export interface EvaluatePulseOptions {
  now: Date;
  selfName?: string;
  /** Default `always`. */
  emailMode?: EmailMode;
  /** Change mode: repeat while anything stays down, this often (seconds, or `6h`, `30m`, `1d`). */
  remind?: number | string;
  /** Read the monitor's state (thresholds, change mode; default true). */
  state?: boolean;
  onEvent?: OnPulseEvent;
}

/**
 * The verdicts people see, from the raw checks and what the monitor remembers. The one place the
 * pulse evaluates: the first judgement and the recount after a concurrent state write both come here.
 */
function judge(config: Config, checks: PulseChecks, previous: PulseState | null, nowSeconds: number, peers?: Peers): Evaluation {
  return evaluate(previous, checks.sites, config.sites ?? [], checks.tasks, nowSeconds, peers);
}

/** How long this monitor's verdicts count for the others: its own task's period plus grace, else an hour. */
function freshSeconds(checks: PulseChecks): { fresh: number; period?: number; grace?: number } {
  const self = checks.tasks.find((t) => t.self);
  if (!self || self.period <= 0) return { fresh: DEFAULT_FRESH_SECONDS };
  const grace = self.grace ?? 0;
  return { fresh: self.period + grace, period: self.period, ...(grace > 0 ? { grace } : {}) };
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

interface Decided {
  evaluation: Evaluation;
  notification: Notification | null;
  ledger?: PulseLedgerRead;
}

/**
 * One compare-and-swap on the ledger: this monitor's verdicts go in, the other fresh monitors'
 * come out (confirmation), and in change mode the decision whether to tell anyone is taken
 * against what the ledger says people were told, a message to deliver being claimed in the same
 * write, so that of monitors seeing the same change at once exactly one takes it.
 */
async function decideWithLedger(
  input: PulseInput,
  store: Store,
  checks: PulseChecks,
  previous: PulseState | null,
  options: { monitor: string; emailMode: EmailMode; nowSeconds: number; remindSeconds: number | undefined },
): Promise<Decided & { ledger: PulseLedgerRead; warnings: PulseWarning[] }> {
  const { monitor, emailMode, nowSeconds, remindSeconds } = options;
  const id = claimId();
  const own = freshSeconds(checks);
  let decided: Decided & { ledger: PulseLedgerRead; warnings: PulseWarning[] } | undefined;
  const { etag } = await updateLedger(store, (current, damage) => {
    const warnings: PulseWarning[] = [];
    if (damage.length > 0) {
      warnings.push({
        code: 'ledger-damaged',
        message: `the pulse ledger ${PULSE_LEDGER_KEY} in ${input.store.location} could not be used in full: ${damage.join('; ')}. This pulse rewrites it without ${
          current === null ? 'it' : 'those parts'
        }${current?.told === undefined ? '; what people were last told is not known, so what is down now is announced again' : ''}`,
      });
    }
    const ahead = aheadOfClock(current, nowSeconds);
    if (ahead.length > 0) {
      warnings.push({
        code: 'clock-ahead',
        message: `the pulse ledger is dated in this monitor's future: ${ahead.join('; ')}. Those times are not trusted until the clocks agree (check both machines' clocks)`,
      });
    }
    const peers = peersOf(current, monitor, nowSeconds);
    const evaluation = judge(input.config, checks, previous, nowSeconds, peers);
    const next = emptyLedger();
    for (const [name, m] of Object.entries(current?.monitors ?? {})) {
      // Not heard of for a month, or dated more than a month ahead (a clock far off): forgotten.
      if (name !== monitor && Math.abs(nowSeconds - m.seconds) <= FORGET_MONITOR_SECONDS) next.monitors[name] = m;
    }
    next.monitors[monitor] = { seconds: nowSeconds, ...own, ok: evaluation.ok, down: evaluation.own };
    // A bucket without a ledger yet: what this monitor told people before there was one. A check
    // no longer configured leaves it: if it comes back, its state is news again.
    const toldBefore = current?.told ?? previous?.told;
    const told = toldBefore && { ...toldBefore, alerted: toldBefore.alerted.filter((id) => Object.hasOwn(evaluation.checks, id)) };
    if (told) next.told = told;
    // A last notification in this clock's future must not hold reminders back until it comes.
    const toldNow = told?.notifiedAt !== undefined && isAhead(told.notifiedAt, nowSeconds) ? { alerted: told.alerted } : told;
    if (current?.undelivered) next.undelivered = current.undelivered;
    const claim = current?.claim;
    const live = claimIsLive(claim, nowSeconds);
    if (claim && live) next.claim = claim;
    else if (claim) {
      // Its taker never said how delivery went (killed, hung): what it delivered itself is not known.
      const { id: _lapsed, ...rest } = claim;
      next.undelivered = { ...rest, error: `${claim.by} took the message and never said it was delivered` };
    }
    let notification: Notification | null;
    let taken: LedgerClaim | undefined;
    if (emailMode !== 'change') notification = decideNotification(emailMode, toldNow ?? null, evaluation, nowSeconds, remindSeconds);
    else if (live) notification = null;
    else {
      notification = decideNotification(emailMode, toldNow ?? null, evaluation, nowSeconds, remindSeconds);
      if (notification) {
        const kind = notification.kind === 'reminder' ? 'reminder' : 'change';
        const left = next.undelivered;
        // The same message another taker delivered in part: only the channels it missed.
        const delivered = left && left.kind === kind && sameIds(left.alerted, evaluation.down) ? left.delivered : [];
        taken = { id, by: monitor, seconds: nowSeconds, kind, alerted: evaluation.down, delivered };
        next.claim = taken;
      }
    }
    decided = {
      evaluation,
      notification,
      warnings,
      ledger: { ledger: next, etag: null, peers, ...(taken ? { claim: taken } : {}), ...(live && emailMode === 'change' ? { takenBy: claim!.by } : {}) },
    };
    return { ledger: next, value: undefined };
  });
  decided!.ledger.etag = etag;
  return decided!;
}

function reportEvent(input: ReportInput, onEvent: OnPulseEvent | undefined): string {
  if (onEvent) {
    const lines = reportLines(input);
    const text = `${lines.map((l) => l.text).join('\n')}\n`;
    onEvent({ type: 'report', ok: input.ok, lines, text });
    return text;
  }
  return renderReport(input);
}

/**
 * Stage 3: read the monitor's state, apply thresholds, decide whom to tell, render the report.
 * Emits `report` and `notification`. Never throws for a store failure (it is in the verdict);
 * throws RangeError for an unreadable `remind`.
 */
export async function evaluatePulse(input: PulseInput, checks: PulseChecks, options: EvaluatePulseOptions): Promise<PulseVerdict> {
  const { config, bucket } = input;
  const store = pulseStore(input.store, checks.listingRefused);
  const { now, selfName, emailMode = 'always', remind, state = true, onEvent } = options;
  const remindSeconds = remind === undefined ? undefined : typeof remind === 'number' ? remind : parseDuration(remind);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // The store answered for config.rktd but for no heartbeat: the pulse could not do its job.
  const read = checks.tasks.filter((t) => !t.self);
  const storeFailure = read.length > 0 && read.every((t) => t.state === 'error') ? read[0]?.reason : undefined;
  const monitor = selfName ?? DEFAULT_MONITOR;
  let memory: PulseMemory | undefined;
  if (state && storeFailure === undefined) {
    const key = pulseStateKey(selfName);
    try {
      const { state: previous, etag } = await readPulseState(store, selfName);
      memory = { key, previous, ...(etag !== undefined ? { etag } : {}) };
    } catch (e) {
      memory = { key, previous: null, error: `cannot read the pulse state ${key}: ${oneLine(e)}` };
    }
  }
  const previous = memory?.previous ?? null;
  let decided: Decided | undefined;
  const warnings = [...(checks.warnings ?? [])];
  if (memory && memory.error === undefined) {
    try {
      const withLedger = await decideWithLedger(input, store, checks, previous, { monitor, emailMode, nowSeconds, remindSeconds });
      decided = withLedger;
      for (const w of withLedger.warnings) {
        warnings.push(w);
        onEvent?.({ type: 'warning', ...w });
      }
    } catch (e) {
      // Without the ledger no monitor can know what the others told: this one tells nobody.
      memory.error = oneLine(e);
    }
  }
  if (!decided) {
    const evaluation = judge(config, checks, previous, nowSeconds);
    const lost = memory?.error !== undefined && emailMode === 'change';
    decided = { evaluation, notification: lost ? null : decideNotification(emailMode, null, evaluation, nowSeconds, remindSeconds) };
  }
  const { evaluation, notification } = decided;
  const ok = evaluation.ok;
  const delivered = new Set(decided.ledger?.claim?.delivered ?? []);
  const recipients = (
    emailMode === 'change' ? (notification ? decideRecipients(config, 'change', ok) : []) : decideRecipients(config, emailMode, ok)
  ).filter((to) => !delivered.has(channelId('mail', to)));
  const report = reportEvent({ ok, sites: evaluation.sites, tasks: checks.tasks }, onEvent);
  const changes = notification ? renderChanges(notification, evaluation.checks) : '';
  const takenBy = decided.ledger?.takenBy;
  const quiet =
    emailMode === 'change' && !notification ? (takenBy !== undefined ? 'taken' : evaluation.down.length ? 'unchanged' : 'healthy') : undefined;
  onEvent?.({ type: 'notification', notification, changes, ...(quiet ? { quiet } : {}), ...(takenBy !== undefined ? { takenBy } : {}) });
  const verdict: PulseVerdict = {
    ok,
    bucket,
    ...(selfName !== undefined ? { selfName } : {}),
    monitor,
    time: now,
    emailMode,
    sites: evaluation.sites,
    tasks: checks.tasks,
    evaluation,
    notification,
    recipients,
    title: notification ? notificationTitle(bucket, ok, notification) : '',
    changes,
    report,
    message: changes + report,
  };
  if (storeFailure !== undefined) {
    verdict.error = `no heartbeat could be read (${read.length} tried): ${storeFailure}`;
    verdict.errorCode = 'E_STORE';
  }
  if (memory) verdict.memory = memory;
  if (decided.ledger) verdict.ledger = decided.ledger;
  if (warnings.length > 0) verdict.warnings = warnings;
  return verdict;
}

/**
 * Stage 3 when stage 1 failed: the verdict of a pulse that could check nothing. The original
 * crashes here and tells nobody; the recipients live in the unreadable config, but the webhooks
 * are local, so they hear of it (in every mode but `none`). Emits `report`.
 */
export function failedPulse(
  failure: PulseInputFailure,
  options: Pick<EvaluatePulseOptions, 'now' | 'selfName' | 'emailMode' | 'onEvent'>,
): PulseVerdict {
  const { now, selfName, emailMode = 'always', onEvent } = options;
  const report = reportEvent({ ok: false, sites: [], tasks: [], error: failure.error }, onEvent);
  return {
    ok: false,
    bucket: failure.bucket,
    ...(selfName !== undefined ? { selfName } : {}),
    monitor: selfName ?? DEFAULT_MONITOR,
    time: now,
    emailMode,
    sites: [],
    tasks: [],
    evaluation: null,
    notification: emailMode === 'none' ? null : { kind: 'report', wentDown: [], recovered: [], stillDown: [] },
    recipients: [],
    title: `[take-pulse] PULSE FAILED at ${failure.bucket}`,
    changes: '',
    report,
    message: report,
    error: failure.error,
    errorCode: failure.code,
    ...(failure.cause !== undefined ? { cause: failure.cause } : {}),
  };
}

// ── 4. notify ─────────────────────────────────────────────────────────────────

export interface NotifyPulseOptions {
  /** How to send mail (default: the local sendmail). */
  emailConfig?: EmailConfig;
  /** Default: `emailConfig.webhooks`. */
  webhooks?: readonly WebhookConfig[];
  /** Per webhook try, in milliseconds (default 10 000; one retry). */
  webhookTimeoutMs?: number;
  /** The mail's Date (default: now). */
  date?: Date;
  onEvent?: OnPulseEvent;
}

export interface PulseNotified {
  /** Present when there was someone to mail. */
  mail?: MailOutcome;
  /** One result per webhook, when the pulse notified and has webhooks. */
  webhooks?: WebhookResult[];
  /** Every channel took the message (a message not delivered everywhere counts as not told). */
  told: boolean;
  /** The channels that took it (`mail:<address>`, `webhook:<hash>`: the ledger's ids). */
  delivered: string[];
}

/**
 * Stage 4: mail the recipients and call the webhooks, at once, as the verdict says. Emits
 * `mail-sending` / `mail-result` and `webhooks-calling` / `webhook-result`. Never throws.
 */
export async function notifyPulse(verdict: PulseVerdict, options: NotifyPulseOptions = {}): Promise<PulseNotified> {
  const { emailConfig = {}, onEvent } = options;
  const skip = new Set(verdict.ledger?.claim?.delivered ?? []);
  // Another monitor delivered this very message to some webhooks already: not again.
  const hooks = (options.webhooks ?? emailConfig.webhooks ?? []).filter((h) => !skip.has(channelId('webhook', h.url)));
  const { notification, recipients } = verdict;
  const mailJob = async (): Promise<PulseNotified['mail']> => {
    if (recipients.length === 0) return undefined;
    onEvent?.({ type: 'mail-sending', recipients: [...recipients] });
    const mail = await deliverReport({
      emailConfig,
      recipients,
      bucket: verdict.bucket,
      ok: verdict.ok,
      report: verdict.message,
      ...(notification && notification.kind !== 'report' ? { subject: verdict.title } : {}),
      date: options.date ?? new Date(),
    });
    onEvent?.({ type: 'mail-result', sent: mail.sent, ...(mail.error !== undefined ? { error: mail.error } : {}) });
    return mail;
  };
  const hookJob = async (): Promise<WebhookResult[] | undefined> => {
    if (!notification || hooks.length === 0) return undefined;
    onEvent?.({ type: 'webhooks-calling', hooks: hooks.map((h) => ({ host: webhookHost(h.url), format: h.format })) });
    const payload = webhookPayload({ ...verdict, notification, text: verdict.message });
    const results = await sendWebhooks(hooks, payload, options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {});
    for (const result of results) onEvent?.({ type: 'webhook-result', result });
    return results;
  };
  const [mail, webhooks] = await Promise.all([mailJob(), hookJob()]);
  const delivered = [
    ...(mail?.delivery ?? []).filter((d) => d.accepted).map((d) => channelId('mail', d.to)),
    ...(webhooks ?? []).flatMap((w, i) => (w.sent && hooks[i] ? [channelId('webhook', hooks[i].url)] : [])),
  ];
  const notified: PulseNotified = {
    told: notification !== null && mail?.sent !== false && (webhooks ?? []).every((w) => w.sent),
    delivered,
  };
  if (mail) notified.mail = mail;
  if (webhooks) notified.webhooks = webhooks;
  return notified;
}

// ── 5. persist and publish ────────────────────────────────────────────────────

export interface PersistPulseOptions {
  /** Publish pulse.json and pulse-badge.svg (public-read; default true). */
  publish?: boolean;
  /** With `publish`: also publish the pulse's figures as Prometheus metrics, `pulse-metrics.prom`, last (default false). */
  publishMetrics?: boolean;
  /** The pulse's wall time so far in ms, for the metrics' duration (default: since `verdict.time` by the system clock). */
  elapsedMs?: () => number;
  /** Record the heartbeat of `verdict.selfName` (`--beat NAME`) when the pulse did its job (default false). */
  beat?: boolean;
  /** The heartbeat's time (default: now). */
  beatTime?: Date;
  onEvent?: OnPulseEvent;
}

export interface PulsePersisted {
  /** The monitor's state object: written, or why not (absent when not kept). */
  state?: { written: boolean; key: string; error?: string };
  /** The ledger, after a message this pulse took: delivered, or left for the next taker; or why it could not be said. */
  ledger?: { written: boolean; key: string; error?: string };
  /** pulse.json and the badge: published, or why not (absent when not published). */
  published?: { ok: boolean; error?: string };
  /** The monitor's own heartbeat (with `beat`): written, or `reason` it was not, or the store's `error`. */
  beat?: { task: string; written: boolean; reason?: string; error?: string };
  /** `E_STORE` when what was persisted counts against the pulse (the state in change mode, the heartbeat). */
  errorCode?: 'E_STORE';
}

/**
 * Why this monitor's heartbeat is not recorded, or undefined when it is: a monitor that could not
 * report must look dead to the monitor watching it (the original beats after the mail went out).
 */
function whyNoBeat(verdict: PulseVerdict, notified: PulseNotified, stateFailed: boolean): string | undefined {
  if (verdict.error !== undefined) return 'the pulse could not do its job';
  if (notified.mail?.sent === false) return 'the report was not sent';
  if (stateFailed || notified.webhooks?.some((w) => !w.sent)) return 'the pulse could not finish its job (a webhook or its state)';
  return undefined;
}

/**
 * Stage 5: write the monitor's state (conditionally, recounting from what another pulse of this
 * monitor left), publish pulse.json and the badge, and, with `beat`, record the monitor's own
 * heartbeat, and, with `publishMetrics`, the metrics last. `input` is null when stage 1 failed
 * (then only the heartbeat's refusal is said). Emits `state-result`, `published`, `beat-result`,
 * `metrics-published`. Never throws.
 */
export async function persistPulse(
  input: PulseInput | null,
  checks: PulseChecks,
  verdict: PulseVerdict,
  notified: PulseNotified,
  options: PersistPulseOptions = {},
): Promise<PulsePersisted> {
  const { publish = true, publishMetrics = false, beat = false, onEvent } = options;
  const { selfName, evaluation, memory } = verdict;
  const out: PulsePersisted = {};
  const nowSeconds = Math.floor(verdict.time.getTime() / 1000);
  let checkStates = evaluation?.checks ?? {};
  if (input && evaluation && memory) {
    let error = memory.error;
    if (error === undefined) {
      try {
        checkStates = await updatePulseState(
          pulseStore(input.store, checks.listingRefused),
          selfName,
          (latest) => {
            // Another pulse of this monitor wrote since we read: count from what it left.
            const again = latest === memory.previous ? evaluation : judge(input.config, checks, latest, nowSeconds, verdict.ledger?.peers);
            const next: PulseState = { version: 1, monitor: verdict.monitor, seconds: nowSeconds, ok: again.ok, checks: again.checks };
            return { state: next, value: again.checks };
          },
          4,
          { state: memory.previous, ...(memory.etag !== undefined ? { etag: memory.etag } : {}) },
        );
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    out.state = error === undefined ? { written: true, key: memory.key } : { written: false, key: memory.key, error };
    // Change mode cannot work without its memory: the pulse did not do its job.
    if (error !== undefined && verdict.emailMode === 'change') out.errorCode = 'E_STORE';
    onEvent?.({ type: 'state-result', ...out.state });
  }
  const ledger = verdict.ledger;
  if (input && ledger?.claim) {
    const claim = ledger.claim;
    try {
      const { etag } = await updateLedger(
        pulseStore(input.store, checks.listingRefused),
        (current) => {
          // Lapsed and taken over by another monitor: the ledger is that one's to say.
          if (current?.claim?.id !== claim.id) return { ledger: null, value: undefined };
          const { claim: _done, undelivered: _left, ...rest } = current;
          const next: PulseLedger = rest;
          if (notified.told) next.told = { alerted: claim.alerted, notifiedAt: nowSeconds };
          else {
            const delivered = [...new Set([...claim.delivered, ...notified.delivered])].sort();
            const error = notified.mail?.error ?? notified.webhooks?.find((w) => !w.sent)?.error ?? 'not delivered';
            const { id: _id, ...left } = claim;
            next.undelivered = { ...left, delivered, error: oneLine(error) };
          }
          ledger.ledger = next;
          return { ledger: next, value: undefined };
        },
        { ledger: ledger.ledger, etag: ledger.etag },
      );
      ledger.etag = etag;
      out.ledger = { written: true, key: PULSE_LEDGER_KEY };
    } catch (e) {
      out.ledger = { written: false, key: PULSE_LEDGER_KEY, error: oneLine(e) };
      out.errorCode = 'E_STORE';
    }
  }
  if (input && evaluation && publish && verdict.error === undefined) {
    const selfVerdict = selfName !== undefined ? verdict.tasks.find((t) => t.self) : undefined;
    const status = pulseStatus({
      monitor: verdict.monitor,
      now: verdict.time,
      ok: verdict.ok,
      ...(selfVerdict ? { period: selfVerdict.period ?? 0 } : {}),
      sites: verdict.sites,
      tasks: verdict.tasks,
      checks: checkStates,
    });
    try {
      await publishPulseStatus(input.store, status, ledger ? monitorsView(ledger.ledger.monitors, nowSeconds) : undefined);
      out.published = { ok: true };
    } catch (e) {
      out.published = {
        ok: false,
        error: `cannot publish the status of monitor ${JSON.stringify(verdict.monitor)} (${monitorStatusKey(verdict.monitor)}, ${PULSE_JSON_KEY}, ${PULSE_BADGE_KEY}): ${oneLine(e)}`,
      };
    }
    onEvent?.({ type: 'published', ...out.published });
  }
  if (beat && selfName !== undefined) {
    const reason = whyNoBeat(verdict, notified, out.errorCode !== undefined);
    if (reason !== undefined || input === null) {
      out.beat = { task: selfName, written: false, reason: reason ?? 'the pulse could not do its job' };
    } else {
      try {
        await writeHeartbeat(input.store, selfName, { now: options.beatTime ?? new Date() });
        out.beat = { task: selfName, written: true };
      } catch (e) {
        out.beat = { task: selfName, written: false, error: `cannot record the heartbeat of ${selfName}: ${oneLine(e)}` };
        out.errorCode = 'E_STORE';
      }
    }
    onEvent?.({ type: 'beat-result', ...out.beat });
  }
  // The metrics describe the whole pulse (its heartbeat included), so they go up last, beside
  // the pulse.json they match; a refused upload is a warning in `published`, as for pulse.json.
  if (input && publishMetrics && out.published?.ok) {
    const ms = options.elapsedMs?.() ?? Math.max(0, Date.now() - verdict.time.getTime());
    const result = pulseResult(verdict, notified, out, { startedAt: verdict.time, ms });
    try {
      await publishPulseMetrics(input.store, renderMetrics(result, { monitor: verdict.monitor }));
      onEvent?.({ type: 'metrics-published', ok: true });
    } catch (e) {
      out.published = { ok: false, error: `cannot publish ${PULSE_METRICS_KEY}: ${oneLine(e)}` };
      onEvent?.({ type: 'metrics-published', ...out.published });
    }
  }
  return out;
}

/** The pulse's result, from what the stages returned (`ms`: the pulse's wall time so far). */
export function pulseResult(
  verdict: PulseVerdict,
  notified: PulseNotified,
  persisted: PulsePersisted,
  timing: { startedAt: Date; ms: number },
): PulseResult {
  const result: PulseResult = {
    ok: verdict.ok,
    bucket: verdict.bucket,
    startedAt: timing.startedAt,
    ms: timing.ms,
    sites: verdict.sites,
    tasks: verdict.tasks,
    recipients: verdict.recipients,
    report: verdict.report,
  };
  if (verdict.error !== undefined) result.error = verdict.error;
  if (verdict.errorCode !== undefined) result.errorCode = verdict.errorCode;
  if (verdict.warnings !== undefined) result.warnings = verdict.warnings;
  keepCause(result, verdict.cause);
  if (verdict.notification && verdict.evaluation) result.notification = verdict.notification;
  if (notified.mail) {
    result.mail = notified.mail;
    if (!notified.mail.sent) result.errorCode ??= 'E_MAIL';
  }
  if (notified.webhooks) result.webhooks = notified.webhooks;
  if (persisted.state) result.state = persisted.state;
  if (persisted.ledger) result.ledger = persisted.ledger;
  if (persisted.published) result.published = persisted.published;
  if (persisted.beat) result.beat = persisted.beat;
  if (persisted.errorCode) result.errorCode ??= persisted.errorCode;
  return result;
}

/**
 * The exit status the CLI uses: 0 healthy, 1 a check failed, 2 config error
 * (config.rktd missing or malformed), 3 the pulse could not finish its job (store, mail, a webhook,
 * the state in change mode, the monitor's own heartbeat).
 */
export function pulseExitCode(result: PulseResult): 0 | 1 | 2 | 3 {
  if (result.errorCode === 'E_CONFIG_UNREADABLE' || result.errorCode === 'E_EMAIL_CONFIG') return 2;
  if (result.error !== undefined || result.errorCode === 'E_STORE') return 3;
  if (result.mail && !result.mail.sent) return 3;
  if (result.webhooks?.some((w) => !w.sent)) return 3;
  return result.ok ? 0 : 1;
}
