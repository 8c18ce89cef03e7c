// Change-mode alerts, reminders, thresholds and webhooks, against real
// loopback servers: a site whose answer the test flips, an SMTP server, and
// an HTTP sink that records every webhook request.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, racketDate, writeConfig, type Config, type Store } from '@svcmon/store';
import { listen, startSmtp, type TestSmtp } from '@svcmon/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  eventLines,
  parseDuration,
  parseEmailConfig,
  pulseExitCode,
  pulseStateKey,
  takePulse,
  validateWebhooks,
  webhookHost,
  type PulseOptions,
  type WebhookConfig,
  type WebhookPayload,
} from '../src/index.js';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let site: Server;
let siteBase = '';
/** What /flip answers. */
let flipStatus = 200;
let sink: Server;
let sinkBase = '';
const hits: Hit[] = [];
let smtp: TestSmtp;
const dirs: string[] = [];

beforeAll(async () => {
  site = createServer((req, res) => {
    if (req.url === '/flip') res.writeHead(flipStatus, { 'content-type': 'text/plain' }).end('flip');
    else if (req.url === '/ok') res.writeHead(200).end('ok');
    else res.writeHead(404).end();
  });
  siteBase = await listen(site);
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url?.startsWith('/hang')) return; // never answers
      if (req.url?.startsWith('/broken')) res.writeHead(500).end('no');
      else res.writeHead(200).end('ok');
    });
  });
  sinkBase = await listen(sink);
  smtp = await startSmtp();
});
afterAll(async () => {
  await new Promise((r) => site.close(r));
  sink.closeAllConnections();
  await new Promise((r) => sink.close(r));
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  hits.length = 0;
  smtp.messages.length = 0;
  flipStatus = 200;
});

function tempStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-alerts-'));
  dirs.push(dir);
  return dirStore(dir);
}

async function bucket(config: Config): Promise<Store> {
  const store = tempStore();
  await writeConfig(store, config, {});
  return store;
}

const T0 = Date.parse('2026-11-24T03:00:00Z');
const at = (minutes: number) => (): Date => new Date(T0 + minutes * 60_000);

function hooks(token = 'T0KEN'): WebhookConfig[] {
  return [
    { url: `${sinkBase}/json/${token}`, format: 'json' },
    { url: `${sinkBase}/slack/${token}`, format: 'slack' },
    { url: `${sinkBase}/ntfy/${token}`, format: 'ntfy' },
  ];
}

function options(extra: PulseOptions = {}): PulseOptions {
  return {
    emailMode: 'change',
    emailConfig: { server: '127.0.0.1', port: smtp.port },
    webhooks: hooks(),
    ...extra,
  };
}

const perChannel = (): Record<string, number> => {
  const count: Record<string, number> = { mail: smtp.messages.length };
  for (const h of hits) {
    const channel = h.path.split('/')[1] ?? '';
    count[channel] = (count[channel] ?? 0) + 1;
  }
  return count;
};

describe('change mode', () => {
  it('down → down → up → up sends exactly two notifications per channel, saying what went down and what recovered', async () => {
    const flip = `${siteBase}/flip`;
    const store = await bucket({ sites: [{ url: flip }, { url: `${siteBase}/ok` }], emails: [{ to: 'ops@example.com' }] });
    const results = [];
    for (const [i, status] of [503, 503, 200, 200].entries()) {
      flipStatus = status;
      results.push(await takePulse(store, options({ now: at(5 * i) })));
    }
    expect(results.map((r) => r.ok)).toEqual([false, false, true, true]);
    expect(results.map((r) => r.notification?.kind ?? null)).toEqual(['change', null, 'change', null]);
    expect(results.map(pulseExitCode)).toEqual([1, 1, 0, 0]);
    await smtp.waitFor(2);
    expect(perChannel()).toEqual({ mail: 2, json: 2, slack: 2, ntfy: 2 });

    const [down, up] = smtp.messages;
    expect(down!.parsed.subject).toBe(`[take-pulse] DOWN ${flip} at ${store.location}`);
    expect(down!.parsed.text).toContain(`Went down:\n  ${flip} (HTTP 503)\n`);
    expect(down!.parsed.text).toContain(`${flip}: FAILED (HTTP 503)`);
    expect(up!.parsed.subject).toBe(`[take-pulse] recovered ${flip} at ${store.location}`);
    expect(up!.parsed.text).toContain(`Recovered:\n  ${flip}\n`);
    // Recipients in change mode: everyone (a recovery is news).
    expect(up!.to).toEqual(['ops@example.com']);

    const json = hits.filter((h) => h.path.startsWith('/json/')).map((h) => JSON.parse(h.body) as WebhookPayload);
    expect(json[0]).toMatchObject({
      version: 1,
      bucket: store.location,
      monitor: 'default',
      ok: false,
      event: 'change',
      time: '2026-11-24T03:00:00.000Z',
      wentDown: [`site:${flip}`],
      recovered: [],
    });
    expect(json[0]!.checks).toEqual([
      expect.objectContaining({ kind: 'site', name: flip, ok: false, reason: 'HTTP 503', status: 503 }),
      expect.objectContaining({ kind: 'site', name: `${siteBase}/ok`, ok: true, status: 200 }),
    ]);
    expect(json[1]).toMatchObject({ ok: true, event: 'change', wentDown: [], recovered: [`site:${flip}`] });
    const slack = hits.filter((h) => h.path.startsWith('/slack/'));
    expect(slack[0]!.headers['content-type']).toBe('application/json');
    const slackBody = JSON.parse(slack[0]!.body) as { text: string };
    expect(Object.keys(slackBody)).toEqual(['text']);
    expect(slackBody.text).toContain(`DOWN ${flip}`);
    const ntfy = hits.filter((h) => h.path.startsWith('/ntfy/'));
    expect(ntfy.map((h) => h.headers['priority'])).toEqual(['high', 'default']);
    expect(ntfy[0]!.headers['title']).toBe(`[take-pulse] DOWN ${flip} at ${store.location}`);
    expect(ntfy[0]!.body).toContain('Went down:');
    expect(ntfy[1]!.body).toContain('Recovered:');
  });

  it('with no previous state anything failing is news, and a healthy first pulse is not', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/ok` }], emails: [{ to: 'ops@example.com' }] });
    const quiet = await takePulse(store, options({ now: at(0) }));
    expect(quiet.notification).toBeUndefined();
    flipStatus = 500;
    const store2 = await bucket({ sites: [{ url: `${siteBase}/flip` }], emails: [{ to: 'ops@example.com' }] });
    const news = await takePulse(store2, options({ now: at(0) }));
    expect(news.notification?.kind).toBe('change');
    expect(news.notification?.wentDown.map((c) => c.id)).toEqual([`site:${siteBase}/flip`]);
  });

  it('reminds while something stays down, at the configured interval, then says when it recovers', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const kinds: Array<[number, string]> = [];
    // A five-minute pulse for 13 hours, reminders every 6 hours.
    for (let minute = 0; minute <= 13 * 60; minute += 5) {
      if (minute === 13 * 60) flipStatus = 200;
      const r = await takePulse(store, options({ now: at(minute), remind: '6h' }));
      if (r.notification) kinds.push([minute, r.notification.kind]);
    }
    expect(kinds).toEqual([
      [0, 'change'],
      [360, 'reminder'],
      [720, 'reminder'],
      [780, 'change'],
    ]);
    await smtp.waitFor(4);
    // By e-mail and each webhook format alike.
    expect(perChannel()).toEqual({ mail: 4, json: 4, slack: 4, ntfy: 4 });
    const events = hits.filter((h) => h.path.startsWith('/json/')).map((h) => (JSON.parse(h.body) as WebhookPayload).event);
    expect(events).toEqual(['change', 'reminder', 'reminder', 'change']);
    const reminder = smtp.messages[1]!;
    expect(reminder.parsed.subject).toBe(`[take-pulse] still FAILED at ${store.location}: ${siteBase}/flip`);
    expect(reminder.parsed.text).toContain(`Still down (reminder):\n  ${siteBase}/flip (HTTP 503), down since Tuesday, November 24th, 2026 3:00:00am\n`);
  });

  it('a check dated in this monitor\'s future (a clock that ran ahead) counts from now: no reminder says "down since" a date to come', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const first = await takePulse(store, options({ now: at(0), remind: '6h', webhooks: [] }));
    expect(first.notification?.kind).toBe('change');
    const key = first.state!.key;
    const state = JSON.parse((await store.get(key))!.body.toString()) as { checks: Record<string, { since: number }> };
    const id = `site:${siteBase}/flip`;
    const future = T0 / 1000 + 2 * 86400;
    state.checks[id]!.since = future;
    await store.put(key, JSON.stringify(state), { contentType: 'application/json' });
    const later = await takePulse(store, options({ now: at(360), remind: '6h', webhooks: [] }));
    expect(later.notification?.kind).toBe('reminder');
    await smtp.waitFor(2);
    const text = smtp.messages[1]!.parsed.text ?? '';
    expect(text).toContain(`down since ${racketDate(T0 / 1000 + 360 * 60)}`);
    expect(text).not.toContain(racketDate(future));
  });

  it('two monitors on one bucket keep separate state and share one ledger: the change is told once', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const a1 = await takePulse(store, options({ now: at(0), selfName: 'monitor-a', webhooks: [] }));
    const b1 = await takePulse(store, options({ now: at(1), selfName: 'monitor-b', webhooks: [] }));
    const a2 = await takePulse(store, options({ now: at(5), selfName: 'monitor-a', webhooks: [] }));
    expect([a1, b1, a2].map((r) => r.notification?.kind ?? null)).toEqual(['change', null, null]);
    expect(smtp.messages).toHaveLength(1);
    expect(a1.state).toEqual({ written: true, key: 'svcmon-pulse-state/monitor-a.json' });
    expect(b1.state?.key).toBe(pulseStateKey('monitor-b'));
    const a = JSON.parse((await store.get(pulseStateKey('monitor-a')))!.body.toString());
    const b = JSON.parse((await store.get(pulseStateKey('monitor-b')))!.body.toString());
    expect(a.checks[`site:${siteBase}/flip`].history).toBe('00');
    expect(b.checks[`site:${siteBase}/flip`].history).toBe('0');
    expect([a.monitor, b.monitor]).toEqual(['monitor-a', 'monitor-b']);
  });

  it('a pulse that started earlier but writes after a later one keeps counting (overlapping pulses of one monitor)', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }] });
    flipStatus = 503;
    await takePulse(store, { emailMode: 'none', now: at(2) });
    await takePulse(store, { emailMode: 'none', now: at(0) });
    const state = JSON.parse((await store.get(pulseStateKey()))!.body.toString());
    expect(state.checks[`site:${siteBase}/flip`]).toMatchObject({ failures: 2, since: T0 / 1000 });
  });

  it('a lost conditional write is retried against the state the other pulse left', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }] });
    flipStatus = 503;
    // Two pulses of one monitor at once: both finish, the counts add up.
    const rs = await Promise.all([0, 1, 2].map((i) => takePulse(store, { emailMode: 'none', now: at(i) })));
    expect(rs.every((r) => r.state?.written)).toBe(true);
    const state = JSON.parse((await store.get(pulseStateKey()))!.body.toString());
    expect(state.checks[`site:${siteBase}/flip`].failures).toBe(3);
  });
});

describe('delivery failures', () => {
  it('a change message that did not reach every channel is sent again by the next pulse', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const dead = createServer();
    const deadBase = await listen(dead);
    await new Promise((r) => dead.close(r));
    const deadPort = Number(new URL(deadBase).port);
    const first = await takePulse(store, options({ now: at(0), webhooks: [], emailConfig: { server: '127.0.0.1', port: deadPort } }));
    expect(first.notification?.kind).toBe('change');
    expect(first.mail?.sent).toBe(false);
    expect(pulseExitCode(first)).toBe(3);
    const second = await takePulse(store, options({ now: at(5), webhooks: [] }));
    expect(second.notification?.kind).toBe('change');
    expect(second.notification?.wentDown.map((c) => c.id)).toEqual([`site:${siteBase}/flip`]);
    expect(second.mail).toEqual({ sent: true, delivery: [{ to: 'ops@example.com', accepted: true }] });
    const third = await takePulse(store, options({ now: at(10), webhooks: [] }));
    expect(third.notification).toBeUndefined();
  });

  it('a webhook that never answers times out (each try) and is retried once', async () => {
    const store = await bucket({ sites: [] });
    const started = Date.now();
    const r = await takePulse(store, { emailMode: 'always', webhookTimeoutMs: 200, webhooks: [{ url: `${sinkBase}/hang/T`, format: 'slack' }] });
    expect(r.webhooks?.[0]).toMatchObject({ sent: false, attempts: 2, error: 'timed out after 0.2 s' });
    expect(hits.filter((h) => h.path.startsWith('/hang/'))).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('thresholds', () => {
  it('failures 3: the first two failed pulses show FAILED (n of 3) and stay healthy; the third counts', async () => {
    const flip = `${siteBase}/flip`;
    const store = await bucket({ sites: [{ url: flip, failures: 3 }], emails: [{ to: 'ops@example.com' }] });
    flipStatus = 503;
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await takePulse(store, options({ now: at(5 * i), webhooks: [] })));
    expect(rs.map((r) => r.ok)).toEqual([true, true, false]);
    expect(rs[0]!.report).toBe(`\nAll sites and tasks appear healthy\n\n${flip}: FAILED (1 of 3: HTTP 503)\n`);
    expect(rs[1]!.report).toContain(`${flip}: FAILED (2 of 3: HTTP 503)\n`);
    expect(rs[2]!.report).toBe(`\nCHECK FAILED for some site or task\n\n${flip}: FAILED (HTTP 503)\n`);
    expect(rs.map(pulseExitCode)).toEqual([0, 0, 1]);
    expect(rs.map((r) => r.notification?.kind ?? null)).toEqual([null, null, 'change']);
    // One success resets the count.
    flipStatus = 200;
    await takePulse(store, options({ now: at(15), webhooks: [] }));
    flipStatus = 503;
    const again = await takePulse(store, options({ now: at(20), webhooks: [] }));
    expect(again.report).toContain('FAILED (1 of 3: HTTP 503)');
  });
});

describe('webhooks', () => {
  it('a pulse that cannot read its config still calls the webhooks (no recipients are known)', async () => {
    const store = tempStore();
    await store.put('config.rktd', '#hash((tasks . (#hash((name . "x"))', { contentType: 'application/data' });
    const r = await takePulse(store, { emailMode: 'failure', webhooks: [{ url: `${sinkBase}/json/TOKEN`, format: 'json' }], bucket: 'golden' });
    expect(r.errorCode).toBe('E_CONFIG_UNREADABLE');
    expect(pulseExitCode(r)).toBe(2);
    expect(r.webhooks).toMatchObject([{ sent: true, format: 'json' }]);
    expect(hits).toHaveLength(1);
    const payload = JSON.parse(hits[0]!.body) as WebhookPayload;
    expect(payload).toMatchObject({ bucket: 'golden', ok: false, title: '[take-pulse] PULSE FAILED at golden', checks: [] });
    expect(payload.text).toContain('config.rktd');
    // --no-email keeps it quiet, as for every other message.
    const quiet = await takePulse(store, { emailMode: 'none', webhooks: [{ url: `${sinkBase}/json/TOKEN`, format: 'json' }] });
    expect(quiet.webhooks).toBeUndefined();
    expect(hits).toHaveLength(1);
  });

  it('a failing webhook is retried once, reported by host only, and makes the exit status 3', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/ok` }] });
    const lines: string[] = [];
    const r = await takePulse(store, {
      emailMode: 'always',
      webhooks: [{ url: `${sinkBase}/broken/SECRET-TOKEN`, format: 'json' }, { url: `${sinkBase}/json/SECRET-TOKEN`, format: 'json' }],
      onEvent: (e) => lines.push(...eventLines(e)),
    });
    expect(r.ok).toBe(true);
    const host = new URL(sinkBase).host;
    expect(r.webhooks).toEqual([
      { host, format: 'json', sent: false, status: 500, attempts: 2, error: 'HTTP 500' },
      { host, format: 'json', sent: true, status: 200, attempts: 1 },
    ]);
    expect(hits.filter((h) => h.path.startsWith('/broken')).length).toBe(2);
    expect(pulseExitCode(r)).toBe(3);
    expect(lines.join('\n')).not.toContain('SECRET-TOKEN');
    expect(lines).toContain(`  ${host} (json)`);
  });

  it('an unreachable webhook times out or is refused without the URL in the error', async () => {
    const dead = createServer();
    const base = await listen(dead);
    await new Promise((r) => dead.close(r));
    const store = await bucket({ sites: [] });
    const r = await takePulse(store, { emailMode: 'always', webhooks: [{ url: `${base}/hook/TOKEN`, format: 'ntfy' }] });
    expect(r.webhooks?.[0]).toMatchObject({ sent: false, attempts: 2, error: 'ECONNREFUSED' });
    expect(JSON.stringify(r)).not.toContain('TOKEN');
  });

  it('the e-mail config file holds webhooks, as a Racket hash or JSON, with or without mail settings', () => {
    const rktd = parseEmailConfig(
      `#hash((webhooks . (#hash((url . "https://hooks.slack.com/services/X/Y/Z") (format . slack)) #hash((url . "https://ntfy.sh/ops") (format . "ntfy")))))`,
      'mail.rktd',
    );
    expect(rktd.webhooks).toEqual([
      { url: 'https://hooks.slack.com/services/X/Y/Z', format: 'slack' },
      { url: 'https://ntfy.sh/ops', format: 'ntfy' },
    ]);
    const json = parseEmailConfig(`{"server":"smtp.example.com","webhooks":[{"url":"https://example.com/h","format":"json"}]}`, 'mail.json');
    expect(json).toEqual({ server: 'smtp.example.com', webhooks: [{ url: 'https://example.com/h', format: 'json' }] });
    expect(() => parseEmailConfig(`{"webhooks":[{"url":"https://example.com/h/SECRET","format":"teams"}]}`, 'm.json')).toThrow(
      /webhooks\[0\]: format must be json, slack or ntfy/,
    );
    expect(() => validateWebhooks([{ url: 'ftp://x/y', format: 'json' }])).toThrow(/url must be http or https/);
    expect(() => validateWebhooks([{ url: 'https://bot:s3cret@hooks.example.com/x', format: 'json' }])).toThrow(/url must not hold user:password@/);
    expect(() => validateWebhooks('https://x')).toThrow(/must be a list/);
    expect(webhookHost('https://hooks.slack.com/services/T/B/secret')).toBe('hooks.slack.com');
  });
});

describe('publishing and durations', () => {
  it('publishes pulse.json (verdicts, history) and the badge; --no-publish and state: false leave the bucket alone', async () => {
    const store = await bucket({ sites: [{ url: `${siteBase}/flip` }], tasks: [{ name: 'monitor', period: 300 }] });
    flipStatus = 503;
    await takePulse(store, { emailMode: 'none', selfName: 'monitor', now: at(0) });
    flipStatus = 200;
    const r = await takePulse(store, { emailMode: 'none', selfName: 'monitor', now: at(5) });
    expect(r.published).toEqual({ ok: true });
    const status = JSON.parse((await store.get('pulse.json'))!.body.toString());
    expect(status).toMatchObject({ version: 1, monitor: 'monitor', ok: true, period: 300, time: '2026-11-24T03:05:00.000Z' });
    expect(status.sites[0]).toMatchObject({ url: `${siteBase}/flip`, ok: true, history: '01', lastFailure: '2026-11-24T03:00:00.000Z' });
    expect(status.tasks[0]).toMatchObject({ name: 'monitor', ok: true, history: '11' });
    const badge = (await store.get('pulse-badge.svg'))!;
    expect(badge.body.toString()).toMatch(/^<svg [^>]*aria-label="pulse: healthy"/);

    const quiet = await bucket({ sites: [{ url: `${siteBase}/ok` }] });
    const before = (await import('node:fs')).readdirSync(quiet.location);
    const q = await takePulse(quiet, { emailMode: 'none', publish: false, state: false });
    expect(q.published).toBeUndefined();
    expect(q.state).toBeUndefined();
    expect((await import('node:fs')).readdirSync(quiet.location)).toEqual(before);
  });

  it('parses durations', () => {
    expect([parseDuration('6h'), parseDuration('30m'), parseDuration('1d'), parseDuration('1h30m'), parseDuration('90')]).toEqual([
      21600, 1800, 86400, 5400, 90,
    ]);
    expect(() => parseDuration('soon')).toThrow(RangeError);
    expect(() => parseDuration('0h')).toThrow(RangeError);
  });
});
