import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, formatHeartbeat, type Store } from '@svcmon/store';
import { startSites, startSmtp, type Sites, type TestSmtp } from '@svcmon/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventLines, parseEmailConfig, pulseExitCode, siteRequest, takePulse, type PulseOptions, type PulseResult, type SiteRequest } from '../src/index.js';
import { fixture } from './_fixtures.js';

// The fixture runs (see shared/fixtures/racket/README.md), to the second.
const T = (hms: string): Date => new Date(`2026-11-24T${hms}Z`);
const SITE = 'http://127.0.0.1:9/';

let sites: Sites;
let smtp: TestSmtp;
const dirs: string[] = [];
beforeAll(async () => {
  sites = await startSites();
  smtp = await startSmtp();
});
afterAll(async () => {
  await sites.close();
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  smtp.messages.length = 0;
});

function tempStore(): { dir: string; store: Store } {
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-pulse-'));
  dirs.push(dir);
  return { dir, store: dirStore(dir) };
}

const put = (store: Store, key: string, body: string, contentType = 'application/json') =>
  store.put(key, body, { contentType });

/** The fixture bucket: config.rktd and every task's beat as the original left them. */
async function fixtureState(state: 'healthy' | 'failing'): Promise<Store> {
  const { store } = tempStore();
  await put(store, 'config.rktd', fixture('config.rktd'), 'application/data');
  const names = [...fixture('config.rktd').matchAll(/\(name \. "([^"]+)"\)/g)].map((m) => m[1]!);
  for (const name of names) {
    if (name === 'nightly-build') await put(store, `${name}-beat.json`, fixture('nightly-build-beat.json'));
    else if (name === 'backup' && state === 'failing') await put(store, `${name}-beat.json`, fixture('backup-beat.stale.json'));
    else if (name === 'nwu-monitor' && state === 'failing') continue;
    else await put(store, `${name}-beat.json`, formatHeartbeat(new Date(1795488696_000)));
  }
  return store;
}

/** The fixture's site (127.0.0.1:9) is served by a loopback test site: up, or refusing. */
function siteServer(up: boolean): SiteRequest {
  return (url, options) => siteRequest(new URL(url.href.replace(SITE, up ? sites.ok : sites.refused)), options);
}

async function run(store: Store, options: PulseOptions): Promise<{ result: PulseResult; stdout: string }> {
  const lines: string[] = [];
  const result = await takePulse(store, { bucket: 'golden', ...options, onEvent: (e) => lines.push(...eventLines(e)) });
  return { result, stdout: lines.map((l) => `${l}\n`).join('') };
}

function emailConfig(): PulseOptions['emailConfig'] {
  return parseEmailConfig(fixture('email-config.rktd').replace('2525', String(smtp.port)), 'email-config.rktd');
}

/** svcmon says why a site or task failed where the original does not; map those lines back. */
function asOriginal(stdout: string): string {
  return stdout
    .replace(`${SITE}: FAILED (connection refused)`, `${SITE}: FAILED`)
    .replace(
      '  no heartbeat recorded (nwu-monitor-beat.json not found)',
      '  HTTP 404 "Not Found". AWS Code="NoSuchKey" Message="The specified key does not exist."',
    );
}

describe('takePulse against the fixture bucket', () => {
  it('healthy, no e-mail: stdout as the original printed it', async () => {
    const store = await fixtureState('healthy');
    const { result, stdout } = await run(store, { emailMode: 'none', now: () => T('02:51:38'), siteRequest: siteServer(true) });
    expect(stdout).toBe(fixture('pulse-healthy.stdout.txt'));
    expect(result.ok).toBe(true);
    expect(result.recipients).toEqual([]);
    expect(result.mail).toBeUndefined();
    expect(pulseExitCode(result)).toBe(0);
    expect(result.tasks.find((t) => t.name === 'backup')).toMatchObject({ ok: true, state: 'ok', ageSeconds: 2, period: 86400 });
  });

  it('healthy, e-mail always: only addresses without on-success? #f; stdout and message as the original', async () => {
    const store = await fixtureState('healthy');
    const { result, stdout } = await run(store, {
      emailConfig: emailConfig(),
      now: () => T('02:51:39'),
      siteRequest: siteServer(true),
    });
    expect(stdout).toBe(fixture('pulse-healthy-email.stdout.txt'));
    expect(result.recipients).toEqual(['ops@example.com']);
    expect(result.mail).toEqual({ sent: true, delivery: [{ to: 'ops@example.com', accepted: true }] });
    const [m] = await smtp.waitFor(1);
    const eml = fixture('pulse-healthy-email.eml');
    for (const header of ['From', 'To', 'Subject', 'Date']) {
      expect(m!.raw).toContain(eml.match(new RegExp(`^${header}: .*\r$`, 'm'))![0]);
    }
    expect(m!.to).toEqual(['ops@example.com']);
    expect(m!.parsed.text).toBe(eml.slice(eml.indexOf('\r\n\r\n') + 4).replace(/\r\n/g, '\n'));
  });

  it('failing, no e-mail: stdout as the original printed it (with the reasons svcmon adds)', async () => {
    const store = await fixtureState('failing');
    const { result, stdout } = await run(store, { emailMode: 'none', now: () => T('02:51:41'), siteRequest: siteServer(false) });
    expect(stdout).toContain(`${SITE}: FAILED (connection refused)\n`);
    expect(asOriginal(stdout)).toBe(fixture('pulse-failing.stdout.txt'));
    expect(result.ok).toBe(false);
    expect(pulseExitCode(result)).toBe(1);
    expect(result.sites[0]).toMatchObject({ url: SITE, ok: false, reason: 'connection refused' });
    expect(result.tasks.find((t) => t.name === 'backup')).toMatchObject({ ok: false, state: 'late', ageSeconds: 183902 });
    expect(result.tasks.find((t) => t.name === 'nwu-monitor')).toMatchObject({ ok: false, state: 'missing' });
  });

  it('failing, e-mail always: every address in config order', async () => {
    const store = await fixtureState('failing');
    const { result, stdout } = await run(store, { emailConfig: emailConfig(), now: () => T('02:51:42'), siteRequest: siteServer(false) });
    expect(asOriginal(stdout)).toBe(fixture('pulse-failing-email.stdout.txt'));
    expect(result.recipients).toEqual(['oncall@example.com', 'ops@example.com']);
    const [m] = await smtp.waitFor(1);
    const eml = fixture('pulse-failing-email.eml');
    for (const header of ['From', 'To', 'Subject', 'Date']) {
      expect(m!.raw).toContain(eml.match(new RegExp(`^${header}: .*\r$`, 'm'))![0]);
    }
    expect(m!.to).toEqual(['oncall@example.com', 'ops@example.com']);
    expect(asOriginal(m!.parsed.text!)).toBe(eml.slice(eml.indexOf('\r\n\r\n') + 4).replace(/\r\n/g, '\n'));
  });

  it.each([
    ['always', 'healthy', ['ops@example.com']],
    ['always', 'failing', ['oncall@example.com', 'ops@example.com']],
    ['failure', 'healthy', []],
    ['failure', 'failing', ['oncall@example.com', 'ops@example.com']],
    ['none', 'healthy', []],
    ['none', 'failing', []],
  ] as const)('e-mail mode %s, %s → %j', async (emailMode, state, want) => {
    const store = await fixtureState(state);
    const { result, stdout } = await run(store, {
      emailMode,
      emailConfig: emailConfig(),
      now: () => T('02:51:42'),
      siteRequest: siteServer(state === 'healthy'),
    });
    expect(result.recipients).toEqual(want);
    if (want.length) {
      const [m] = await smtp.waitFor(1);
      expect(m!.to).toEqual(want);
      expect(m!.parsed.subject).toBe(`[take-pulse] ${state === 'healthy' ? 'successful' : 'FAILED'} health check at golden`);
      expect(stdout).toContain(`\nSending email:\n${want.map((w) => `  ${w}\n`).join('')}`);
    } else {
      expect(result.mail).toBeUndefined();
      expect(stdout).not.toContain('Sending email:');
      await new Promise((r) => setTimeout(r, 50));
      expect(smtp.messages).toHaveLength(0);
    }
  });

  it('the self task is taken as having beaten just now and is not read', async () => {
    const store = await fixtureState('failing');
    const { result, stdout } = await run(store, {
      emailMode: 'none',
      selfName: 'nwu-monitor',
      now: () => T('02:51:41'),
      siteRequest: siteServer(true),
    });
    expect(stdout).not.toContain('Checking task "nwu-monitor"');
    expect(stdout).toContain('nwu-monitor: ok\n  last reported Tuesday, November 24th, 2026 2:51:41am (0 seconds ago)\n');
    expect(result.tasks.at(-1)).toMatchObject({ name: 'nwu-monitor', ok: true, self: true });
    expect(result.ok).toBe(false); // backup is still late
  });

  it('SMTP down: the checks are reported, the mail error is one line, exit 3', async () => {
    const down = await startSmtp();
    await down.close();
    const store = await fixtureState('healthy');
    const { result } = await run(store, {
      emailConfig: { server: '127.0.0.1', port: down.port },
      now: () => T('02:51:39'),
      siteRequest: siteServer(true),
    });
    expect(result.ok).toBe(true);
    expect(result.mail?.sent).toBe(false);
    expect(result.mail?.error).toMatch(/^cannot send the report through SMTP server 127\.0\.0\.1:\d+: .*refused/i);
    expect(pulseExitCode(result)).toBe(3);
  });
});

describe('takePulse when it cannot do its job', () => {
  it('no config.rktd: one clear line, exit 2, no mail', async () => {
    const { store } = tempStore();
    const { result, stdout } = await run(store, { emailConfig: emailConfig() });
    expect(result.ok).toBe(false);
    expect(result.errorCode).toBe('E_CONFIG_UNREADABLE');
    expect(result.error).toBe(`no config.rktd in ${store.location}`);
    expect(stdout).toContain(result.error);
    expect(pulseExitCode(result)).toBe(2);
    expect(smtp.messages).toHaveLength(0);
  });

  it('a folder that does not exist: says so, exit 2, nothing created', async () => {
    const { store } = tempStore();
    const missing = dirStore(join(store.location, 'nodir'));
    const { result } = await run(missing, { emailMode: 'none' });
    expect(result.error).toBe(`no config.rktd in ${missing.location}: there is no such folder`);
    expect(pulseExitCode(result)).toBe(2);
    expect(existsSync(missing.location)).toBe(false);
  });

  it('malformed config.rktd: names the file and position, exit 2', async () => {
    const { store } = tempStore();
    await put(store, 'config.rktd', '#hash((tasks . (#hash((name . "x")))\n', 'application/data');
    const { result } = await run(store, {});
    expect(result.errorCode).toBe('E_CONFIG_UNREADABLE');
    expect(result.error).toMatch(/^malformed config config\.rktd:\d+:\d+: /);
    expect(result.error).not.toContain('\n');
    expect(pulseExitCode(result)).toBe(2);
  });

  it('a directory that cannot be read is E_STORE, exit 3', async () => {
    const { dir } = tempStore();
    const file = join(dir, 'not-a-dir');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x');
    const result = await takePulse(dirStore(join(file, 'sub')), {});
    expect(result.ok).toBe(false);
    expect(['E_STORE', 'E_CONFIG_UNREADABLE']).toContain(result.errorCode);
    expect(pulseExitCode(result)).toBeGreaterThanOrEqual(2);
  });
});

describe('task verdicts', () => {
  it('future, malformed, missing and late heartbeats each fail only their task', async () => {
    const { store } = tempStore();
    await put(
      store,
      'config.rktd',
      '#hash((period . 3600) (tasks . (#hash((name . "fine")) #hash((name . "ahead")) #hash((name . "skew")) #hash((name . "broken")) #hash((name . "gone")) #hash((name . "weekly") (period . 604800)) #hash((name . "late")))))\n',
      'application/data',
    );
    const now = T('02:51:36');
    const s = Math.floor(now.getTime() / 1000);
    await put(store, 'fine-beat.json', formatHeartbeat(new Date((s - 3600) * 1000)));
    await put(store, 'ahead-beat.json', formatHeartbeat(new Date((s + 7200) * 1000)));
    await put(store, 'skew-beat.json', formatHeartbeat(new Date((s + 30) * 1000)));
    await put(store, 'broken-beat.json', '{"date": "yesterday"}');
    await put(store, 'weekly-beat.json', formatHeartbeat(new Date((s - 3 * 86400) * 1000)));
    await put(store, 'late-beat.json', formatHeartbeat(new Date((s - 3601) * 1000)));
    const { result, stdout } = await run(store, { emailMode: 'none', now: () => now });
    expect(result.tasks.map((t) => [t.name, t.state])).toEqual([
      ['fine', 'ok'],
      ['ahead', 'future'],
      ['skew', 'ok'],
      ['broken', 'malformed'],
      ['gone', 'missing'],
      ['weekly', 'ok'],
      ['late', 'late'],
    ]);
    expect(stdout).toContain('fine: ok\n  last reported Tuesday, November 24th, 2026 1:51:36am (1 hour ago)\n');
    expect(stdout).toContain('ahead: ERROR\n  last report is in the future: Tuesday, November 24th, 2026 4:51:36am (2 hours ahead)\n');
    expect(stdout).toContain('skew: ok\n  last reported Tuesday, November 24th, 2026 2:52:06am (0 seconds ago)\n');
    expect(stdout).toMatch(/broken: ERROR\n {2}malformed heartbeat "broken-beat\.json": no "seconds"\n/);
    expect(stdout).toContain('gone: ERROR\n  no heartbeat recorded (gone-beat.json not found)\n');
    expect(stdout).toContain('weekly: ok\n  last reported Saturday, November 21st, 2026 2:51:36am (3 days ago)\n');
    expect(stdout).toContain('late: ERROR\n  last report was Tuesday, November 24th, 2026 1:51:35am (1 hour ago)\n');
    expect(stdout).toContain('\nCHECK FAILED for some site or task\n\n');
  });

  it('handles any task name (spaces, non-ASCII)', async () => {
    const { store } = tempStore();
    await put(store, 'config.rktd', '#hash((tasks . (#hash((name . "db backup")) #hash((name . "zählwerk")))))\n', 'application/data');
    const now = T('02:51:36');
    await put(store, 'db backup-beat.json', formatHeartbeat(now));
    await put(store, 'zählwerk-beat.json', formatHeartbeat(now));
    const { result, stdout } = await run(store, { emailMode: 'none', now: () => now });
    expect(result.ok).toBe(true);
    expect(stdout).toContain('Checking task "db backup"\nChecking task "zählwerk"\n');
  });
});

describe('a monitor name no store can hold is refused before the pulse runs', () => {
  it.each([
    ['x'.repeat(300), 'has a part of 313 bytes (UTF-8) between "/", more than the 225 a directory store can hold'],
    // Its heartbeat fits (80 bytes + -beat.json); URI-encoded (6 bytes an é) its status does not.
    ['é'.repeat(40), 'the monitor name is too long: its object key pulse/<name, URI-encoded>.status.json has a part of 252 bytes'],
    ['..', 'the task name has a "." or ".." segment'],
    ['a\u0000b', 'the task name contains a control character'],
  ])('selfName %j: StoreError E_BAD_KEY naming it, nothing checked, mailed or written', async (name, why) => {
    const { dir, store } = tempStore();
    await put(store, 'config.rktd', '#hash((sites . (#hash((url . "http://127.0.0.1:9/")))) (emails . (#hash((to . "ops@example.com")))))\n', 'application/data');
    const events: string[] = [];
    const pulse = takePulse(store, {
      selfName: name,
      beat: true,
      emailConfig: { server: '127.0.0.1', port: smtp.port },
      onEvent: (e) => void events.push(e.type),
    });
    await expect(pulse).rejects.toMatchObject({ name: 'StoreError', code: 'E_BAD_KEY', key: name });
    await expect(pulse).rejects.toThrow(why);
    expect(events).toEqual([]);
    expect(smtp.messages).toEqual([]);
    expect(await readdir(dir)).toEqual(['config.rktd']);
  });
});
