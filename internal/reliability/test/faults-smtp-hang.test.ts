// An SMTP server that accepts the TCP connection and never greets: the pulse
// must give up (nodemailer's greeting timeout, 60 s by default in
// @svcmon/pulse), exit 3 naming the mail failure, and not record `--beat`.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHangingSmtp, type HangingSmtp } from '@svcmon/testkit';
import { hasStack, record, svcmon, tempDir } from './_helpers.js';

const MAIL_CONFIG = '#hash((emails . (#hash((to . "ops@example.com")))))\n';

let smtp: HangingSmtp;
beforeAll(async () => {
  smtp = await startHangingSmtp();
});
afterAll(async () => {
  await smtp?.close();
});

it('SMTP accepts TCP and never greets → exit 3 by the greeting timeout, monitor not recorded', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'config.rktd'), MAIL_CONFIG);
  const emailConfig = `${dir}-email.rktd`;
  await writeFile(emailConfig, `#hash((server . "127.0.0.1") (port . ${smtp.port}))\n`);
  const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor'], { timeoutMs: 110_000 });
  // Ended by itself (not by the helper's 110 s guard), and by nodemailer's greeting timeout, as it says.
  expect(r.killed).toBe(false);
  expect(r.code, r.stdout + r.stderr).toBe(3);
  expect(r.stderr).toMatch(/svcmon: error: could not send the report: .*127\.0\.0\.1:\d+.*(greeting|timeout|timed out)/i);
  expect(r.stderr).toContain('not recording the heartbeat of monitor');
  expect(hasStack(r.stderr)).toBe(false);
  expect(smtp.connections()).toBeGreaterThanOrEqual(1);
  expect(existsSync(join(dir, 'monitor-beat.json'))).toBe(false);
  expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(MAIL_CONFIG);
  record('faults-smtp-hang', {
    group: 'Faults: SMTP',
    scenario: 'SMTP accepts TCP, never sends its greeting',
    how: 'CLI pulse --beat monitor',
    ms: r.ms,
    exitCode: r.code,
    reported: r.stderr.split('\n')[0] ?? '',
    lost: 'nothing (monitor heartbeat not recorded)',
    bound: 'ended by the greeting timeout (60 s, not configurable from the CLI)',
  });
}, 120_000);
