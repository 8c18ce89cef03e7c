// Inputs judged at the door (issue 16): e-mail addresses that are not one address, header
// injection, partial delivery, and the messages that used to mislead. The built CLI as a child
// process, a real SMTP server on loopback (smtp-server, refusing some recipients), Chromium for
// the dashboard opened from a file. Each: the exit code, one line naming what is wrong, nothing
// written or mailed that should not be.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTask } from '@svcmon/config';
import { addressProblem, takePulse } from '@svcmon/pulse';
import { dirStore, writeConfig, writeHeartbeat } from '@svcmon/store';
import { launchChromium, startSmtp, type TestSmtp } from '@svcmon/testkit';
import { hasStack, record, rktdString, svcmon, tempDir } from './_helpers.js';

const FILE = 'inputs';
const GROUP = 'Inputs at the door';
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1);
const HOSTILE = ['notanaddress', 'typo@example,com', 'a@x, b@y', 'ok@example.com\r\nBcc: evil2@attacker.test'];

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp({ rejectRecipients: ['gone@example.com'] });
});
afterAll(async () => {
  await smtp?.close();
});

async function mailConfig(extra = ''): Promise<string> {
  const file = join(await tempDir(), 'email.rktd');
  await writeFile(file, `#hash((server . "127.0.0.1") (port . ${smtp.port})${extra})\n`, { mode: 0o600 });
  return file;
}

async function configWith(emails: string[]): Promise<{ dir: string; text: string }> {
  const dir = await tempDir();
  const text = `#hash((emails . (${emails.map((to) => `#hash((to . ${rktdString(to)}))`).join(' ')})))\n`;
  await writeFile(join(dir, 'config.rktd'), text);
  return { dir, text };
}

describe('e-mail addresses', () => {
  it.each(HOSTILE)('set-email %j: exit 2, one line, nothing written', async (to) => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'set-email', dir, to, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^svcmon: error: set-email: to must be one e-mail address, but .*\n$/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    record(FILE, {
      group: GROUP,
      scenario: `set-email ${JSON.stringify(to)}`,
      how: 'CLI config set-email --force',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr,
      lost: 'nothing (no config written)',
      bound: 'exit 2, nothing written',
    });
  });

  it('the same four already in config.rktd, beside a good and a refused address: each named, only the good one mailed', async () => {
    const { dir, text } = await configWith(['ops@example.com', ...HOSTILE, 'gone@example.com']);
    smtp.messages.length = 0;
    const r = await svcmon(['pulse', dir, '--email-config', await mailConfig(), '--no-publish', '--beat', 'monitor']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^svcmon: error: could not send the report: the report did not reach 5 of 6 recipients: "notanaddress" \(not sent, it is not an e-mail address/);
    expect(r.stderr).toContain('"gone@example.com" (refused by the SMTP server: 550');
    expect(r.stderr).toContain('not recording the heartbeat of monitor');
    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['ops@example.com']);
    expect(m!.raw).not.toMatch(/evil2|attacker/);
    expect(existsSync(join(dir, 'monitor-beat.json'))).toBe(false);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(text);
    record(FILE, {
      group: GROUP,
      scenario: 'config.rktd holds the four bad addresses, a good one and one the server refuses',
      how: 'CLI pulse --beat monitor, real SMTP',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing (mail to ops@example.com only; no injected recipient; monitor not recorded, as it must)',
      bound: 'exit 3, SMTP RCPT TO = [ops@example.com]',
    });
  });

  it('--json says per recipient whether the server accepted it', async () => {
    const { dir } = await configWith(['ops@example.com', 'gone@example.com']);
    const r = await svcmon(['pulse', dir, '--email-config', await mailConfig(), '--no-publish', '--json']);
    expect(r.code).toBe(3);
    const result = JSON.parse(r.stdout) as { mail: { sent: boolean; delivery: Array<{ to: string; accepted: boolean }> } };
    expect(result.mail.sent).toBe(false);
    expect(result.mail.delivery.map((d) => [d.to, d.accepted])).toEqual([
      ['ops@example.com', true],
      ['gone@example.com', false],
    ]);
    record(FILE, {
      group: GROUP,
      scenario: 'partial delivery: the SMTP server refuses one of two recipients',
      how: 'CLI pulse --json, real SMTP',
      ms: r.ms,
      exitCode: r.code,
      reported: `mail.sent false; delivery ${JSON.stringify(result.mail.delivery.map((d) => [d.to, d.accepted]))}`,
      lost: 'nothing (the refusal is a mail failure, not silence)',
      bound: 'exit 3',
    });
  });

  it('a from with CRLF in the e-mail config: exit 2 before anything runs', async () => {
    const { dir } = await configWith(['ops@example.com']);
    smtp.messages.length = 0;
    const r = await svcmon(['pulse', dir, '--email-config', await mailConfig(' (from . "ok@example.com\\r\\nBcc: evil@attacker.test")')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/from must be one e-mail address, but "ok@example\.com\\r\\nBcc: evil@attacker\.test" contains a control character \(U\+000D\)/);
    expect(smtp.messages).toEqual([]);
    record(FILE, {
      group: GROUP,
      scenario: 'from with CRLF and a Bcc line in the e-mail config',
      how: 'CLI pulse --email-config',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr,
      lost: 'nothing (no mail sent)',
      bound: 'exit 2',
    });
  });

  it('fast-check: CRLF or any control character in any address never adds a recipient or a header', async () => {
    const base = fc.constantFrom('ops@example.com', 'dev@example.com', 'Ops <ops@example.net>');
    const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
    const hostile = fc
      .record({ base, c: fc.oneof(control, fc.constant('\r\n')), tail: fc.constantFrom('Bcc: evil@attacker.test', 'To: evil@attacker.test', 'X-Evil: 1', ' evil@attacker.test', ''), at: fc.nat() })
      .map(({ base: b, c, tail, at }) => b.slice(0, at % (b.length + 1)) + c + tail + b.slice(at % (b.length + 1)));
    const headers = new Set(['content-type', 'from', 'to', 'subject', 'message-id', 'content-transfer-encoding', 'date', 'mime-version']);
    const dir = await tempDir();
    const store = dirStore(dir);
    const started = performance.now();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(base, hostile), { minLength: 1, maxLength: 4 }), async (emails) => {
        runs++;
        smtp.messages.length = 0;
        await writeConfig(store, { emails: emails.map((to) => ({ to })) });
        const result = await takePulse(store, { emailConfig: { server: '127.0.0.1', port: smtp.port }, publish: false, state: false });
        const good = emails.filter((e) => addressProblem(e) === undefined);
        expect(result.mail?.sent).toBe(good.length === emails.length);
        if (good.length === 0) {
          expect(smtp.messages).toEqual([]);
          return;
        }
        const [m] = await smtp.waitFor(1);
        for (const to of m!.to) expect(['ops@example.com', 'dev@example.com', 'ops@example.net']).toContain(to);
        const head = m!.raw.slice(0, m!.raw.indexOf('\r\n\r\n'));
        for (const line of head.split('\r\n').filter((l) => !/^[ \t]/.test(l))) expect(headers.has(line.slice(0, line.indexOf(':')).toLowerCase()), head).toBe(true);
        expect(m!.raw).not.toMatch(/evil|attacker/i);
      }),
      { seed: SEED, numRuns: 40 * RUNS },
    );
    record(FILE, {
      group: GROUP,
      scenario: 'control characters (CRLF, NUL, C1, …) with Bcc:/To:/header text spliced into config addresses',
      how: `fast-check ×${runs} (seed ${SEED}), takePulse() → real SMTP`,
      ms: Math.round(performance.now() - started),
      reported: 'every hostile address not sent, named in mail.error; RCPT TO and headers only the good ones',
      lost: 'nothing (no added recipient, no added header)',
      bound: 'RCPT TO ⊆ good addresses; headers ⊆ the 8 nodemailer writes',
    });
  });
});

describe('messages that used to mislead', () => {
  const scenario = async (name: string, args: string[], expectCode: number, expectText: RegExp, setup?: (dir: string) => Promise<void>, lost = 'nothing'): Promise<void> => {
    const dir = await tempDir();
    await setup?.(dir);
    const before = existsSync(join(dir, 'config.rktd')) ? await readFile(join(dir, 'config.rktd'), 'utf8').catch(() => 'dir') : null;
    const r = await svcmon(args.map((a) => a.replace('$DIR', dir)), { timeoutMs: 20_000 });
    expect(r.killed).toBe(false);
    expect(r.code, r.stderr).toBe(expectCode);
    expect(r.stderr).toMatch(expectText);
    expect(hasStack(r.stderr)).toBe(false);
    const after = existsSync(join(dir, 'config.rktd')) ? await readFile(join(dir, 'config.rktd'), 'utf8').catch(() => 'dir') : null;
    expect(after).toBe(before);
    record(FILE, { group: GROUP, scenario: name, how: `CLI ${args.slice(0, 2).join(' ')}`, ms: r.ms, exitCode: r.code, reported: r.stderr.replace(dir, '<dir>'), lost, bound: `exit ${expectCode}` });
  };
  const withTask = async (dir: string): Promise<void> => {
    await setTask(dirStore(dir), { name: 't' }, { force: true, skipHtml: true });
  };

  it('remove-task on a missing config does not advise --force', () =>
    scenario('remove-task on a missing config', ['config', 'remove-task', '$DIR', 'x'], 1, /^svcmon: error: remove-task: there is no config\.rktd at .*, so there is nothing to remove \(check <where>/));

  it('pause-task --until a past date is refused', () =>
    scenario('pause-task --until 2020-01-01', ['config', 'pause-task', '$DIR', 't', '--until', '2020-01-01'], 2, /^svcmon: error: pause-task: the pause would end at 2020-01-01T00:00:00Z, which is not in the future/, withTask, 'nothing (config unchanged)'));

  it('--tz without --schedule is refused', () =>
    scenario('set-task --tz without --schedule', ['config', 'set-task', '$DIR', 't', '--tz', 'Europe/Berlin', '--force'], 2, /^svcmon: error: set-task: tz is the time zone of a schedule, but the task has no schedule/));

  it('a config.rktd that is a directory is named as one', () =>
    scenario('config.rktd is a directory', ['pulse', '$DIR', '--no-email'], 3, /^svcmon: error: "config\.rktd" in .* is a directory, not a file/, (dir) => mkdir(join(dir, 'config.rktd'))));

  it('a password of the wrong type is named by its type', async () => {
    const file = join(await tempDir(), 'email.rktd');
    await writeFile(file, '#hash((server . "127.0.0.1") (password . 12345))\n', { mode: 0o600 });
    await scenario('password . 12345 in the e-mail config', ['pulse', '$DIR', '--email-config', file], 2, /password must be a string, not a number\n$/);
  });

  it('connect ssl against a plain SMTP port says so, without OpenSSL text', async () => {
    const setup = async (dir: string): Promise<void> => {
      await writeFile(join(dir, 'config.rktd'), '#hash((emails . (#hash((to . "ops@example.com")))))\n');
    };
    const file = await mailConfig(' (connect . ssl)');
    await scenario('connect ssl against a plain SMTP port', ['pulse', '$DIR', '--email-config', file, '--no-publish'], 3, /the server did not answer in TLS: this port does not take TLS from the first byte .*set connect to tls/, setup);
  });

  it('svcmon run usage errors are one line', () =>
    scenario('svcmon run with no command', ['run', '$DIR', 'job'], 2, /^svcmon: error: run: no command: .* \(see 'svcmon run --help'\)\n$/));

  it('svcmon beat into /proc/x ends at once with a clear error', () =>
    scenario('svcmon beat /proc/x t (used to spin at 100% CPU)', ['beat', '/proc/x', 't'], 1, /^svcmon: error: cannot write "t-beat\.json": there is no folder \/proc\/x, and a directory store does not create its own folder/));

  it('svcmon beat /proc x/t (a folder under a pseudo file system) ends at once with a clear error', () =>
    scenario('svcmon beat /proc x/t (a key folder /proc refuses)', ['beat', '/proc', 'x/t'], 1, /^svcmon: error: failed creating the folder for "x\/t-beat\.json" in \/proc: cannot create the folder \/proc\/x: its parent exists but accepts no new folder/));

  it('a mistyped directory is not created by a beat', async () => {
    const root = await tempDir();
    await scenario('svcmon beat <dir>/bukcet t (a folder that does not exist)', ['beat', join(root, 'bukcet'), 't'], 1, /there is no folder .*bukcet, and a directory store does not create its own folder \(check the path, or create the folder first: mkdir -p .*bukcet\)\n$/);
    expect(existsSync(join(root, 'bukcet'))).toBe(false);
  });

  it.each([['{"at":9999999999999}'], ['{"at":"x"}'], ['[{"running":[]}]']])('a run state %s is that task\'s error naming the object; the other task is still ok', async (state) => {
    const dir = await tempDir();
    const store = dirStore(dir);
    await setTask(store, { name: 't' }, { force: true, skipHtml: true });
    await setTask(store, { name: 'good' }, { skipHtml: true });
    for (const name of ['t', 'good']) await writeHeartbeat(store, name);
    await writeFile(join(dir, 't-run.json'), state);
    const r = await svcmon(['pulse', dir, '--no-email', '--no-publish'], { timeoutMs: 20_000 });
    expect(r.killed).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^good: ok$/m);
    const reason = /^t: ERROR\n {2}(.*)$/m.exec(r.stdout)?.[1];
    expect(reason).toMatch(/^malformed run state "t-run\.json": /);
    record(FILE, { group: GROUP, scenario: `<task>-run.json holds ${state}`, how: 'CLI pulse', ms: r.ms, exitCode: r.code, reported: `t: ERROR ${reason}; good: ok`, lost: 'nothing', bound: 'exit 1, that task only' });
  });

  it('--debug adds the cause chain to a pulse mail error', async () => {
    const setup = async (dir: string): Promise<void> => {
      await writeFile(join(dir, 'config.rktd'), '#hash((emails . (#hash((to . "ops@example.com")))))\n');
    };
    const dir = await tempDir();
    await setup(dir);
    const file = join(dir, 'email.rktd');
    await writeFile(file, '#hash((server . "127.0.0.1") (port . 9))\n');
    const r = await svcmon(['--debug', 'pulse', dir, '--email-config', file, '--no-publish']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^caused by: Error: connect ECONNREFUSED 127\.0\.0\.1:9$/m);
    record(FILE, { group: GROUP, scenario: '--debug on a pulse whose mail fails', how: 'CLI --debug pulse', ms: r.ms, exitCode: r.code, reported: r.stderr.split('\n').find((l) => l.startsWith('caused by')) ?? '', lost: 'nothing', bound: 'stack and causes printed' });
  });
});

describe('the dashboard opened from a file', () => {
  it('says how to view it, and marks no task as an error', async () => {
    const dir = await tempDir();
    await setTask(dirStore(dir), { name: 'nightly' }, { force: true });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const started = performance.now();
      await page.goto(`file://${dir}/index.html`);
      await page.waitForFunction(() => document.body.hasAttribute('data-checked'));
      const notice = (await page.locator('#file-notice').textContent()) ?? '';
      const state = await page.locator('tr.task-row').getAttribute('data-state');
      expect(notice).toContain('npx serve <folder>');
      expect(state).toBe('pending');
      record(FILE, { group: GROUP, scenario: 'index.html opened from file://', how: 'Chromium', ms: Math.round(performance.now() - started), reported: notice, lost: 'nothing', bound: 'no row in error' });
    } finally {
      await browser.close();
    }
  });
});
