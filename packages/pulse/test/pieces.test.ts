import { describe, expect, it } from 'vitest';
import {
  decideRecipients,
  isPulseError,
  PulseError,
  pulseExitCode,
  renderReport,
  reportSubject,
  type PulseResult,
  type SiteVerdict,
  type TaskVerdict,
} from '../src/index.js';

const emails = [{ to: 'oncall@example.com', 'on-success?': false }, { to: 'ops@example.com' }, { to: 'boss@example.com', 'on-success?': true }];

describe('decideRecipients', () => {
  it('follows the mode, on-success? and config order', () => {
    expect(decideRecipients({ emails }, 'always', true)).toEqual(['ops@example.com', 'boss@example.com']);
    expect(decideRecipients({ emails }, 'always', false)).toEqual(['oncall@example.com', 'ops@example.com', 'boss@example.com']);
    expect(decideRecipients({ emails }, 'failure', true)).toEqual([]);
    expect(decideRecipients({ emails }, 'failure', false)).toEqual(['oncall@example.com', 'ops@example.com', 'boss@example.com']);
    expect(decideRecipients({ emails }, 'none', false)).toEqual([]);
    expect(decideRecipients({}, 'always', false)).toEqual([]);
  });
});

describe('renderReport', () => {
  const site = (url: string, ok: boolean, reason?: string): SiteVerdict => ({ url, ok, ...(reason ? { reason } : {}), redirects: 0, timeout: 30, ms: 1 });
  const task = (t: Partial<TaskVerdict> & Pick<TaskVerdict, 'name' | 'ok' | 'state'>): TaskVerdict => ({ period: 86400, self: false, ms: 1, ...t });

  it('lays out headline, sites, tasks; indents multi-line errors', () => {
    expect(
      renderReport({
        ok: false,
        sites: [site('https://a/', true), site('https://b/', false, 'HTTP 503')],
        tasks: [
          task({ name: 'x', ok: true, state: 'ok', lastBeat: { seconds: 1795488696 }, ageSeconds: 61 }),
          task({ name: 'y', ok: false, state: 'late', lastBeat: { seconds: 1795304799 }, ageSeconds: 90000 }),
          task({ name: 'z', ok: false, state: 'malformed', reason: 'line one\nline two' }),
        ],
      }),
    ).toBe(
      '\nCHECK FAILED for some site or task\n\n' +
        'https://a/: ok\nhttps://b/: FAILED (HTTP 503)\n' +
        'x: ok\n  last reported Tuesday, November 24th, 2026 2:51:36am (1 minute ago)\n' +
        'y: ERROR\n  last report was Saturday, November 21st, 2026 11:46:39pm (1 day ago)\n' +
        'z: ERROR\n  line one\n  line two\n',
    );
    expect(renderReport({ ok: true, sites: [], tasks: [] })).toBe('\nAll sites and tasks appear healthy\n\n');
  });

  it('says when the pulse could not check anything', () => {
    expect(renderReport({ ok: false, sites: [], tasks: [], error: 'no config.rktd in s3://b/' })).toBe(
      '\nPULSE FAILED: the pulse could not check anything\n\nno config.rktd in s3://b/\n',
    );
  });
});

describe('subject, exit codes, errors', () => {
  it('subject as the original', () => {
    expect(reportSubject('golden', true)).toBe('[take-pulse] successful health check at golden');
    expect(reportSubject('golden', false)).toBe('[take-pulse] FAILED health check at golden');
  });

  it('pulseExitCode', () => {
    const base: PulseResult = { ok: true, bucket: 'b', startedAt: new Date(0), ms: 0, sites: [], tasks: [], recipients: [], report: '' };
    expect(pulseExitCode(base)).toBe(0);
    expect(pulseExitCode({ ...base, ok: false })).toBe(1);
    expect(pulseExitCode({ ...base, ok: false, error: 'x', errorCode: 'E_CONFIG_UNREADABLE' })).toBe(2);
    expect(pulseExitCode({ ...base, ok: false, error: 'x', errorCode: 'E_STORE' })).toBe(3);
    expect(pulseExitCode({ ...base, mail: { sent: false, error: 'x', delivery: [] }, errorCode: 'E_MAIL' })).toBe(3);
    expect(pulseExitCode({ ...base, ok: false, mail: { sent: true, delivery: [] } })).toBe(1);
  });

  it('isPulseError recognises a PulseError from another copy by name and code', () => {
    expect(isPulseError(new PulseError('E_MAIL', 'x'))).toBe(true);
    expect(isPulseError(Object.assign(new Error('x'), { name: 'PulseError', code: 'E_STORE' }))).toBe(true);
    expect(isPulseError(Object.assign(new Error('x'), { name: 'PulseError', code: 'E_OTHER' }))).toBe(false);
    expect(isPulseError(new Error('x'))).toBe(false);
    const e = new PulseError('E_EMAIL_CONFIG', 'mail.rktd:1:2: bad', { file: 'mail.rktd', line: 1, column: 2 });
    expect([e.name, e.code, e.file, e.line, e.column]).toEqual(['PulseError', 'E_EMAIL_CONFIG', 'mail.rktd', 1, 2]);
  });
});
