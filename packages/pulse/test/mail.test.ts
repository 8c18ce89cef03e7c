import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtp, TEST_CERT_FILE, type TestSmtp } from '@svcmon/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { isPulseError, sendReport, type EmailConfig } from '../src/index.js';
import { fixture } from './_fixtures.js';

const REPORT = '\nAll sites and tasks appear healthy\n\nhttp://127.0.0.1:9/: ok\n';

let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

/** The eml fixture's body lines (after the header), CRLF → LF. */
function emlBody(name: string): string {
  const eml = fixture(name).replace(/\r\n/g, '\n');
  return eml.slice(eml.indexOf('\n\n') + 2);
}

describe('sendReport', () => {
  it('sends what the original sends: From, To in order, Subject, body', async () => {
    smtp = await startSmtp();
    const report = emlBody('pulse-failing-email.eml').replace(/\n$/, '');
    await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, connect: 'plain', from: 'monitor@example.com' },
      recipients: ['oncall@example.com', 'ops@example.com'],
      bucket: 'golden',
      ok: false,
      report,
    });
    const [m] = await smtp.waitFor(1);
    expect(m!.from).toBe('monitor@example.com');
    expect(m!.to).toEqual(['oncall@example.com', 'ops@example.com']);
    expect(m!.parsed.subject).toBe('[take-pulse] FAILED health check at golden');
    expect(m!.raw).toMatch(/^From: monitor@example\.com\r$/m);
    expect(m!.raw).toMatch(/^To: oncall@example\.com, ops@example\.com\r$/m);
    expect(m!.raw).toMatch(/^Subject: \[take-pulse\] FAILED health check at golden\r$/m);
    expect(m!.parsed.text).toBe(emlBody('pulse-failing-email.eml'));
    expect(m!.secure).toBe(false);
  });

  it('defaults From to the first recipient and announces sending-server', async () => {
    smtp = await startSmtp();
    await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, 'sending-server': 'monitor.example.net' },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    });
    const [m] = await smtp.waitFor(1);
    expect(m!.from).toBe('ops@example.com');
    expect(m!.parsed.subject).toBe('[take-pulse] successful health check at golden');
    expect(m!.clientHostname).toBe('monitor.example.net');
  });

  it('STARTTLS with AUTH, trusting the self-signed server through tls-ca', async () => {
    smtp = await startSmtp({ starttls: true, auth: { user: 'mon', pass: 's3cret' } });
    await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, connect: 'tls', user: 'mon', password: 's3cret', 'tls-ca': TEST_CERT_FILE },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    });
    const [m] = await smtp.waitFor(1);
    expect(m!.secure).toBe(true);
    expect(m!.user).toBe('mon');
  });

  it('implicit TLS (ssl) with AUTH and tls-verify? #f', async () => {
    smtp = await startSmtp({ secure: true, auth: { user: 'mon', pass: 's3cret' } });
    await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, connect: 'ssl', user: 'mon', password: 's3cret', 'tls-verify?': false },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: false,
      report: REPORT,
    });
    const [m] = await smtp.waitFor(1);
    expect(m!.secure).toBe(true);
    expect(m!.user).toBe('mon');
  });

  it('refuses an unverifiable certificate by default', async () => {
    smtp = await startSmtp({ secure: true });
    const err = await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, connect: 'ssl' },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    }).catch((e: unknown) => e);
    expect(isPulseError(err) && err.code).toBe('E_MAIL');
    expect(smtp.messages).toHaveLength(0);
  });

  it('a wrong password is E_MAIL, and the password is not in the message', async () => {
    smtp = await startSmtp({ starttls: true, auth: { user: 'mon', pass: 's3cret' } });
    const err = await sendReport({
      emailConfig: { server: '127.0.0.1', port: smtp.port, connect: 'tls', user: 'mon', password: 'hunter2-wrong', 'tls-ca': TEST_CERT_FILE },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    }).catch((e: unknown) => e);
    expect(isPulseError(err) && err.code).toBe('E_MAIL');
    expect(String((err as Error).message)).not.toContain('hunter2-wrong');
    expect(String((err as Error).message)).toMatch(/^cannot send the report through SMTP server 127\.0\.0\.1:\d+: /);
    expect(smtp.authFailures).toEqual(['mon']);
  });

  it('SMTP down is E_MAIL with one clear line', async () => {
    const down = await startSmtp();
    const port = down.port;
    await down.close();
    const err = await sendReport({
      emailConfig: { server: '127.0.0.1', port },
      recipients: ['ops@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    }).catch((e: unknown) => e);
    expect(isPulseError(err) && err.code).toBe('E_MAIL');
    expect((err as Error).message).toMatch(/ECONNREFUSED|refused/i);
    expect((err as Error).message).not.toContain('\n');
  });

  it('without server, goes through sendmail (msmtp relaying to the test server)', async () => {
    smtp = await startSmtp();
    const dir = mkdtempSync(join(tmpdir(), 'svcmon-sendmail-'));
    const wrapper = join(dir, 'sendmail');
    // nodemailer runs `<path> -i -f <from> -- <recipients…>` with the message on stdin, as sendmail does.
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec /usr/sbin/sendmail -C /dev/null --host=127.0.0.1 --port=${smtp.port} --auth=off --tls=off "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const config: EmailConfig = { sendmail: wrapper, from: 'monitor@example.com' };
    await sendReport({ emailConfig: config, recipients: ['a@example.com', 'b@example.com'], bucket: 'golden', ok: false, report: REPORT });
    const [m] = await smtp.waitFor(1);
    expect(m!.from).toBe('monitor@example.com');
    expect(m!.to).toEqual(['a@example.com', 'b@example.com']);
    expect(m!.parsed.subject).toBe('[take-pulse] FAILED health check at golden');
    expect(m!.parsed.text).toBe(`${REPORT}\n`);
  });

  it('a failing sendmail is E_MAIL', async () => {
    const err = await sendReport({
      emailConfig: { sendmail: '/nonexistent/sendmail' },
      recipients: ['a@example.com'],
      bucket: 'golden',
      ok: true,
      report: REPORT,
    }).catch((e: unknown) => e);
    expect(isPulseError(err) && err.code).toBe('E_MAIL');
    expect((err as Error).message).toContain('sendmail (/nonexistent/sendmail)');
  });
});
