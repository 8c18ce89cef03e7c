import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  SCHEMA,
  durationText,
  elapsedText,
  evaluateTask,
  parseConfig,
  parseDuration,
  readEntry,
  schemaTable,
  siteSettings,
  taskNameProblem,
  taskSettings,
  assertTaskName,
} from '../src/index.js';

const at = (text: string) => parseConfig(text);

describe('values config.rktd holds that the schema refuses', () => {
  // Each case of the issue: the entry fails with the reason and where, never a default.
  test.each([
    ['(period . -5)', 'period must be a non-negative exact integer (seconds), got -5'],
    ['(period . "86400")', 'period must be a non-negative exact integer (seconds), got "86400"'],
    ['(schedule . "bogus")', 'schedule must be a five-field cron expression such as "0 3 * * *", got "bogus"'],
    ['(tz . "Mars/X")', 'tz must be an IANA time zone such as "Europe/Berlin", got "Mars/X"'],
    ['(paused-until . "tomorrow")', 'paused-until must be a time as an exact integer of unix seconds, got "tomorrow"'],
    ['(paused-until . 99999999999999)', 'paused-until must be a time as an exact integer of unix seconds, got 99999999999999'],
  ])('task %s', (pair, why) => {
    const config = at(`#hash((tasks . (#hash((name . "t")\n  ${pair}))))`);
    const r = taskSettings(config.tasks![0], config);
    expect(r.settings).toBeUndefined();
    expect(r.problems!.map((p) => p.message)).toEqual([`config.rktd:2:3: ${why}`]);
    expect(r.problems![0]).toMatchObject({ kind: 'task', entry: 't', line: 2, column: 3 });
  });

  test.each([
    ['(timeout . -1)', 'timeout must be a positive number (seconds), got -1'],
    ['(timeout . "5")', 'timeout must be a positive number (seconds), got "5"'],
    ['(timeout . 0)', 'timeout must be a positive number (seconds), got 0'],
    ['(failures . 0)', 'failures must be a positive exact integer (pulses), got 0'],
  ])('site %s', (pair, why) => {
    const config = at(`#hash((sites . (#hash((url . "http://x/") ${pair}))))`);
    const r = siteSettings(config.sites![0], config);
    expect(r.problems!.map((p) => p.message)).toEqual([`config.rktd:1:43: ${why}`]);
  });

  test('a site URL that is not http(s) is refused', () => {
    const r = siteSettings({ url: 'ftp://x/' });
    expect(r.problems![0]!.message).toBe('config.rktd: url must be an http:// or https:// URL, got "ftp://x/"');
  });

  test('a wrong top-level value fails the entries that use it, and only those', () => {
    const config = at('#hash((period . "day") (tasks . (#hash((name . "a")) #hash((name . "b") (period . 60)))))');
    expect(taskSettings(config.tasks![0], config).problems!.map((p) => p.message)).toEqual([
      'config.rktd:1:7: top-level period must be a non-negative exact integer (seconds), got "day"',
    ]);
    expect(taskSettings(config.tasks![1], config).settings!.period).toBe(60);
  });

  test('a zero timeout is refused at the top level too; a fractional one is fine', () => {
    const config = at('#hash((timeout . 0) (sites . (#hash((url . "http://x/")) #hash((url . "http://y/") (timeout . 0.5)))))');
    expect(siteSettings(config.sites![0], config).problems![0]!.message).toMatch(/top-level timeout must be a positive number/);
    expect(siteSettings(config.sites![1], config).settings!.timeout).toBe(0.5);
  });

  test('defaults fill absent keys and say so', () => {
    const r = readEntry('task', { name: 'x' });
    expect(r.values).toEqual({ name: 'x', period: 86400, grace: 0, tz: 'UTC', 'paused?': false });
    expect([...r.defaulted].sort()).toEqual(['grace', 'max-duration', 'paused-until', 'paused?', 'period', 'schedule', 'tz']);
  });
});

describe('task names', () => {
  test.each([
    ['', 'the task name is empty'],
    ['a\nb: ok', 'control character'],
    ['a\u0000b', 'control character'],
    ['../../etc/passwd', '"." or ".." segment'],
    ['a/./b', '"." or ".." segment'],
    ['/abs', 'starts with "/"'],
    ['a//b', 'contains "//"'],
    ['x'.repeat(2000), 'too long'],
    ['\uD800', 'lone surrogate'],
  ])('%j is refused', (name, why) => {
    expect(taskNameProblem(name)).toContain(why);
    expect(() => assertTaskName(name)).toThrow(/invalid task name/);
  });

  test.each(['db backup', 'zählwerk', 'team/nightly', 'a.b', '...', `${'é'.repeat(505)}`])('%j is a name', (name) => {
    expect(taskNameProblem(name)).toBeUndefined();
  });

  test('the limit counts UTF-8 bytes of the longest object key, prefix included', () => {
    const fits = 'x'.repeat(1024 - '-failure.json'.length);
    expect(taskNameProblem(fits)).toBeUndefined();
    expect(taskNameProblem(`${fits}x`)).toContain('1025 bytes');
    expect(taskNameProblem(fits, 'p/')).toContain('too long');
  });

  test("a name in a config that breaks the rule is that task's error", () => {
    const v = evaluateTask({ name: 'x\ny: ok' }, {}, { heartbeat: null }, 1_800_000_000);
    expect(v).toMatchObject({ ok: false, state: 'invalid' });
    expect(v.reason).toContain('name must be a task name');
  });
});

describe('durations: one parser, one text of a span, one text of elapsed time', () => {
  test('parseDuration', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('2w')).toBe(1209600);
    expect(parseDuration(' 1d ')).toBe(86400);
    for (const bad of ['', '0', '1x', 'h', '1h 2', '-1h', '99999999999999999999d']) expect(() => parseDuration(bad)).toThrow(RangeError);
  });
  test('durationText is exact, elapsedText the largest whole unit', () => {
    expect(durationText(5400)).toBe('1 hour 30 minutes');
    expect(durationText(2.5)).toBe('2.5 seconds');
    expect(elapsedText(5400)).toBe('1 hour');
  });
});

describe('the docs', () => {
  test("the store README's key table is the schema's", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const m = /<!-- keys:start[^>]*-->\n([\s\S]*?)\n<!-- keys:end -->/.exec(readme);
    expect(m?.[1]).toBe(schemaTable());
  });
  test('every kind of entry is declared', () => {
    expect(Object.keys(SCHEMA).sort()).toEqual(['email', 'html', 'site', 'task', 'top']);
  });
});
