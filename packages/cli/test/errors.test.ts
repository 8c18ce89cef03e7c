import { describe, expect, it } from 'vitest';
// The exit-code table is internal; it is tested here directly, and end to end in the other files.
import { classifyError } from '../src/errors.js';
import { CliError, main } from '../src/index.js';

const err = (name: string, code: string, message = `${name} ${code}`) => Object.assign(new Error(message), { name, code });

describe('classifyError: the exit-code table of the README', () => {
  it.each([
    ['StoreError', 'E_ACCESS_DENIED', 'beat', 1],
    ['StoreError', 'E_ACCESS_DENIED', 'pulse', 3],
    ['StoreError', 'E_BAD_CONFIG', 'config', 1],
    ['StoreError', 'E_BAD_CONFIG', 'pulse', 2],
    ['StoreError', 'E_BAD_WHERE', 'beat', 2],
    ['ConfigError', 'E_INVALID_ENTRY', 'config', 2],
    ['ConfigError', 'E_NO_CONFIG', 'config', 1],
    ['ConfigError', 'E_CONFLICT', 'config', 1],
    ['PulseError', 'E_EMAIL_CONFIG', 'pulse', 2],
    ['PulseError', 'E_CONFIG_UNREADABLE', 'pulse', 2],
    ['PulseError', 'E_MAIL', 'pulse', 3],
    ['PulseError', 'E_STORE', 'pulse', 3],
    ['RktdSyntaxError', 'E_RKTD_SYNTAX', 'pulse', 2],
  ] as const)('%s %s in %s → %i', (name, code, command, exitCode) => {
    const v = classifyError(err(name, code), command);
    expect(v).toMatchObject({ exitCode, known: true });
  });

  it('recognises errors by name and code, not class (a second copy of a library)', () => {
    const plain = { name: 'StoreError', code: 'E_NO_BUCKET', message: 'no bucket "x"' };
    expect(classifyError(plain, 'beat')).toMatchObject({ exitCode: 1, known: true, message: 'no bucket "x"' });
    expect(classifyError(plain, 'beat').hint).toMatch(/bucket name/);
  });

  it('multi-line messages become one line', () => {
    expect(classifyError(err('StoreError', 'E_IO', 'first\n  second\n'), 'config').message).toBe('first second');
  });

  it('an unknown error is not "known" (the CLI then asks for a bug report)', () => {
    expect(classifyError(new TypeError('x is not a function'), 'config')).toMatchObject({ exitCode: 1, known: false });
    expect(classifyError(new TypeError('x'), 'pulse')).toMatchObject({ exitCode: 3, known: false });
    expect(classifyError('a string', 'beat')).toMatchObject({ known: false, message: 'a string' });
  });

  it('CliError carries its own exit code and hint', () => {
    const e = new CliError('bad', { code: 'E_USAGE', hint: 'try this' });
    expect(classifyError(e, 'demo')).toEqual({ exitCode: 2, message: 'bad', hint: 'try this', known: true });
  });
});

describe('main() in process', () => {
  const capture = () => {
    const out: string[] = [];
    return { out, stream: { write: (s: string) => void out.push(s), isTTY: false } };
  };

  it('resolves to the exit code and writes to the streams it is given', async () => {
    const stdout = capture();
    const stderr = capture();
    expect(await main(['--version'], { stdout: stdout.stream, stderr: stderr.stream })).toBe(0);
    expect(stdout.out.join('')).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(await main(['beat'], { stdout: stdout.stream, stderr: stderr.stream })).toBe(2);
    expect(stderr.out.join('')).toMatch(/^svcmon: error: missing required argument 'where'/);
  });

  it('colours stderr only for a TTY without NO_COLOR', async () => {
    const tty = { out: [] as string[] };
    const stream = { write: (s: string) => void tty.out.push(s), isTTY: true };
    await main(['bogus'], { stdout: stream, stderr: stream, env: {} });
    expect(tty.out.join('')).toContain('\u001b[31m');
    tty.out.length = 0;
    await main(['bogus'], { stdout: stream, stderr: stream, env: { NO_COLOR: '1' } });
    expect(tty.out.join('')).not.toContain('\u001b[');
  });
});

describe('hints fit the store that failed', () => {
  it('a directory error gets no S3 or IAM hint; a lock held by a live writer names the lock file and when to delete it', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { hostname, tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { dirStore } = await import('@svcmon/store');
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-cli-lock-'));
    try {
      await writeFile(join(dir, '.config.rktd.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-11-24T02:51:36.000Z' }));
      const e = await dirStore(dir, { lockTimeoutMs: 50 })
        .put('config.rktd', '#hash()\n', { contentType: 'application/data' })
        .catch((x: unknown) => x);
      const v = classifyError(e, 'config');
      expect(v).toMatchObject({ exitCode: 1, known: true });
      expect(v.hint).toBeUndefined();
      expect(v.message).toContain(join(dir, '.config.rktd.lock'));
      expect(v.message).toContain(`safe to delete once process ${process.pid} on ${hostname()} has ended`);
      expect(v.message).not.toMatch(/endpoint|IAM|AWS/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const code of ['E_ACCESS_DENIED', 'E_TIMEOUT', 'E_NETWORK', 'E_IO']) {
      const hint = classifyError(Object.assign(err('StoreError', code), { kind: 'dir' }), 'config').hint ?? '';
      expect(hint, code).not.toMatch(/IAM|endpoint|AWS_|--region/);
    }
    expect(classifyError(Object.assign(err('StoreError', 'E_ACCESS_DENIED'), { kind: 'dir' }), 'config').hint).toMatch(/folder/);
    expect(classifyError(Object.assign(err('StoreError', 'E_ACCESS_DENIED'), { kind: 's3' }), 'config').hint).toMatch(/IAM/);
  });

  it('a wrong region with a custom endpoint names the right region, not the credentials', async () => {
    const { startS3 } = await import('@svcmon/testkit');
    const { openStore, writeHeartbeat } = await import('@svcmon/store');
    const s3 = await startS3({ buckets: [{ name: 'frankfurt', location: 'eu-central-1' }] });
    try {
      const store = openStore('frankfurt', { endpoint: s3.endpoint, credentials: s3.credentials, region: 'us-west-2' });
      const e = await writeHeartbeat(store, 'x').catch((x: unknown) => x);
      const v = classifyError(e, 'beat');
      expect(v).toMatchObject({ exitCode: 1, known: true, hint: 'pass --region eu-central-1 (or set AWS_REGION=eu-central-1)' });
      expect(v.message).toContain('the bucket is in region eu-central-1, not us-west-2');
    } finally {
      await s3.stop();
    }
  });
});
