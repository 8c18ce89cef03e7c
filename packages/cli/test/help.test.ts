import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, hasStack, svcmon } from './_run.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const COMMANDS: string[][] = [
  [],
  ['beat'],
  ['pulse'],
  ['demo'],
  ['config'],
  ...[
    'get-task', 'set-task', 'remove-task',
    'get-site', 'set-site', 'remove-site',
    'get-email', 'set-email', 'remove-email',
    'get-html', 'set-html', 'show',
  ].map((s) => ['config', s]),
];

describe('svcmon --help and --version', () => {
  it('has exactly one bin, svcmon → dist/bin.js, with a node shebang', () => {
    const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: unknown };
    expect(json.bin).toEqual({ svcmon: './dist/bin.js' });
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it.each(COMMANDS.map((c) => [c.join(' ') || '(top)', c] as const))('%s --help shows usage and an example, exit 0', async (_name, cmd) => {
    const r = await svcmon([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: svcmon/);
    expect(r.stdout).toMatch(/Examples?:\n {2}\$ svcmon /);
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await svcmon([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it('help <command> works too', async () => {
    const r = await svcmon(['help', 'pulse']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--fail-email');
  });
});

describe('usage errors: exit 2, one line, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['bogus'], /unknown command 'bogus'/],
    ['missing argument', ['beat', './x'], /missing required argument 'task'/],
    ['too many arguments', ['beat', './x', 'a', 'b'], /too many arguments/],
    ['unknown option', ['beat', './x', 'a', '--bogus'], /unknown option '--bogus'/],
    ['conflicting e-mail flags', ['pulse', './x', '--no-email', '--fail-email'], /--no-email.*cannot be used with.*--fail-email/],
    ['bad --concurrency', ['pulse', './x', '--concurrency', '0'], /--concurrency/],
    ['bad --period', ['config', 'set-task', './x', 'a', '--period', '1.5'], /--period must be a non-negative exact integer \(seconds\)/],
    ['negative --period', ['config', 'set-task', './x', 'a', '--period', '-3'], /--period/],
    ['bad --timeout', ['config', 'set-site', './x', 'http://a/', '--timeout', '0'], /--timeout must be a positive number/],
    ['missing --title', ['config', 'set-html', './x'], /--title/],
    ['unknown config subcommand', ['config', 'frobnicate', './x'], /unknown command 'frobnicate'/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await svcmon(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^svcmon: error: .*\(see 'svcmon[a-z -]*--help'\)\n$/);
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('`svcmon config` without a subcommand shows the help on stderr, exit 2', async () => {
    const r = await svcmon(['config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: svcmon config');
  });
});
