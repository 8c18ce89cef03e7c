import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPulseError, parseEmailConfig, readEmailConfig, validateEmailConfig } from '../src/index.js';
import { FIXTURES } from './_fixtures.js';

function failure(f: () => unknown): Error & { code?: string; key?: string; line?: number; column?: number } {
  try {
    f();
  } catch (e) {
    expect(isPulseError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected a PulseError');
}

describe('e-mail config', () => {
  it('reads the fixture (a Racket hash)', async () => {
    expect(await readEmailConfig(join(FIXTURES, 'email-config.rktd'))).toEqual({
      server: '127.0.0.1',
      port: 2525,
      connect: 'plain',
      from: 'monitor@example.com',
    });
  });

  it('reads JSON with the same keys', () => {
    expect(
      parseEmailConfig('{"server": "smtp.example.com", "connect": "tls", "user": "u", "password": "p", "sending-server": "mon.example.com"}'),
    ).toEqual({ server: 'smtp.example.com', connect: 'tls', user: 'u', password: 'p', 'sending-server': 'mon.example.com' });
  });

  it('reads every key as Racket writes it', () => {
    expect(
      parseEmailConfig(
        '#hash((connect . ssl) (port . 465) (server . "s") (user . "u") (password . "p") (from . "f@x") (sending-server . "me") (tls-ca . "/ca.pem") (tls-verify? . #f) (sendmail . "/bin/sm"))',
      ),
    ).toEqual({
      connect: 'ssl',
      port: 465,
      server: 's',
      user: 'u',
      password: 'p',
      from: 'f@x',
      'sending-server': 'me',
      'tls-ca': '/ca.pem',
      'tls-verify?': false,
      sendmail: '/bin/sm',
    });
  });

  it('a syntax error names the file and line:column', () => {
    const e = failure(() => parseEmailConfig('#hash((server . "x")\n  (port . 25)', 'mail.rktd'));
    expect(e.code).toBe('E_EMAIL_CONFIG');
    expect(e.message).toMatch(/^mail\.rktd:\d+:\d+: /);
    expect(e.line).toBeTypeOf('number');
  });

  it('bad JSON names the file and line:column', () => {
    const e = failure(() => parseEmailConfig('{\n  "server": "x",\n  "port": 25,\n}\n', 'mail.json'));
    expect(e.code).toBe('E_EMAIL_CONFIG');
    expect(e.message).toMatch(/^mail\.json:4:1: not valid JSON/);
    expect([e.line, e.column]).toEqual([4, 1]);
  });

  it('an unknown key is named', () => {
    const e = failure(() => parseEmailConfig('#hash((server . "x") (smtp-port . 25))', 'mail.rktd'));
    expect(e.key).toBe('smtp-port');
    expect(e.message).toMatch(/^mail\.rktd: unknown key smtp-port/);
  });

  it('wrong types are named, the password is never shown', () => {
    expect(failure(() => parseEmailConfig('#hash((connect . starttls))')).message).toContain('connect must be plain, ssl or tls, not starttls');
    expect(failure(() => parseEmailConfig('#hash((port . "25"))')).message).toContain('port must be an integer');
    const e = failure(() => validateEmailConfig({ password: 12345678 }));
    expect(e.key).toBe('password');
    expect(e.message).not.toContain('12345678');
  });

  it('not a hash', () => {
    expect(failure(() => parseEmailConfig('(server "x")')).message).toContain('expected a hash table');
  });

  it('a missing file is E_EMAIL_CONFIG naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcmon-email-'));
    const err = await readEmailConfig(join(dir, 'nope.rktd')).catch((e: unknown) => e);
    expect(isPulseError(err) && err.code).toBe('E_EMAIL_CONFIG');
    expect((err as Error).message).toBe(`cannot read e-mail config ${join(dir, 'nope.rktd')}: no such file`);
    writeFileSync(join(dir, 'x.json'), '{"server": 1}');
    const err2 = await readEmailConfig(join(dir, 'x.json')).catch((e: unknown) => e);
    expect((err2 as Error).message).toBe(`${join(dir, 'x.json')}: server must be a string, not 1`);
  });
});
