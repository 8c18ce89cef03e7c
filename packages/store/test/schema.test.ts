import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  SCHEMA,
  durationText,
  elapsedText,
  evaluateTask,
  parseConfig,
  parseDuration,
  secondsText,
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
    // confirm counts monitors: a small positive integer (issue 17); what Racket reads from `1e23`
    // is an inexact number, and Racket itself writes it back as 1e+23.
    ['(confirm . 0)', 'confirm must be an exact integer from 1 to 10 (monitors), got 0'],
    ['(confirm . 11)', 'confirm must be an exact integer from 1 to 10 (monitors), got 11'],
    ['(confirm . 1000000)', 'confirm must be an exact integer from 1 to 10 (monitors), got 1000000'],
    ['(confirm . 1e23)', 'confirm must be an exact integer from 1 to 10 (monitors), got 1e+23 (inexact)'],
    ['(confirm . 2.0)', 'confirm must be an exact integer from 1 to 10 (monitors), got 2 (inexact)'],
    ['(confirm . 100000000000000000000000)', 'confirm must be an exact integer from 1 to 10 (monitors), got 100000000000000000000000'],
  ])('site %s', (pair, why) => {
    const config = at(`#hash((sites . (#hash((url . "http://x/") ${pair}))))`);
    const r = siteSettings(config.sites![0], config);
    expect(r.problems!.map((p) => p.message)).toEqual([`config.rktd:1:43: ${why}`]);
  });

  test('confirm takes 1 to 10 monitors', () => {
    for (const n of [1, 2, 10]) expect(siteSettings({ url: 'http://x/', confirm: n }).settings!.confirm).toBe(n);
  });

  test('a site URL that is not http(s) is refused', () => {
    const r = siteSettings({ url: 'ftp://x/' });
    expect(r.problems![0]!.message).toBe('config.rktd: url must be an http:// or https:// URL with a host, no user:password@ (site URLs are published) and no control or invisible characters, got "ftp://x/"');
  });

  test('a site URL with user:password@ is refused: site URLs are published (pulse.json, the dashboard, messages)', () => {
    for (const url of ['https://user:secret@x/', 'https://user@x/', 'http://:secret@x/']) {
      expect(siteSettings({ url }).problems![0]!.message).toMatch(/^config\.rktd: url must be an http:\/\/ or https:\/\/ URL with a host, no user:password@ \(site URLs are published\) and no control or invisible characters, got /);
    }
    expect(siteSettings({ url: 'https://x/a@b' }).problems).toBeUndefined();
  });

  test('a site URL with a control or invisible character, or no host after //, is refused: it would forge report lines or check another host', () => {
    for (const url of ['http://x/\rFAKE: ok', 'http://x/\nnext', 'http://x/\u001b[31mred', 'http://x/\u202eevil', 'http://x/\u200b', 'http:///x', 'https:///', 'http://\\x/']) {
      expect(siteSettings({ url }).problems?.[0]?.key, JSON.stringify(url)).toBe('url');
    }
    for (const url of ['http://x/', 'HTTPS://Example.com/a b?q=é#f', 'http://127.0.0.1:8080']) expect(siteSettings({ url }).problems, url).toBeUndefined();
  });

  test("a site's problems never carry its password: not in the message, the value or the entry's name", () => {
    const bad = siteSettings({ url: 'https://ops:s3cret@x/' }).problems![0]!;
    expect(bad).toMatchObject({ entry: 'https://***@x/', value: 'https://***@x/' });
    expect(bad.message).toMatch(/got "https:\/\/\*\*\*@x\/"$/);
    const other = siteSettings({ url: 'https://ops:s3cret@x/', timeout: -1 }).problems!;
    expect(JSON.stringify(other)).not.toContain('s3cret');
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

describe('command-line values of set-task and set-site: written plainly, parsed by the schema', () => {
  const integerFlags = (['task', 'site'] as const).flatMap((kind) =>
    Object.entries(SCHEMA[kind].keys)
      .filter(([, k]) => k.flag && k.type.arg !== undefined && k.type.want.includes('exact integer'))
      .map(([key, k]) => [`${kind} ${key}`, k] as const),
  );

  test('the integer flags are the ones expected', () => {
    expect(integerFlags.map(([name]) => name)).toEqual(['task period', 'task grace', 'task max-duration', 'site max-ms', 'site cert-days', 'site failures', 'site confirm']);
  });

  test.each(integerFlags)('%s takes plain digits only', (_, k) => {
    expect(k.type.parse('2')).toBe(2);
    for (const text of [' 2', '2 ', '\t2', '1e6', '1e0', '0x10', '+2', '2.0', '\uff12', '', '2,']) expect(k.type.parse(text), JSON.stringify(text)).toBeUndefined();
  });

  test('confirm: 1 to 10', () => {
    const confirm = SCHEMA.site.keys['confirm']!.type;
    expect(confirm.parse('10')).toBe(10);
    expect(confirm.parse('11')).toBeUndefined();
    expect(confirm.parse('1000000')).toBeUndefined();
    expect(confirm.parse('0')).toBeUndefined();
  });

  test('timeout: plain decimals, no spaces or exponent', () => {
    const timeout = SCHEMA.site.keys['timeout']!.type;
    expect([timeout.parse('2.5'), timeout.parse('.5'), timeout.parse('10'), timeout.parse('3.')]).toEqual([2.5, 0.5, 10, 3]);
    for (const text of [' 2', '2 ', '1e3', '1E3', '0', '-1', 'Infinity']) expect(timeout.parse(text), JSON.stringify(text)).toBeUndefined();
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
    // Each part of its keys must fit a directory store's file names: 300 characters, or 505 é (2 bytes each).
    ['x'.repeat(300), 'has a part of 313 bytes (UTF-8) between "/", more than the 225 a directory store can hold'],
    [`${'é'.repeat(505)}`, 'has a part of 1023 bytes'],
    [`team/${'é'.repeat(107)}`, 'its object key <name>-failure.json has a part of 227 bytes'],
    [' ', 'only white space'],
    ['\u00a0\t', 'control character'],
    ['\u00a0', 'only white space'],
    ['c\u202eko :yltghin', 'text-direction'],
    ['d\u200b', 'invisible'],
    ['x\u2066y\u2069', 'text-direction'],
  ])('%j is refused', (name, why) => {
    expect(taskNameProblem(name)).toContain(why);
    expect(() => assertTaskName(name)).toThrow(/invalid task name/);
  });

  test.each(['db backup', 'zählwerk', 'team/nightly', 'a.b', '...', 'x'.repeat(212), `${'é'.repeat(106)}`, `${'x'.repeat(225)}/b`])('%j is a name', (name) => {
    expect(taskNameProblem(name)).toBeUndefined();
  });

  test('the limits count UTF-8 bytes of the longest object key: 1024 with the prefix, 225 a part', () => {
    const parts = `${'x'.repeat(200)}/`.repeat(5); // 1005 bytes, each part within 225
    const fits = `${parts}${'y'.repeat(1024 - 1005 - '-failure.json'.length)}`;
    expect(taskNameProblem(fits)).toBeUndefined();
    expect(taskNameProblem(`${fits}y`)).toBe(
      'the task name is too long: its object key <name>-failure.json takes 1025 bytes (UTF-8), more than the 1024 an S3 key may take; a task name may take 1011 bytes in all',
    );
    expect(taskNameProblem(fits, 'p/')).toContain('takes 1026 bytes (UTF-8, with the prefix), more than the 1024 an S3 key may take; a task name may take 1009 bytes in all');
    expect(taskNameProblem('x'.repeat(212))).toBeUndefined();
    expect(taskNameProblem('x'.repeat(213))).toMatch(/a part of 226 bytes \(UTF-8\) between "\/", more than the 225 .*; a task name may take 212 bytes$/);
    expect(taskNameProblem(`${'x'.repeat(226)}/b`)).toMatch(/a part of 226 bytes .*; a task name may take 212 bytes after its last "\/", 225 in each part before it$/);
    expect(taskNameProblem(`a/${'x'.repeat(213)}`)).toMatch(/a part of 226 bytes .*; a task name may take 212 bytes after its last "\/", 225 in each part before it$/);
  });

  test('a refused name is named (its first 80 characters) in the error, with the limit', () => {
    const name = '\u{1F600}'.repeat(100);
    expect(() => assertTaskName(name)).toThrow(`invalid task name "${'\u{1F600}'.repeat(80)}…": the task name is too long: its object key <name>-failure.json has a part of 413 bytes (UTF-8) between "/", more than the 225`);
    expect(() => assertTaskName('..')).toThrow('invalid task name "..": the task name has a "." or ".." segment');
    expect(() => assertTaskName('a\u0000b')).toThrow('invalid task name "a\\u0000b": the task name contains a control character');
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
    expect(durationText(0.0000001)).toBe('0.0000001 seconds');
    expect(elapsedText(5400)).toBe('1 hour');
  });
  test('secondsText writes a timeout as people do: no exponent, no grouping', () => {
    expect([30, 2.5, 0.0000001, 0.1 + 0.2, 1e21].map(secondsText)).toEqual(['30', '2.5', '0.0000001', '0.30000000000000004', '1000000000000000000000']);
    expect([Number.NaN, Infinity].map(secondsText)).toEqual(['NaN', 'Infinity']);
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
