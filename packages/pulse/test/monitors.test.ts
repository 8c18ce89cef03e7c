// Several monitors on one bucket (issue 17): each one's status under its own key, the combined
// view in pulse.json, one message per change through the shared ledger (whoever takes it), a
// taker that cannot deliver, a taker that never says, and confirmation from K monitors. Real
// loopback servers: a site the test flips, an SMTP server, an HTTP sink for the webhooks; the
// clock is injected.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, openStore, writeConfig, writeHeartbeat, type Config, type Store } from '@svcmon/store';
import { deadPort as closedPort, listen, startHookSink, startS3, startSmtp, type HookSink, type S3TestServer, type TestSmtp } from '@svcmon/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  channelId,
  CLAIM_LEASE_SECONDS,
  eventLines,
  monitorStatusKey,
  PULSE_JSON_KEY,
  PULSE_LEDGER_KEY,
  readLedger,
  siteRequest,
  takePulse,
  updateLedger,
  type PulseEvent,
  type PulseOptions,
  type PulseStatus,
  type SiteRequest,
  type WebhookConfig,
  type WebhookPayload,
} from '../src/index.js';

let site: Server;
let siteBase = '';
let flipStatus = 200;
let sink: HookSink;
let sinkBase = '';
let hooksHit: HookSink['hits'] = [];
let smtp: TestSmtp;
/** A port nothing listens on: an SMTP server that is down. */
let deadPort = 0;
const dirs: string[] = [];

beforeAll(async () => {
  site = createServer((req, res) => {
    if (req.url === '/flip') res.writeHead(flipStatus).end('flip');
    else res.writeHead(200).end('ok');
  });
  siteBase = await listen(site);
  sink = await startHookSink();
  sinkBase = sink.base;
  hooksHit = sink.hits;
  smtp = await startSmtp();
  deadPort = await closedPort();
});
afterAll(async () => {
  await new Promise((r) => site.close(r));
  await sink.close();
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  hooksHit.length = 0;
  smtp.messages.length = 0;
  flipStatus = 200;
});

const T0 = Date.parse('2026-11-24T03:00:00Z');
const at = (minutes: number) => (): Date => new Date(T0 + minutes * 60_000);
const FLIP = (): string => `${siteBase}/flip`;

async function bucket(config: Config): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-monitors-'));
  dirs.push(dir);
  const store = dirStore(dir);
  await writeConfig(store, config, {});
  await seedBeats(store, config);
  return store;
}

/** Every monitor's task beat a minute before the tests' first pulse. */
async function seedBeats(store: Store, config: Config): Promise<void> {
  for (const t of config.tasks ?? []) await writeHeartbeat(store, t.name, { now: at(-1)() });
}

const MONITORS = ['monitor-a', 'monitor-b', 'monitor-c'];

/** Three monitors watching each other (every 5 minutes, 10 minutes allowed) and one site. */
function threeMonitors(site: Record<string, unknown> = {}): Config {
  return {
    sites: [{ url: FLIP(), ...site }],
    tasks: MONITORS.map((name) => ({ name, period: 600 })),
    emails: [{ to: 'ops@example.com' }],
  } as Config;
}

const hooks = (): WebhookConfig[] => [
  { url: `${sinkBase}/json/T0KEN`, format: 'json' },
  { url: `${sinkBase}/slack/T0KEN`, format: 'slack' },
  { url: `${sinkBase}/ntfy/T0KEN`, format: 'ntfy' },
];

/** A network that cannot reach the flipped site (this monitor's own network), and reaches the rest. */
const cutOff: SiteRequest = (url, options) => {
  if (url.href.endsWith('/flip')) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  return siteRequest(url, options);
};

function pulse(store: Store, monitor: string, minute: number, extra: PulseOptions = {}): ReturnType<typeof takePulse> {
  return takePulse(store, {
    emailMode: 'change',
    emailConfig: { server: '127.0.0.1', port: smtp.port },
    webhooks: hooks(),
    selfName: monitor,
    beat: true,
    now: at(minute),
    ...extra,
  });
}

/** What each channel received: mail subjects, and the json/slack/ntfy hooks' counts. */
function perChannel(): Record<string, number> {
  const count: Record<string, number> = { mail: smtp.messages.length };
  for (const h of hooksHit) {
    const channel = h.path.split('/')[1] ?? '';
    count[channel] = (count[channel] ?? 0) + 1;
  }
  return count;
}

const jsonEvents = (): Array<[string, string[], string[]]> =>
  hooksHit
    .filter((h) => h.path.startsWith('/json/'))
    .map((h) => JSON.parse(h.body) as WebhookPayload)
    .map((p) => [p.event, p.wentDown, p.recovered]);

async function readJson<T>(store: Store, key: string): Promise<T> {
  const obj = await store.get(key);
  expect(obj, key).not.toBeNull();
  return JSON.parse(obj!.body.toString('utf8')) as T;
}

describe('each monitor under its own key, and the combined view', () => {
  it("a monitor's verdicts count for its own period plus grace", async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], tasks: [{ name: 'monitor-a', period: 300, grace: 120 }] } as Config);
    await takePulse(store, { emailMode: 'none', selfName: 'monitor-a', now: at(0) });
    const { monitors } = await readJson<PulseStatus>(store, PULSE_JSON_KEY);
    expect(monitors).toMatchObject([{ name: 'monitor-a', period: 300, grace: 120, fresh: 420, stopped: false }]);
  });

  it('one monitor: pulse.json is its status (plus monitors), the same under pulse/<monitor>.status.json', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], tasks: [{ name: 'monitor-a', period: 300 }] } as Config);
    const r = await takePulse(store, { emailMode: 'none', selfName: 'monitor-a', now: at(0) });
    expect(r.published).toEqual({ ok: true });
    const combined = await readJson<PulseStatus>(store, PULSE_JSON_KEY);
    const own = await readJson<PulseStatus>(store, monitorStatusKey('monitor-a'));
    expect(monitorStatusKey('monitor-a')).toBe('pulse/monitor-a.status.json');
    expect(monitorStatusKey('ops/eu 1')).toBe('pulse/ops%2Feu%201.status.json');
    const { monitors, ...rest } = combined;
    expect(rest).toEqual(own);
    expect(own).toMatchObject({ version: 1, monitor: 'monitor-a', ok: true, period: 300 });
    expect(monitors).toEqual([
      { name: 'monitor-a', key: 'pulse/monitor-a.status.json', seconds: T0 / 1000, time: '2026-11-24T03:00:00.000Z', period: 300, fresh: 300, stopped: false, ok: true, down: [] },
    ]);
  });

  it('three monitors: pulse.json lists each with its last pulse, its verdict and whether it stopped', async () => {
    const store = await bucket(threeMonitors());
    flipStatus = 503;
    await pulse(store, 'monitor-a', 0, { emailMode: 'none' });
    await pulse(store, 'monitor-b', 1, { emailMode: 'none' });
    await pulse(store, 'monitor-c', 2, { emailMode: 'none', siteRequest: cutOff });
    // monitor-c stops; the others go on.
    flipStatus = 200;
    for (const minute of [5, 10]) {
      await pulse(store, 'monitor-a', minute, { emailMode: 'none' });
      await pulse(store, 'monitor-b', minute + 1, { emailMode: 'none' });
    }
    await pulse(store, 'monitor-a', 14, { emailMode: 'none' });
    const r = await pulse(store, 'monitor-b', 15, { emailMode: 'none' });
    const combined = await readJson<PulseStatus>(store, PULSE_JSON_KEY);
    expect(combined.monitor).toBe('monitor-b');
    expect(combined.monitors?.map((m) => [m.name, m.time, m.stopped, m.ok, m.down])).toEqual([
      ['monitor-a', '2026-11-24T03:14:00.000Z', false, false, ['task:monitor-c']],
      ['monitor-b', '2026-11-24T03:15:00.000Z', false, false, ['task:monitor-c']],
      ['monitor-c', '2026-11-24T03:02:00.000Z', true, false, [`site:${FLIP()}`]],
    ]);
    // monitor-c's verdict no longer counts (stale): the site is up; its silence is the task's.
    expect(r.sites[0]).toMatchObject({ ok: true });
    expect(r.sites[0]?.confirming).toBeUndefined();
    expect(r.tasks.find((t) => t.name === 'monitor-c')).toMatchObject({ ok: false, state: 'late' });
    for (const m of MONITORS) expect((await readJson<PulseStatus>(store, monitorStatusKey(m))).monitor).toBe(m);
    const badge = (await store.get('pulse-badge.svg'))!.body.toString('utf8');
    expect(badge).toContain('1 failing');
  });
});

describe('one message per change', () => {
  it('three monitors, a site down then up: one message per change and per reminder interval on each channel', async () => {
    const store = await bucket(threeMonitors());
    const told: Array<[number, string, string]> = [];
    for (let round = 0; round < 12; round++) {
      flipStatus = round >= 2 && round < 9 ? 503 : 200;
      for (const [i, m] of MONITORS.entries()) {
        const r = await pulse(store, m, round * 5 + i, { remind: '15m' });
        if (r.notification) told.push([round, m, r.notification.kind]);
      }
    }
    // The first monitor to see each change takes it; reminders every 15 minutes, by whoever is
    // first then. Recovered once no fresh monitor's last verdict has it down: the last to see it up tells.
    expect(told).toEqual([
      [2, 'monitor-a', 'change'],
      [5, 'monitor-a', 'reminder'],
      [8, 'monitor-a', 'reminder'],
      [9, 'monitor-c', 'change'],
    ]);
    await smtp.waitFor(4);
    expect(perChannel()).toEqual({ mail: 4, json: 4, slack: 4, ntfy: 4 });
    expect(jsonEvents()).toEqual([
      ['change', [`site:${FLIP()}`], []],
      ['reminder', [], []],
      ['reminder', [], []],
      ['change', [], [`site:${FLIP()}`]],
    ]);
    const ledger = (await readLedger(store)).ledger!;
    expect(ledger.told).toEqual({ alerted: [], notifiedAt: T0 / 1000 + 47 * 60 });
    expect(ledger.claim).toBeUndefined();
  });

  it('the taker whose mail server is down: the ledger says so, the next monitor mails it, the webhooks it reached are not called again', async () => {
    const store = await bucket(threeMonitors());
    await pulse(store, 'monitor-a', 0);
    flipStatus = 503;
    const a = await pulse(store, 'monitor-a', 5, { emailConfig: { server: '127.0.0.1', port: deadPort } });
    expect(a.notification?.kind).toBe('change');
    expect(a.mail?.sent).toBe(false);
    expect(a.ledger).toEqual({ written: true, key: PULSE_LEDGER_KEY });
    expect(a.beat).toMatchObject({ written: false, reason: 'the report was not sent' });
    const left = (await readLedger(store)).ledger!;
    expect(left.told).toBeUndefined();
    expect(left.undelivered).toMatchObject({
      by: 'monitor-a',
      kind: 'change',
      alerted: [`site:${FLIP()}`],
      delivered: hooks().map((h) => channelId('webhook', h.url)).sort(),
    });
    expect(left.undelivered?.error).toMatch(/ECONNREFUSED|connect/);
    expect(perChannel()).toEqual({ mail: 0, json: 1, slack: 1, ntfy: 1 });

    const b = await pulse(store, 'monitor-b', 6);
    expect(b.notification?.kind).toBe('change');
    expect(b.mail?.sent).toBe(true);
    expect(b.webhooks).toBeUndefined();
    const c = await pulse(store, 'monitor-c', 7);
    expect(c.notification).toBeUndefined();
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1, json: 1, slack: 1, ntfy: 1 });
    expect(smtp.messages[0]!.parsed.subject).toBe(`[take-pulse] DOWN ${FLIP()} at ${store.location}`);
    const done = (await readLedger(store)).ledger!;
    expect(done.told).toEqual({ alerted: [`site:${FLIP()}`], notifiedAt: T0 / 1000 + 6 * 60 });
    expect(done.undelivered).toBeUndefined();
  });

  it('the same monitor delivers it on its next pulse when it is the only one', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const first = await pulse(store, 'monitor-a', 0, { emailConfig: { server: '127.0.0.1', port: deadPort }, webhooks: [] });
    expect(first.mail?.sent).toBe(false);
    const second = await pulse(store, 'monitor-a', 5, { webhooks: [] });
    expect(second.notification?.kind).toBe('change');
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1 });
  });

  it('a message another monitor took is its to deliver; once its lease lapses (killed, hung) the next monitor delivers it', async () => {
    const store = await bucket(threeMonitors());
    await pulse(store, 'monitor-a', 0);
    flipStatus = 503;
    // monitor-c beat at minute 4, took the change at minute 5 and died before it said how delivery went.
    await writeHeartbeat(store, 'monitor-c', { now: at(4)() });
    await updateLedger(store, (current) => ({
      ledger: { ...current!, claim: { id: 'dead', by: 'monitor-c', seconds: T0 / 1000 + 300, kind: 'change', alerted: [`site:${FLIP()}`], delivered: [] } },
      value: undefined,
    }));
    const events: PulseEvent[] = [];
    const quiet = await pulse(store, 'monitor-a', 6, { onEvent: (e) => events.push(e) });
    expect(quiet.notification).toBeUndefined();
    const n = events.find((e) => e.type === 'notification');
    expect(n).toMatchObject({ quiet: 'taken', takenBy: 'monitor-c' });
    expect(eventLines(n!)).toEqual(['', 'Monitor "monitor-c" is delivering this change: not notifying']);
    expect(perChannel()).toEqual({ mail: 0 });
    const lapsed = await pulse(store, 'monitor-b', 5 + CLAIM_LEASE_SECONDS / 60);
    expect(lapsed.notification?.kind).toBe('change');
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1, json: 1, slack: 1, ntfy: 1 });
    expect((await readLedger(store)).ledger!.told?.alerted).toEqual([`site:${FLIP()}`]);
  });

  it('two overlapping pulses of one monitor (a cron that starts the next early): the earlier one delivers, the later one stays quiet', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] });
    await pulse(store, 'monitor-a', 0, { webhooks: [] });
    flipStatus = 503;
    // The pulse of minute 5 took the change and is still delivering it when the next one starts.
    await updateLedger(store, (current) => ({
      ledger: { ...current!, claim: { id: 'earlier', by: 'monitor-a', seconds: T0 / 1000 + 300, kind: 'change', alerted: [`site:${FLIP()}`], delivered: [] } },
      value: undefined,
    }));
    const events: PulseEvent[] = [];
    const later = await pulse(store, 'monitor-a', 6, { webhooks: [], onEvent: (e) => events.push(e) });
    expect(later.notification).toBeUndefined();
    expect(events.find((e) => e.type === 'notification')).toMatchObject({ quiet: 'taken', takenBy: 'monitor-a' });
    expect(perChannel()).toEqual({ mail: 0 });
    // Never heard of again (killed): once its lease lapses, the monitor's next pulse delivers it.
    const next = await pulse(store, 'monitor-a', 5 + CLAIM_LEASE_SECONDS / 60, { webhooks: [] });
    expect(next.notification?.kind).toBe('change');
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1 });
  });

  it('monitors named __proto__ and constructor are monitors like any other', async () => {
    const names = ['__proto__', 'constructor'];
    const store = await bucket({ sites: [{ url: FLIP(), confirm: 2 }], tasks: names.map((name) => ({ name, period: 600 })), emails: [{ to: 'ops@example.com' }] } as Config);
    flipStatus = 503;
    const first = await pulse(store, '__proto__', 0);
    expect(first.notification).toBeUndefined();
    expect(first.report).toContain(`${FLIP()}: FAILED (1 of 1 monitors, 2 needed: __proto__: HTTP 503)`);
    const second = await pulse(store, 'constructor', 1);
    expect(second.notification?.kind).toBe('change');
    const ledger = (await readLedger(store)).ledger!;
    expect(Object.keys(ledger.monitors).sort()).toEqual(names);
    const combined = await readJson<PulseStatus>(store, PULSE_JSON_KEY);
    expect(combined.monitors?.map((m) => [m.name, m.key])).toEqual([
      ['__proto__', 'pulse/__proto__.status.json'],
      ['constructor', 'pulse/constructor.status.json'],
    ]);
    await smtp.waitFor(1);
  });

  it('a damaged ledger is said (file, what is wrong) and rewritten; what is down is announced again', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    await pulse(store, 'monitor-a', 0, { webhooks: [] });
    await smtp.waitFor(1);
    await store.put(PULSE_LEDGER_KEY, '{"version": 1, "told": {"alerted": [', { contentType: 'application/json' });
    const events: PulseEvent[] = [];
    const r = await pulse(store, 'monitor-a', 5, { webhooks: [], onEvent: (e) => events.push(e) });
    const warning = r.warnings?.find((w) => w.code === 'ledger-damaged');
    expect(warning?.message).toContain(`the pulse ledger ${PULSE_LEDGER_KEY} in ${store.location} could not be used in full: it is not JSON (`);
    expect(warning?.message).toContain('what is down now is announced again');
    expect(events.filter((e) => e.type === 'warning' && e.code === 'ledger-damaged')).toHaveLength(1);
    expect(r.notification?.kind).toBe('change');
    expect((await readLedger(store)).damage).toEqual([]);
    await smtp.waitFor(2);
    // One bad part: only it is left out, and said.
    const ledger = JSON.parse((await store.get(PULSE_LEDGER_KEY))!.body.toString('utf8')) as Record<string, unknown>;
    await store.put(PULSE_LEDGER_KEY, JSON.stringify({ ...ledger, claim: { by: 42 } }), { contentType: 'application/json' });
    const again = await pulse(store, 'monitor-a', 10, { webhooks: [] });
    expect(again.warnings?.find((w) => w.code === 'ledger-damaged')?.message).toMatch(/could not be used in full: "claim" is not a claim\. This pulse rewrites it without those parts$/);
    expect(again.notification).toBeUndefined();
    expect(perChannel()).toEqual({ mail: 2 });
  });

  it("a monitor whose clock is ahead: its verdicts do not count and its notification time does not silence reminders, and it is said", async () => {
    const store = await bucket(threeMonitors({ confirm: 2 }));
    flipStatus = 503;
    // monitor-b's clock is two hours ahead: it saw the site down and mailed people "at" 05:00.
    await pulse(store, 'monitor-b', 120, { siteRequest: cutOff, emailMode: 'none' });
    await updateLedger(store, (current) => ({ ledger: { ...current!, told: { alerted: [], notifiedAt: T0 / 1000 + 7200 } }, value: undefined }));
    const a = await pulse(store, 'monitor-a', 0, { remind: '15m' });
    const warning = a.warnings?.find((w) => w.code === 'clock-ahead');
    expect(warning?.message).toContain('monitor "monitor-b" last pulsed 7200 s after this monitor\'s clock');
    expect(warning?.message).toContain("people were last told 7200 s after this monitor's clock");
    // Alone by its own clock: the site needs two monitors.
    expect(a.report).toContain(`${FLIP()}: FAILED (1 of 1 monitors, 2 needed: monitor-a: HTTP 503)`);
    flipStatus = 200;
    await updateLedger(store, (current) => ({ ledger: { ...current!, told: { alerted: ['task:monitor-b', 'task:monitor-c'], notifiedAt: T0 / 1000 + 7200 } }, value: undefined }));
    // What is down was told (monitor-b's heartbeat is in the future, monitor-c is late): the
    // reminder is due, although the last notification is "later".
    const reminded = await pulse(store, 'monitor-a', 31, { remind: '15m' });
    expect(reminded.notification?.kind).toBe('reminder');
    await smtp.waitFor(1);
  });

  it('a site removed while down and added back while down is announced again', async () => {
    const config = { sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] } as Config;
    const store = await bucket(config);
    flipStatus = 503;
    expect((await pulse(store, 'monitor-a', 0, { webhooks: [] })).notification?.kind).toBe('change');
    await writeConfig(store, { ...config, sites: [] }, {});
    expect((await pulse(store, 'monitor-a', 5, { webhooks: [] })).notification).toBeUndefined();
    expect((await readLedger(store)).ledger!.told?.alerted).toEqual([]);
    await writeConfig(store, config, {});
    const back = await pulse(store, 'monitor-a', 10, { webhooks: [] });
    expect(back.notification?.wentDown.map((c) => c.id)).toEqual([`site:${FLIP()}`]);
    await smtp.waitFor(2);
  });

  it('a ledger of a newer version is neither used nor rewritten: the pulse says so and tells nobody', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const newer = '{"version":2,"monitors":{},"told":{"alerted":[]}}\n';
    await store.put(PULSE_LEDGER_KEY, newer, { contentType: 'application/json' });
    const r = await pulse(store, 'monitor-a', 0, { webhooks: [] });
    expect(r.state?.error).toMatch(/^cannot update the pulse ledger svcmon-pulse-ledger\.json: its version is 2: a newer svcmon wrote it; this monitor neither uses nor rewrites it: upgrade it$/);
    expect(r.notification).toBeUndefined();
    expect((await store.get(PULSE_LEDGER_KEY))!.body.toString('utf8')).toBe(newer);
    expect(perChannel()).toEqual({ mail: 0 });
  });

  it('a monitor dated more than a month ahead leaves the ledger like one not heard of for a month', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }] });
    await pulse(store, 'monitor-a', 0, { emailMode: 'none' });
    await updateLedger(store, (current) => ({
      ledger: { ...current!, monitors: { ...current!.monitors, ghost: { seconds: 4102444800, fresh: 600, ok: true, down: {} } } },
      value: undefined,
    }));
    const r = await pulse(store, 'monitor-a', 5, { emailMode: 'none' });
    expect(r.warnings?.find((w) => w.code === 'clock-ahead')?.message).toContain('monitor "ghost" last pulsed');
    expect(Object.keys((await readLedger(store)).ledger!.monitors)).toEqual(['monitor-a']);
  });

  it('a hand-written site URL with user:password@ fails its site, and the password is shown nowhere', async () => {
    const secret = `http://ops:s3cret@127.0.0.1:${new URL(siteBase).port}/flip`;
    const store = await bucket({ sites: [{ url: secret }] } as Config);
    const r = await pulse(store, 'monitor-a', 0, { emailMode: 'none' });
    expect(r.sites[0]).toMatchObject({ ok: false, url: `http://***@127.0.0.1:${new URL(siteBase).port}/flip` });
    expect(r.sites[0]?.reason).toContain('no user:password@');
    const published = [r.report, JSON.stringify(r.sites), (await store.get(PULSE_JSON_KEY))!.body.toString('utf8')];
    for (const text of published) expect(text).not.toContain('s3cret');
  });

  it('the password stays hidden when the URL holds characters its quoting escapes, and in the problem itself', async () => {
    // The message quotes the URL (a `"` becomes `\"`), so hiding it in the quoted text would miss it.
    const secret = `http://ops:s3cret@127.0.0.1:${new URL(siteBase).port}/flip?q="x"`;
    const store = await bucket({ sites: [{ url: secret }] } as Config);
    const r = await pulse(store, 'monitor-a', 0, { emailMode: 'none' });
    expect(r.sites[0]?.reason).toContain('got "http://***@127.0.0.1');
    const published = [r.report, JSON.stringify(r.sites), (await store.get(PULSE_JSON_KEY))!.body.toString('utf8')];
    for (const text of published) expect(text).not.toContain('s3cret');
  });

  it('a bucket whose monitor told people before the ledger existed does not announce it again', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    await store.put(
      'svcmon-pulse-state/default.json',
      `${JSON.stringify({ version: 1, monitor: 'default', seconds: T0 / 1000, ok: false, checks: {}, alerted: [`site:${FLIP()}`], notifiedAt: T0 / 1000 })}\n`,
      { contentType: 'application/json' },
    );
    const r = await takePulse(store, { emailMode: 'change', emailConfig: { server: '127.0.0.1', port: smtp.port }, now: at(5) });
    expect(r.notification).toBeUndefined();
    expect((await readLedger(store)).ledger!.told).toEqual({ alerted: [`site:${FLIP()}`], notifiedAt: T0 / 1000 });
  });
});

describe('confirmation: confirm K', () => {
  it('a site one monitor cannot reach stays healthy with FAILED (1 of 3 monitors, 2 needed), and is DOWN once a second one sees it', async () => {
    const store = await bucket(threeMonitors({ confirm: 2 }));
    const reports: string[] = [];
    const c0 = await pulse(store, 'monitor-c', 0, { siteRequest: cutOff });
    const a0 = await pulse(store, 'monitor-a', 1);
    const b0 = await pulse(store, 'monitor-b', 2);
    for (const r of [c0, a0, b0]) reports.push(r.report.split('\n').find((l) => l.startsWith(FLIP()))!);
    expect(reports).toEqual([
      `${FLIP()}: FAILED (1 of 1 monitors, 2 needed: monitor-c: connection refused)`,
      `${FLIP()}: FAILED (1 of 2 monitors: monitor-c: connection refused)`,
      `${FLIP()}: FAILED (1 of 3 monitors, 2 needed: monitor-c: connection refused)`,
    ]);
    expect([c0, a0, b0].map((r) => r.ok)).toEqual([true, true, true]);
    expect(b0.sites[0]).toMatchObject({ ok: true, confirming: { count: 1, monitors: 3, needed: 2 } });
    expect(perChannel()).toEqual({ mail: 0 });
    // The site goes down for everyone: the second monitor to see it confirms it and tells.
    flipStatus = 503;
    const c1 = await pulse(store, 'monitor-c', 5, { siteRequest: cutOff });
    const a1 = await pulse(store, 'monitor-a', 6);
    const b1 = await pulse(store, 'monitor-b', 7);
    expect([c1, a1, b1].map((r) => [r.ok, r.notification?.kind ?? null])).toEqual([
      [true, null],
      [false, 'change'],
      [false, null],
    ]);
    expect(a1.report).toContain(`${FLIP()}: FAILED (HTTP 503)`);
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1, json: 1, slack: 1, ntfy: 1 });
    // Back up where it can be reached: monitor-a alone sees it up, monitor-b's verdict still counts; then monitor-b too.
    flipStatus = 200;
    const a2 = await pulse(store, 'monitor-a', 11);
    const b2 = await pulse(store, 'monitor-b', 12);
    expect([a2, b2].map((r) => [r.ok, r.notification?.kind ?? null])).toEqual([
      [false, null],
      [true, 'change'],
    ]);
    expect(a2.report).toContain(`${FLIP()}: FAILED (monitor-b: HTTP 503, and 1 more monitor)`);
    await smtp.waitFor(2);
    expect(perChannel()).toEqual({ mail: 2, json: 2, slack: 2, ntfy: 2 });
  });

  it('works together with failures: a monitor counts only once its own threshold is reached', async () => {
    const store = await bucket(threeMonitors({ confirm: 2, failures: 2 }));
    flipStatus = 503;
    const a0 = await pulse(store, 'monitor-a', 0);
    const b0 = await pulse(store, 'monitor-b', 1);
    expect(a0.report).toContain(`${FLIP()}: FAILED (1 of 2: HTTP 503)`);
    expect(b0.report).toContain(`${FLIP()}: FAILED (1 of 2: HTTP 503)`);
    const a1 = await pulse(store, 'monitor-a', 5);
    expect(a1.report).toContain(`${FLIP()}: FAILED (1 of 2 monitors: monitor-a: HTTP 503)`);
    expect(a1.ok).toBe(true);
    const b1 = await pulse(store, 'monitor-b', 6);
    expect(b1.ok).toBe(false);
    expect(b1.notification?.kind).toBe('change');
    expect(perChannel()).toMatchObject({ json: 1 });
  });

  it('a single monitor with the default confirm 1 judges as before', async () => {
    const store = await bucket({ sites: [{ url: FLIP() }] });
    flipStatus = 503;
    const r = await takePulse(store, { emailMode: 'none', now: at(0) });
    expect(r.ok).toBe(false);
    expect(r.report).toContain(`${FLIP()}: FAILED (HTTP 503)`);
  });
});

describe('on S3 (s3rver)', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['monitors'] });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('two monitors, confirm 2: one message per change; what a pulse costs in requests', async () => {
    const store = openStore('monitors', { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} });
    await writeConfig(store, { sites: [{ url: FLIP(), confirm: 2 }], tasks: MONITORS.slice(0, 2).map((name) => ({ name, period: 600 })), emails: [{ to: 'ops@example.com' }] } as Config, {});
    await seedBeats(store, (await import('@svcmon/store').then((m) => m.readConfig(store)))!.config);
    const cost: Record<string, Record<string, number>> = {};
    const round = async (minute: number, label: string): Promise<void> => {
      for (const [i, m] of ['monitor-a', 'monitor-b'].entries()) {
        s3.resetCounts();
        await pulse(store, m, minute + i);
        cost[`${label} ${m}`] = Object.fromEntries(Object.entries(s3.counts).filter(([, n]) => n > 0));
      }
    };
    await round(0, 'first');
    await round(5, 'quiet');
    flipStatus = 503;
    await round(10, 'change');
    await round(15, 'quiet-down');
    await smtp.waitFor(1);
    expect(perChannel()).toEqual({ mail: 1, json: 1, slack: 1, ntfy: 1 });
    expect(smtp.messages[0]!.parsed.subject).toBe(`[take-pulse] DOWN ${FLIP()} at ${store.location}`);
    // A quiet pulse of a monitor (the README's figures): GET config.rktd, LIST, GET+PUT what it
    // read, GET the other monitor's heartbeat (it changed), GET+PUT its state, GET+PUT the
    // ledger, PUT its status, pulse.json, the badge and its heartbeat.
    expect(cost['quiet monitor-b']).toEqual({ GET: 5, LIST: 1, PUT: 7 });
    // The one that took the change writes the ledger once more (no read: it knows the etag).
    expect(cost['change monitor-b']).toEqual({ GET: 5, LIST: 1, PUT: 8 });
  });
});
