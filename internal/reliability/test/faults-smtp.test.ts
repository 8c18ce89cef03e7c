// SMTP misbehaving, end to end: the built CLI's pulse (directory store, one
// recipient, `--beat monitor`) against an SMTP port that refuses, a real SMTP
// server that rejects the login. Each: exit 3, a line naming the mail
// failure, the run ending by itself (its time recorded, never asserted), `monitor` NOT recorded, config.rktd unchanged.
// (The server that never greets is in faults-smtp-hang.test.ts: it costs
// nodemailer's 60 s greeting timeout, so it runs beside the other files.)
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPort, startSmtp, type TestSmtp } from '@svcmon/testkit';
import { hasStack, record, svcmon, tempDir } from './_helpers.js';

const FILE = 'faults-smtp';
const GROUP = 'Faults: SMTP';
export const MAIL_CONFIG = '#hash((emails . (#hash((to . "ops@example.com")))))\n';

export async function mailStore(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'config.rktd'), MAIL_CONFIG);
  return dir;
}

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp({ auth: { user: 'monitor', pass: 'right-password' } });
});
afterAll(async () => {
  await smtp?.close();
});

describe('mail cannot be sent → exit 3, a clear line, the monitor does not beat', () => {
  it('SMTP port closed (connection refused)', async () => {
    const dir = await mailStore();
    const port = await deadPort();
    const emailConfig = join(dir, '..', `${dir.split('/').pop()}-email.rktd`);
    await writeFile(emailConfig, `#hash((server . "127.0.0.1") (port . ${port}))\n`);
    const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/svcmon: error: could not send the report: .*127\.0\.0\.1:\d+.*(ECONNREFUSED|refused)/);
    expect(r.stderr).toContain('not recording the heartbeat of monitor');
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    expect(existsSync(join(dir, 'monitor-beat.json'))).toBe(false);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(MAIL_CONFIG);
    record(FILE, {
      group: GROUP,
      scenario: 'SMTP port closed (connection refused)',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing (report still printed; monitor heartbeat not recorded, as it must)',
      bound: 'ends by itself',
    });
  });

  it('SMTP authentication fails', async () => {
    const dir = await mailStore();
    const emailConfig = `${dir}-email.rktd`;
    await writeFile(
      emailConfig,
      `#hash((server . "127.0.0.1") (port . ${smtp.port}) (user . "monitor") (password . "wrong-password-9f3a"))\n`,
    );
    const failuresBefore = smtp.authFailures.length;
    const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/svcmon: error: could not send the report: .*127\.0\.0\.1:\d+.*(auth|login|credentials|535)/i);
    expect(r.stderr).toContain('not recording the heartbeat of monitor');
    expect(r.stdout + r.stderr).not.toContain('wrong-password-9f3a');
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    expect(smtp.authFailures.length).toBeGreaterThan(failuresBefore);
    expect(smtp.messages.length).toBe(0);
    expect(existsSync(join(dir, 'monitor-beat.json'))).toBe(false);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(MAIL_CONFIG);
    record(FILE, {
      group: GROUP,
      scenario: 'SMTP rejects the login (535)',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing (monitor heartbeat not recorded; password not shown)',
      bound: 'ends by itself',
    });
  });

  it('control: the right password → mail sent, exit 0, monitor recorded', async () => {
    const dir = await mailStore();
    const emailConfig = `${dir}-email.rktd`;
    await writeFile(
      emailConfig,
      `#hash((server . "127.0.0.1") (port . ${smtp.port}) (user . "monitor") (password . "right-password"))\n`,
    );
    const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await smtp.waitFor(1);
    expect(existsSync(join(dir, 'monitor-beat.json'))).toBe(true);
    record(FILE, {
      group: GROUP,
      scenario: 'control: SMTP with the right password',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: `mail delivered (${smtp.messages.length} message), monitor heartbeat recorded`,
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });
});
