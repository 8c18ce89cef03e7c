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
