// Task names judged at the door (beat, run, set-task) and config show reading the config by the
// schema (schedules, refused values), through the real binary on a directory store.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, svcmon, tempDir } from './_run.js';

describe('task names that no heartbeat can have are refused before anything runs or is written', () => {
  it('svcmon run D ../../x -- cmd refuses before running cmd', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const r = await svcmon(['run', dir, '../../x', '--', process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid task name "\.\.\/\.\.\/x": the task name has a "\." or "\.\." segment/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([[''], ['a\nx: ok'], ['/abs'], ['a//b'], ['x'.repeat(2000)], ['x'.repeat(300)], ['..'], ['\u{1F600}'.repeat(60)]])('svcmon beat D %j refuses and writes nothing', async (name) => {
    const dir = await tempDir();
    const r = await svcmon(['beat', dir, name], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid task name/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });
});

// A directory store holds a file name of 255 bytes, less what its lock and temporary files add
// (a key part of at most 225 bytes); S3 a key of 1024 bytes. The rule is the stricter one, for
// every store: a bucket may be mirrored to a directory.
describe('names whose keys no store could hold: refused up front with the name and the limit', () => {
  const LONG = 'x'.repeat(300);
  const PART_LIMIT = /has a part of 313 bytes \(UTF-8\) between "\/", more than the 225 a directory store can hold/;

  it('set-task with a 300-character name: exit 2, the name and the limit, nothing written', async () => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'set-task', dir, LONG, '--force'], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`svcmon: error: set-task: invalid task name "${'x'.repeat(80)}…": the task name is too long: its object key <name>-failure.json`);
    expect(r.stderr).toMatch(PART_LIMIT);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('svcmon run with a 300-character name refuses before running the command', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const r = await svcmon(['run', dir, LONG, '--', process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(PART_LIMIT);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['a 300-character name', LONG, PART_LIMIT],
    // Fits as a heartbeat (<name>-beat.json: 40 × 2 + 10 bytes) but not URI-encoded, as the monitor's status and state are named.
    ['a name that is too long once URI-encoded', 'é'.repeat(40), /the monitor name is too long: its object key pulse\/<name, URI-encoded>\.status\.json has a part of 252 bytes \(UTF-8\) between "\/", more than the 225/],
    ['".."', '..', /the task name has a "\." or "\.\." segment/],
    ['a newline', 'a\nb: ok', /the task name contains a control character/],
  ])('pulse --beat with %s: exit 2 before the pulse runs, nothing written', async (_, name, why) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash((tasks . (#hash((name . "a")))))\n');
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', name], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await readdir(dir)).toEqual(['config.rktd']);
  });
});

describe('numbers of set-site and set-task: plain digits, in range, one parser (the schema)', () => {
  it.each([
    ['set-site', '--confirm', ' 2', 'an exact integer from 1 to 10 (monitors)'],
    ['set-site', '--confirm', '1e6', 'an exact integer from 1 to 10 (monitors)'],
    ['set-site', '--confirm', '1000000', 'an exact integer from 1 to 10 (monitors)'],
    ['set-site', '--confirm', '11', 'an exact integer from 1 to 10 (monitors)'],
    ['set-site', '--failures', ' 3', 'a positive exact integer (pulses)'],
    ['set-site', '--max-ms', '1e3', 'a positive exact integer (milliseconds)'],
    ['set-site', '--cert-days', '14 ', 'a non-negative exact integer (days)'],
    ['set-site', '--timeout', ' 5', 'a positive number (seconds)'],
    ['set-site', '--timeout', '1e3', 'a positive number (seconds)'],
    ['set-task', '--period', ' 60', 'a non-negative exact integer (seconds)'],
    ['set-task', '--grace', '1e2', 'a non-negative exact integer (seconds)'],
    ['set-task', '--max-duration', '0x10', 'a positive exact integer (seconds)'],
  ])('%s %s %j: exit 2, nothing written', async (command, flag, value, want) => {
    const dir = await tempDir();
    const target = command === 'set-site' ? 'https://example.com/' : 'nightly';
    const r = await svcmon(['config', command, dir, target, flag, value, '--force'], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`argument '${value}' is invalid. ${flag} must be ${want}.`);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['run --output-bytes 1e3', ['run', '{dir}', 'job', '--output-bytes', '1e3', '--', process.execPath, '-e', ''], '--output-bytes must be an integer of at least 0, got 1e3'],
    ['run --timeout-store " 5"', ['run', '{dir}', 'job', '--timeout-store', ' 5', '--', process.execPath, '-e', ''], '--timeout-store must be an integer of at least 1, got  5'],
    ['pulse --concurrency " 2"', ['pulse', '{dir}', '--no-email', '--concurrency', ' 2'], '--concurrency must be a whole number of at least 1.'],
  ])('the other number options take plain digits too: %s', async (_, args, message) => {
    const dir = await tempDir();
    const r = await svcmon(args.map((a) => (a === '{dir}' ? dir : a)), { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('set-site --confirm 10 is written; a confirm out of range in config.rktd fails its site with line:column', async () => {
    const dir = await tempDir();
    expect((await svcmon(['config', 'set-site', dir, 'https://example.com/', '--confirm', '10', '--force'], { env: cleanEnv() })).code).toBe(0);
    await writeFile(join(dir, 'config.rktd'), '#hash((sites . (#hash((url . "https://a.example/")\n  (confirm . 1000000)) #hash((url . "https://b.example/") (confirm . 1e23)))))\n');
    const shown = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(shown.stdout).toContain('https://a.example/  INVALID: config.rktd:2:3: confirm must be an exact integer from 1 to 10 (monitors), got 1000000');
    expect(shown.stdout).toContain('https://b.example/  INVALID: config.rktd:2:59: confirm must be an exact integer from 1 to 10 (monitors), got 1e+23 (inexact)');
  });
});

describe('svcmon config show reads the config by the schema', () => {
  it('a scheduled task says its schedule, not a default period; refused values say where and why', async () => {
    const dir = await tempDir();
    expect((await svcmon(['config', 'set-task', dir, 'weekly', '--schedule', '0 3 * * 1', '--force'], { env: cleanEnv() })).code).toBe(0);
    const shown = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(shown.stdout).toContain('weekly  succeeds after each "0 3 * * 1" (UTC)');
    expect(shown.stdout).not.toContain('beats at least every 1 day');

    await writeFile(join(dir, 'config.rktd'), '#hash((period . "day") (tasks . (#hash((name . "a")) #hash((name . "b") (period . -5)))))\n');
    const bad = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(bad.stdout).toContain('a  INVALID: config.rktd:1:7: top-level period must be a non-negative exact integer (seconds), got "day"');
    expect(bad.stdout).toContain('b  INVALID: config.rktd:1:73: period must be a non-negative exact integer (seconds), got -5');
  });

  it('set-site refuses a zero timeout (the flag parser and the library, one rule)', async () => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'set-site', dir, 'http://example.com/', '--timeout', '0', '--force'], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout must be a positive number (seconds).');
  });
});
