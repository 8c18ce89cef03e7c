import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, writeConfig } from '@svcmon/store';
import { startSmtp, type TestSmtp } from '@svcmon/testkit';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressProblem, eventLines, isPulseError, parseAddress, parseEmailConfig, pulseExitCode, sendReport, takePulse } from '../src/index.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
const REPORT = '\nAll sites and tasks appear healthy\n';

let smtp: TestSmtp;
const dirs: string[] = [];
beforeAll(async () => {
  smtp = await startSmtp({ rejectRecipients: ['gone@example.com'] });
});
afterAll(async () => {
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  smtp.messages.length = 0;
  smtp.refusedRecipients.length = 0;
});

const server = () => ({ server: '127.0.0.1', port: smtp.port });

describe('parseAddress: one address, read by nodemailer’s parser', () => {
  it('takes a bare address and Name <address>', () => {
    expect(parseAddress('ops@example.com')).toEqual({ address: 'ops@example.com', name: '' });
    expect(parseAddress('Ops Team <ops@example.com>')).toEqual({ address: 'ops@example.com', name: 'Ops Team' });
    expect(parseAddress('root@localhost')).toEqual({ address: 'root@localhost', name: '' });
  });

  it.each([
    ['notanaddress', /is not an e-mail address \(expected name@domain/],
    ['typo@example,com', /is 2 addresses \("typo@example", "com"\), not one/],
    ['a@x, b@y', /is 2 addresses \("a@x", "b@y"\)/],
    ['ok@example.com;evil@x', /is 2 addresses/],
    ['ok@example.com\r\nBcc: evil2@attacker.test', /control character \(U\+000D\)/],
    ['ok@example.com\u0000', /control character \(U\+0000\)/],
    ['team: a@b, c@d;', /is a group of addresses/],
    ['a b@c.d', /is not an e-mail address/],
    ['x@y (z)', /is not an e-mail address/],
    ['a@b@c', /is not an e-mail address/],
    ['a@', /is not an e-mail address/],
    ['@x', /is not an e-mail address/],
    ['a@b..c', /is not an e-mail address/],
    ['', /is empty/],
  ])('%j: %s', (text, why) => {
    expect(addressProblem(text)).toMatch(why);
  });

  it('property: text with any control character is never an address (seed printed on failure)', () => {
    const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), control, fc.string(), (before, c, after) => {
        expect(addressProblem(`${before}ok@example.com${c}${after}`)).toMatch(/control character/);
        expect(addressProblem(`${before}${c}${after}@example.com`)).toBeDefined();
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('sendReport: who the SMTP server accepted', () => {
  it('a refused recipient is a failure naming who did not get it; the others got it', async () => {
    const err = await sendReport({
      emailConfig: server(),
      recipients: ['ops@example.com', 'gone@example.com'],
      bucket: 'b',
      ok: true,
      report: REPORT,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isPulseError(err) && err.code).toBe('E_MAIL');
    expect((err as Error).message).toMatch(/^the report did not reach 1 of 2 recipients: "gone@example.com" \(refused by the SMTP server: 550 .*mailbox unavailable\)$/);
    expect((err as { delivery: unknown }).delivery).toEqual([
      { to: 'ops@example.com', accepted: true },
      { to: 'gone@example.com', accepted: false, reason: expect.stringMatching(/^refused by the SMTP server: 550/) },
    ]);
    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['ops@example.com']);
    expect(smtp.refusedRecipients).toEqual(['gone@example.com']);
  });

  it('every recipient refused: the server’s answer per recipient', async () => {
    const err = (await sendReport({ emailConfig: server(), recipients: ['gone@example.com'], bucket: 'b', ok: true, report: REPORT }).catch(
      (e: unknown) => e,
    )) as Error & { delivery: unknown };
    expect(err.message).toMatch(/did not reach 1 of 1 recipients: "gone@example.com" \(refused by the SMTP server: 550/);
    expect(smtp.messages).toEqual([]);
  });

  it('all accepted: the delivery says so', async () => {
    const sent = await sendReport({ emailConfig: server(), recipients: ['Ops <ops@example.com>', 'dev@example.com'], bucket: 'b', ok: true, report: REPORT });
    expect(sent.delivery).toEqual([
      { to: 'Ops <ops@example.com>', accepted: true },
      { to: 'dev@example.com', accepted: true },
    ]);
    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['ops@example.com', 'dev@example.com']);
    expect(m!.from).toBe('ops@example.com');
  });

  it('property: CRLF or any control character in any address never adds a recipient or a header (seed printed on failure)', async () => {
    const valid = fc.constantFrom('ops@example.com', 'dev@example.com', 'Ops <ops@example.net>');
    const control = fc.constantFrom('\r\n', '\n', '\r', '\u0000', '\t', '\u000b', '\u001b', '\u007f', '\u0085', '\u2028');
    const injected = fc
      .record({
        address: valid,
        control,
        tail: fc.constantFrom('Bcc: evil@attacker.test', 'To: evil@attacker.test', 'X-Evil: 1', '', ' evil@attacker.test', 'RCPT TO:<evil@attacker.test>'),
        at: fc.nat(),
      })
      .map(({ address, control: c, tail, at }) => {
        const i = at % (address.length + 1);
        return address.slice(0, i) + c + tail + address.slice(i);
      });
    const wanted = new Set(['ops@example.com', 'dev@example.com', 'ops@example.net']);
    const headers = new Set(['content-type', 'from', 'to', 'subject', 'message-id', 'content-transfer-encoding', 'date', 'mime-version']);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(valid, injected), { minLength: 1, maxLength: 4 }), async (recipients) => {
        smtp.messages.length = 0;
        const good = recipients.filter((r) => addressProblem(r) === undefined);
        await sendReport({ emailConfig: server(), recipients, bucket: 'b', ok: true, report: REPORT }).catch(() => undefined);
        if (good.length === 0) {
          expect(smtp.messages).toEqual([]);
          return;
        }
        const [m] = await smtp.waitFor(1);
        for (const to of m!.to) expect(wanted.has(to)).toBe(true);
        // nodemailer sends each envelope address once.
        expect(new Set(m!.to).size).toBe(new Set(good.map((g) => (parseAddress(g) as { address: string }).address)).size);
        const head = m!.raw.slice(0, m!.raw.indexOf('\r\n\r\n'));
        const names = head.split('\r\n').filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
        for (const n of names) expect(headers.has(n), `header ${n} in\n${head}`).toBe(true);
        expect(m!.raw).not.toMatch(/evil|attacker/i);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe('the e-mail config and the config’s emails are checked', () => {
  it('from must be one address, with the file and key named', () => {
    for (const from of ['notanaddress', 'a@x, b@y', 'ok@example.com\r\nBcc: evil@x']) {
      let err: unknown;
      try {
        parseEmailConfig(JSON.stringify({ server: 's', from }), 'mail.json');
      } catch (e) {
        err = e;
      }
      expect(isPulseError(err) && err.code).toBe('E_EMAIL_CONFIG');
      expect((err as Error).message).toMatch(/^mail\.json: from must be one e-mail address, but ".*" (is|contains)/);
    }
    expect(() => parseEmailConfig('#hash((server . "smtp\\r\\nX: y"))', 'mail.rktd')).toThrow(
      'mail.rktd: server must be one line of text, but contains a control character (U+000D)',
    );
  });

  it('a wrong type of password is named without its value', () => {
    expect(() => parseEmailConfig('{"password": 12345}', 'm.json')).toThrow(/^m\.json: password must be a string, not a number$/);
  });

  it('bad entries in config.rktd are each that entry’s error at pulse time: exit 3, the others mailed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcmon-address-'));
    dirs.push(dir);
    const store = dirStore(dir);
    const bad = ['notanaddress', 'typo@example,com', 'a@x, b@y', 'ok@example.com\r\nBcc: evil2@attacker.test'];
    await writeConfig(store, { emails: [{ to: 'ops@example.com' }, ...bad.map((to) => ({ to })), { to: 'gone@example.com' }] });
    const lines: string[] = [];
    const result = await takePulse(store, { emailConfig: server(), publish: false, state: false, onEvent: (e) => lines.push(...eventLines(e)) });
    // The output cannot be split by an address: the CRLF one is printed quoted, on its own line.
    expect(lines.slice(lines.indexOf('Sending email:'))).toEqual([
      'Sending email:',
      '  ops@example.com',
      ...bad.map((to) => `  ${to.includes('\r') ? JSON.stringify(to) : to}`),
      '  gone@example.com',
    ]);
    expect(result.ok).toBe(true);
    expect(result.mail?.sent).toBe(false);
    expect(pulseExitCode(result)).toBe(3);
    expect(result.mail?.delivery.map((d) => [d.to, d.accepted])).toEqual([
      ['ops@example.com', true],
      ...bad.map((to) => [to, false]),
      ['gone@example.com', false],
    ]);
    expect(result.mail?.delivery[1]?.reason).toBe('not sent, it is not an e-mail address (expected name@domain, or Name <name@domain>)');
    expect(result.mail?.delivery[4]?.reason).toMatch(/^not sent, it contains a control character \(U\+000D\)/);
    expect(result.mail?.error).toMatch(/^the report did not reach 5 of 6 recipients: "notanaddress" \(not sent, it is not an e-mail address/);
    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['ops@example.com']);
    expect(m!.raw).not.toMatch(/evil2|attacker/);
    expect(JSON.parse(JSON.stringify(result.mail))).not.toHaveProperty('cause');
  });
});
