// Three monitors on one bucket, each pulse its own process, pulsing at once over a scripted
// sequence of site and task outages (issue 17): one monitor that cannot reach a site (the site
// asks for confirmation by two), one killed (SIGKILL) after it took a message, one whose SMTP
// server is down for a while. Exactly one message per change and per reminder interval on each
// channel (mail through a real SMTP server, three webhook formats through a loopback HTTP
// server), none lost; then the dashboard in Chromium shows the three monitors and the verdict.
// On a directory store and on S3 (s3rver behind the testkit's proxy).
// The clock is the script's: each round is five minutes later, whatever the machine takes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, openStore, writeHeartbeat, type Store } from '@svcmon/store';
import { readLedger, type PulseStatus, type WebhookPayload } from '@svcmon/pulse';
import {
  deadPort as closedPort,
  launchChromium,
  listen,
  REPO_ROOT,
  startHookSink,
  startS3,
  startSmtp,
  startStaticServer,
  type Browser,
  type HookSink,
  type S3TestServer,
  type StaticServer,
  type TestSmtp,
} from '@svcmon/testkit';
import { publishDashboard, setEmail, setSite, setTask } from '../src/index.js';
import { PACKAGE_DIR, tempDir } from './_helpers.js';

const PULSE_DIST = pathToFileURL(path.join(REPO_ROOT, 'packages', 'pulse', 'dist', 'index.js')).href;
const WORKER = path.join(PACKAGE_DIR, 'test', 'workers', 'pulse-worker.mjs');
const T0 = Date.parse('2026-11-24T03:00:00Z');
const minute = (m: number): Date => new Date(T0 + m * 60_000);
const ROUNDS = 16;
const REMIND_MINUTES = 15;
const MONITORS = ['monitor-a', 'monitor-b', 'monitor-c'] as const;

// The script, by round (a round is 5 minutes):
const flipDown = (r: number): boolean => r >= 3 && r <= 7; // confirm 2; monitor-c never reaches it
const otherDown = (r: number): boolean => r >= 10 && r <= 11; // confirm 1
const backupBeats = (r: number): boolean => r < 5 || r >= 10; // period 10 min: late from round 6 to 9
const smtpDown = (monitor: string, r: number): boolean => monitor === 'monitor-b' && r >= 4 && r <= 8;
const KILL = { monitor: 'monitor-a', round: 6 } as const;
// Who pulses together, where the order matters (else all three at once): in the kill round the
// monitor to be killed goes first and takes the change (the task went late); in round 8 the
// monitor whose SMTP server is down goes last, so it is the one to see the site recovered.
const ORDER: Record<number, string[][]> = {
  [KILL.round]: [[KILL.monitor], ['monitor-b', 'monitor-c']],
  8: [['monitor-a', 'monitor-c'], ['monitor-b']],
};

interface WorkerOut {
  ok: boolean;
  notification: string | null;
  /** The checks its message announces as gone down. */
  wentDown: string[];
  mail: boolean | null;
  beat: boolean | null;
  error: string | null;
}

describe.each(['dir', 's3'] as const)('three monitors, one voice on a %s store (processes, real SMTP, webhooks, Chromium)', (kind) => {
  let cleanup: () => Promise<void>;
  let dir: string;
  let store: Store;
  let s3: S3TestServer | undefined;
  /** What each worker pulses, and its environment (an S3 store: the test server's endpoint and keys). */
  let where = '';
  let env: NodeJS.ProcessEnv = process.env;
  let smtp: TestSmtp;
  let site: Server;
  let sink: HookSink;
  let siteBase = '';
  let sinkBase = '';
  let deadPort = 0;
  let round = 0;
  let hits: HookSink['hits'] = [];
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('svcmon-monitors-'));
    if (kind === 'dir') {
      store = dirStore(dir);
      where = dir;
    } else {
      s3 = await startS3({ buckets: ['monitors'] });
      store = openStore('monitors', { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} });
      where = 'monitors';
      env = {
        ...process.env,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      };
    }
    site = createServer((req, res) => {
      const down = (req.url === '/flip' && flipDown(round)) || (req.url === '/other' && otherDown(round));
      res.writeHead(down ? 503 : 200).end(down ? 'down' : 'up');
    });
    siteBase = await listen(site);
    sink = await startHookSink();
    sinkBase = sink.base;
    hits = sink.hits;
    smtp = await startSmtp();
    deadPort = await closedPort();

    await setSite(store, { url: `${siteBase}/flip`, confirm: 2 }, { force: true });
    await setSite(store, { url: `${siteBase}/other` });
    await setTask(store, { name: 'backup', period: 600 });
    for (const m of MONITORS) await setTask(store, { name: m, period: 1800 });
    await setEmail(store, { to: 'ops@example.com' });
    for (const m of MONITORS) await writeHeartbeat(store, m, { now: minute(-1) });
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await new Promise((r) => site?.close(r));
    await sink?.close();
    await smtp?.close();
    await s3?.stop();
    await cleanup?.();
  });

  function run(monitor: string, r: number, extra: Record<string, unknown> = {}): { child: ChildProcess; done: Promise<WorkerOut | null>; out: () => string } {
    const options = {
      where,
      monitor,
      now: minute(5 * r).toISOString(),
      smtpPort: smtpDown(monitor, r) ? deadPort : smtp.port,
      hooks: ['json', 'slack', 'ntfy'].map((format) => ({ url: `${sinkBase}/${format}/T0KEN`, format })),
      remind: `${REMIND_MINUTES}m`,
      ...(monitor === 'monitor-c' ? { cutOff: '/flip' } : {}),
      ...extra,
    };
    const child = spawn(process.execPath, [WORKER, PULSE_DIST, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<WorkerOut | null>((resolve, reject) => {
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (signal === 'SIGKILL') return resolve(null);
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as WorkerOut);
        } catch {
          reject(new Error(`${monitor} round ${r} exited ${code}: ${stdout}${stderr}`));
        }
      });
    });
    return { child, done, out: () => stdout };
  }

  /** A pulse killed (SIGKILL) once it took a message, before it delivered anything. */
  async function killed(monitor: string, r: number): Promise<null> {
    const k = run(monitor, r, { stallOnClaim: true });
    await new Promise<void>((resolve, reject) => {
      k.child.stdout!.on('data', () => k.out().includes('claimed') && resolve());
      k.child.on('exit', () => reject(new Error(`${monitor} exited before it took a message: ${k.out()}`)));
    });
    k.child.kill('SIGKILL');
    expect(await k.done).toBeNull();
    return null;
  }

  it('sends exactly one message per change and per reminder interval on each channel, none lost', async () => {
    const log: Array<[number, string, WorkerOut | null]> = [];
    for (round = 0; round < ROUNDS; round++) {
      if (backupBeats(round)) await writeHeartbeat(store, 'backup', { now: minute(5 * round - 1) });
      for (const group of ORDER[round] ?? [[...MONITORS]]) {
        const outs = await Promise.all(group.map((m) => (round === KILL.round && m === KILL.monitor ? killed(m, round) : run(m, round).done)));
        group.forEach((m, i) => log.push([round, m, outs[i] ?? null]));
      }
    }
    expect(log.find(([r, m]) => r === KILL.round && m === KILL.monitor)?.[2]).toBeNull();
    // The next round, another monitor (or the killed one, back) takes what it took, and it is
    // mailed once: by the taker, or, when that is monitor-b (its SMTP server down; it reached the
    // webhooks), by the next monitor to pulse, which reaches only the mail (checked below).
    const took = log.filter(([r, , out]) => r === KILL.round + 1 && out?.notification === 'change');
    expect(took.length).toBeGreaterThanOrEqual(1);
    expect(took.filter(([, , out]) => out?.mail !== false).length).toBeLessThanOrEqual(1);
    expect(log.filter(([, , out]) => out?.wentDown.includes('task:backup') && out.mail === true).map(([r]) => r)).toEqual([
      took.some(([, , out]) => out?.mail === true) ? KILL.round + 1 : KILL.round + 2,
    ]);
    // monitor-b took the recovery with its mail server down; the next round another mails it.
    expect(log.find(([r, m]) => r === 8 && m === 'monitor-b')?.[2]).toMatchObject({ notification: 'change', mail: false });
    expect(log.filter(([r, , out]) => r === 9 && out?.notification === 'change' && out.mail === true)).toHaveLength(1);
    for (const [r, m, out] of log) if (out) expect(out.error, `${m} round ${r}`).toBeNull();

    // Every channel got the same messages, in the same order.
    await smtp.waitFor(1);
    const payloads = hits.filter((h) => h.path.startsWith('/json/')).map((h) => JSON.parse(h.body) as WebhookPayload);
    const titles = payloads.map((p) => p.title);
    expect(hits.filter((h) => h.path.startsWith('/ntfy/')).map((h) => h.headers['title'])).toEqual(titles);
    expect(hits.filter((h) => h.path.startsWith('/slack/')).map((h) => (JSON.parse(h.body) as { text: string }).text.split('\n')[0])).toEqual(
      titles.map((t) => `*${t}*`),
    );
    await smtp.waitFor(titles.length);
    expect(smtp.messages.map((m) => m.parsed.subject)).toEqual(titles);

    // Replayed in order, no message repeats a change and the last leaves nothing announced.
    const alerted = new Set<string>();
    const changes: Array<[string, string]> = [];
    let lastAt = 0;
    for (const p of payloads) {
      const at = Date.parse(p.time);
      if (p.event === 'reminder') {
        expect(alerted.size).toBeGreaterThan(0);
        expect(at - lastAt).toBeGreaterThanOrEqual(REMIND_MINUTES * 60_000);
      } else {
        expect(p.event).toBe('change');
        for (const id of p.wentDown) expect(alerted.has(id), `${id} announced down twice`).toBe(false);
        for (const id of p.recovered) expect(alerted.has(id), `${id} recovered unannounced`).toBe(true);
        p.wentDown.forEach((id) => (alerted.add(id), changes.push(['down', id])));
        p.recovered.forEach((id) => (alerted.delete(id), changes.push(['up', id])));
      }
      lastAt = at;
    }
    expect(alerted.size).toBe(0);
    // The script's outages, each announced once when it began and once when it ended: the
    // site one monitor cannot reach only once a second saw it down; no monitor looked dead.
    const flip = `site:${siteBase}/flip`;
    const other = `site:${siteBase}/other`;
    expect(changes.filter(([, id]) => id === flip)).toEqual([['down', flip], ['up', flip]]);
    expect(changes.filter(([, id]) => id === other)).toEqual([['down', other], ['up', other]]);
    expect(changes.filter(([, id]) => id === 'task:backup')).toEqual([['down', 'task:backup'], ['up', 'task:backup']]);
    expect(changes.map(([, id]) => id).filter((id) => id.startsWith('task:monitor'))).toEqual([]);
    const firstFlip = payloads.find((p) => p.wentDown.includes(flip))!;
    expect(Date.parse(firstFlip.time)).toBeGreaterThanOrEqual(minute(15).getTime());
    // None lost: while something was down, a message at least every interval (plus a round, and
    // the lease of the killed monitor's message).
    for (let i = 1; i < payloads.length; i++) {
      const gap = Date.parse(payloads[i]!.time) - Date.parse(payloads[i - 1]!.time);
      if (payloads[i]!.event === 'reminder') expect(gap).toBeLessThanOrEqual((REMIND_MINUTES + 5) * 60_000);
    }
    const ledger = (await readLedger(store)).ledger!;
    expect(ledger.told?.alerted).toEqual([]);
    expect(ledger.claim).toBeUndefined();
    expect(Object.keys(ledger.monitors).sort()).toEqual([...MONITORS]);
  }, 600_000);

  it('pulse.json and the dashboard (in Chromium) show the three monitors and the combined verdict', async () => {
    // monitor-c stops: 40 minutes later the two others (which kept beating) find its task late.
    const last = ROUNDS;
    round = ROUNDS;
    for (const task of ['backup', 'monitor-a', 'monitor-b']) await writeHeartbeat(store, task, { now: minute(5 * (last + 7) - 1) });
    await run('monitor-b', last + 7).done;
    await run('monitor-a', last + 7).done;
    const combined = JSON.parse((await store.get('pulse.json'))!.body.toString()) as PulseStatus;
    expect(combined.ok).toBe(false);
    expect(combined.monitors?.map((m) => m.name)).toEqual([...MONITORS]);
    // The dashboard reads that pulse.json whatever the store: it is opened in Chromium once, from the directory.
    if (kind === 's3') return;
    let server: StaticServer | undefined;
    let browser: Browser | undefined;
    try {
      await publishDashboard(store);
      server = await startStaticServer(dir);
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.clock.setFixedTime(minute(5 * (last + 7) + 1));
      await page.goto(`${server.url}index.html`);
      await page.waitForFunction(() => document.body.hasAttribute('data-pulse-checked'), undefined, { timeout: 20_000 });
      const rows = await page.$$eval('#pulse-monitors tr.monitor-row', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-monitor'), tr.getAttribute('data-state'), tr.querySelector('.monitor-verdict')?.textContent ?? '']),
      );
      expect(rows).toEqual([
        ['monitor-a', 'running', '1 failing: task monitor-c'],
        ['monitor-b', 'running', '1 failing: task monitor-c'],
        ['monitor-c', 'stopped', 'all healthy'],
      ]);
      expect(await page.locator('#pulse-monitors').isVisible()).toBe(true);
      const status = page.locator('#pulse-status');
      expect(await status.getAttribute('data-verdict')).toBe('failed');
      expect(await status.getAttribute('data-monitors')).toBe('3');
      expect(await status.getAttribute('data-stopped')).toBe('1');
      expect(await status.textContent()).toBe('Last pulse (monitor-a) 1 min ago: CHECK FAILED \u00b7 3 monitors, 1 stopped');
    } finally {
      await browser?.close();
      await server?.close();
    }
  }, 120_000);
});
