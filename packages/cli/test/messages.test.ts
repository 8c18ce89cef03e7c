// Each message that used to mislead: what it says now, with the exit code, from the built CLI.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSmtp, type TestSmtp } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStack, svcmon, tempDir } from './_run.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp({ rejectRecipients: ['gone@example.com'] });
});
afterAll(() => smtp.close());

async function mailConfig(extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(await tempDir(), 'mail.json');
  await writeFile(file, JSON.stringify({ server: '127.0.0.1', port: smtp.port, ...extra }), { mode: 0o600 });
  return file;
}

describe('e-mail addresses at the door and at pulse time', () => {
  it.each(['notanaddress', 'typo@example,com', 'a@x, b@y', 'ok@example.com\r\nBcc: evil2@attacker.test'])(
    'set-email %j: exit 2, one line naming the address, nothing written',
    async (to) => {
      const dir = await tempDir();
      const r = await svcmon(['config', 'set-email', dir, to, '--force']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^svcmon: error: set-email: to must be one e-mail address, but ".*" (is|contains) [^\n]*\n$/);
      expect(r.stderr).toContain(JSON.stringify(to));
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('pulse: a bad entry and a refused recipient are named, --json says per recipient, exit 3, no --beat', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'config.rktd'),
      '#hash((emails . (#hash((to . "ops@example.com")) #hash((to . "a@x, b@y")) #hash((to . "gone@example.com")))))\n',
    );
    const mail = await mailConfig();
    const r = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish', '--beat', 'mon']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'svcmon: error: could not send the report: the report did not reach 2 of 3 recipients: "a@x, b@y" (not sent, it is 2 addresses ("a@x", "b@y"), not one; give each address its own entry), "gone@example.com" (refused by the SMTP server: 550',
    );
    expect(r.stderr).toContain('not recording the heartbeat of mon');
    const json = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish', '--json']);
    expect(json.code).toBe(3);
    const result = JSON.parse(json.stdout) as { mail: { sent: boolean; delivery: Array<{ to: string; accepted: boolean; reason?: string }> } };
    expect(result.mail.sent).toBe(false);
    expect(result.mail.delivery.map((d) => [d.to, d.accepted])).toEqual([
      ['ops@example.com', true],
      ['a@x, b@y', false],
      ['gone@example.com', false],
    ]);
    expect(result.mail.delivery[2]?.reason).toMatch(/^refused by the SMTP server: 550/);
    expect(smtp.messages.map((m) => m.to)).toEqual([['ops@example.com'], ['ops@example.com']]);
  });

  it('a bad from in the e-mail config is its error (exit 2), before anything is checked', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash((emails . (#hash((to . "ops@example.com")))))\n');
    const mail = await mailConfig({ from: 'ok@example.com\r\nBcc: evil@x' });
    const r = await svcmon(['pulse', dir, '--email-config', mail]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`svcmon: error: ${mail}: from must be one e-mail address, but "ok@example.com\\r\\nBcc: evil@x" contains a control character (U+000D); an address is one line of text\n`);
  });

  it('password of the wrong type: says its type, never its value', async () => {
    const dir = await tempDir();
    const mail = await mailConfig({ password: 12345 });
    const r = await svcmon(['pulse', dir, '--email-config', mail]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`svcmon: error: ${mail}: password must be a string, not a number\n`);
  });

  it('connect ssl against a plain port: says so and what to set, no OpenSSL text', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash((emails . (#hash((to . "ops@example.com")))))\n');
    const mail = await mailConfig({ connect: 'ssl' });
    const r = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the server did not answer in TLS: this port does not take TLS from the first byte (connect ssl, as on port 465); for STARTTLS (port 587) set connect to tls');
    expect(r.stderr).not.toMatch(/SSL routines|openssl/i);
  });
});

describe('--debug adds the causes to pulse errors', () => {
  it('a mail failure: the message alone, then with --debug the stack and the socket error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash((emails . (#hash((to . "ops@example.com")))))\n');
    const mail = join(dir, 'mail.json');
    await writeFile(mail, JSON.stringify({ server: '127.0.0.1', port: 9 }));
    const plain = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish']);
    expect(plain.code).toBe(3);
    expect(hasStack(plain.stderr)).toBe(false);
    const debug = await svcmon(['--debug', 'pulse', dir, '--email-config', mail, '--no-publish']);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/^PulseError: cannot send the report through SMTP server 127\.0\.0\.1:9/m);
    expect(debug.stderr).toMatch(/^caused by: Error: connect ECONNREFUSED 127\.0\.0\.1:9\n\s+at /m);
  });

  it('a malformed config: the stack and the reader’s error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash((tasks . (1 . 2 . 3)))\n');
    const plain = await svcmon(['pulse', dir, '--no-email']);
    expect(plain.code).toBe(2);
    expect(hasStack(plain.stderr)).toBe(false);
    const debug = await svcmon(['pulse', dir, '--no-email', '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^StoreError: malformed config config\.rktd:1:/m);
    expect(debug.stderr).toMatch(/^caused by: RktdSyntaxError: /m);
  });
});

describe('config edits that used to mislead', () => {
  it('remove-task on a missing config: nothing to remove, no --force advice', async () => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'remove-task', dir, 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `svcmon: error: remove-task: there is no config.rktd at ${dir}, so there is nothing to remove (check <where>; svcmon config show <where> prints what is there)\n`,
    );
    expect(r.stderr).not.toContain('--force');
  });

  it('pause-task --until a past instant is refused (exit 2), the task stays unpaused', async () => {
    const dir = await tempDir();
    await svcmon(['config', 'set-task', dir, 't', '--force', '--skip-html']);
    const before = await readFile(join(dir, 'config.rktd'), 'utf8');
    const r = await svcmon(['config', 'pause-task', dir, 't', '--until', '2020-01-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^svcmon: error: pause-task: the pause would end at 2020-01-01T00:00:00Z, which is not in the future \(now: \d{4}-/);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(before);
  });

  it('set-task --tz without --schedule is refused (exit 2)', async () => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'set-task', dir, 't', '--tz', 'Europe/Berlin', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('svcmon: error: set-task: tz is the time zone of a schedule, but the task has no schedule (give a schedule too, or leave tz out)\n');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a config.rktd that is a directory is said to be one', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'config.rktd'));
    const what = `"config.rktd" in ${dir} is a directory, not a file (move it away, or remove it if it is empty)`;
    const pulse = await svcmon(['pulse', dir, '--no-email']);
    expect(pulse.stderr).toBe(`svcmon: error: ${what}\n`);
    expect(pulse.code).toBe(3);
    const show = await svcmon(['config', 'show', dir]);
    expect(show.code).toBe(1);
    expect(show.stderr).toBe(`svcmon: error: ${what}\n`);
  });
});

describe('usage and the heartbeat', () => {
  it('svcmon run usage errors are one line, as other commands’', async () => {
    const dir = await tempDir();
    for (const args of [['run', dir], ['run', dir, 'job'], ['run', dir, 'job', '--bogus', '--', 'true']]) {
      const r = await svcmon(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^svcmon: error: run: [^\n]+ \(see 'svcmon run --help'\)\n$/);
    }
  });

  it('the top-level help shows run with its --', async () => {
    const r = await svcmon(['--help']);
    expect(r.stdout).toMatch(/^ {2}run <where> <task> -- <command\.\.\.> /m);
  });

  it('svcmon beat into /proc/x: a clear error at once, not a spin', async () => {
    const r = await svcmon(['beat', '/proc/x', 't'], { timeoutMs: 10_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'svcmon: error: cannot write "t-beat.json": there is no folder /proc/x, and a directory store does not create its own folder (check the path, or create the folder first: mkdir -p /proc/x)\n',
    );
    // A key's folder that /proc will not take: the same clear error, not a spin.
    const sub = await svcmon(['beat', '/proc', 'x/t'], { timeoutMs: 10_000 });
    expect(sub.code).toBe(1);
    expect(sub.stderr).toBe(
      'svcmon: error: failed creating the folder for "x/t-beat.json" in /proc: cannot create the folder /proc/x: its parent exists but accepts no new folder (a pseudo file system such as /proc?)\n',
    );
  });
});
