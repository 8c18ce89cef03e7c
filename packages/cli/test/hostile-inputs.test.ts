// What a new user's and an adversary's trial of the README found, through the real binary on a
// directory store (and the testkit's SMTP server): each ends in a clear verdict, never in silence.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSmtp, type TestSmtp } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, svcmon, tempDir } from './_run.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

describe('svcmon config show: an address that holds CR/LF (config.rktd written by hand)', () => {
  const forged = 'ok@example.com\r\nBcc: evil2@attacker.test';
  const config = `#hash((emails . (#hash((to . "ops@example.com")) #hash((to . ${JSON.stringify(forged)})))))\n`;

  it('is printed quoted and escaped, flagged invalid with where and why; no line starts with what it forged', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), config);
    const r = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\r]/);
    expect(r.stdout.split('\n').some((l) => l.startsWith('Bcc:'))).toBe(false);
    const line = r.stdout.split('\n').find((l) => l.includes('evil2'));
    expect(line).toBe(
      `  "ok@example.com\\r\\nBcc: evil2@attacker.test"  INVALID: config.rktd:1:56: to is not one e-mail address: it contains a control character (U+000D); an address is one line of text; the pulse mails it nothing and fails its mail`,
    );
    expect(r.stdout).toMatch(/^ {2}ops@example\.com +every report$/m);
  });

  it('is the verdict the pulse gives: not mailed, a mail failure naming it (exit 3); the good address gets the report', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), config);
    const mail = join(dir, 'email.json');
    await writeFile(mail, JSON.stringify({ server: '127.0.0.1', port: smtp.port }), { mode: 0o600 });
    const before = smtp.messages.length;
    const r = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish'], { env: cleanEnv() });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${JSON.stringify(forged)} (not sent, it contains a control character (U+000D); an address is one line of text)`);
    expect(hasStack(r.stderr)).toBe(false);
    expect(smtp.messages.slice(before).map((m) => m.to)).toEqual([['ops@example.com']]);
  });
});

describe('a mistyped directory is never created by a write', () => {
  it.each([
    [['beat', '{}', 'nightly']],
    [['config', 'set-task', '{}', 'nightly', '--force']],
  ])('svcmon %j on a folder that does not exist: exit 1, the path and a hint, nothing created', async (args) => {
    const root = await tempDir();
    const typo = join(root, 'bukcet');
    const r = await svcmon(args.map((a) => (a === '{}' ? typo : a)), { env: cleanEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^svcmon: error: .*there is no folder ${typo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.* \\(check the path, or create the folder first: mkdir -p ${typo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`)),
    ]);
    expect(await readdir(root)).toEqual([]);
  });

  it('once the folder exists, the same beat works (and folders under it are made for keys with "/")', async () => {
    const root = await tempDir();
    expect((await svcmon(['beat', root, 'team/nightly'], { env: cleanEnv() })).code).toBe(0);
    expect(await readdir(join(root, 'team'))).toEqual(['nightly-beat.json']);
  });
});

describe('svcmon pulse: a site URL written by hand with CR/LF or a password', () => {
  it('no line is forged and no password printed: the progress lines and the report quote and hide them; the site fails with where and why', async () => {
    const dir = await tempDir();
    const forged = 'http://127.0.0.1:9/\rFAKE: ok\nnext: ok';
    const secret = 'http://alice:Sup3rSecretPW@127.0.0.1:9/';
    await writeFile(join(dir, 'config.rktd'), `#hash((sites . (#hash((url . ${JSON.stringify(forged)})) #hash((url . ${JSON.stringify(secret)})))))\n`);
    const r = await svcmon(['pulse', dir, '--no-email'], { env: cleanEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\r/);
    expect(r.stdout).not.toContain('Sup3rSecretPW');
    expect(r.stdout.split('\n').filter((l) => /^(FAKE|next): ok/.test(l))).toEqual([]);
    expect(r.stdout).toContain('Pinging site "http://127.0.0.1:9/\\rFAKE: ok\\nnext: ok"');
    expect(r.stdout).toContain('Pinging site http://***@127.0.0.1:9/');
    expect(r.stdout).toMatch(/^"http:\/\/127\.0\.0\.1:9\/\\rFAKE: ok\\nnext: ok": FAILED \(config\.rktd:1:\d+: url must be /m);
    expect(hasStack(r.stderr)).toBe(false);
  });
});
