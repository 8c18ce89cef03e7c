import { describe, expect, test } from 'vitest';
import {
  DEFAULT_PERIOD,
  DEFAULT_TIMEOUT,
  isStoreError,
  parseConfig,
  siteSettings,
  stringifyConfig,
  taskSettings,
  type Config,
} from '../src/index.js';
import { fixture, fixtureConfigs } from './_fixtures.js';

describe('config model', () => {
  test.each(fixtureConfigs())('%s parses and writes back byte-identical', (file) => {
    const text = fixture(file);
    const config = parseConfig(text, file);
    expect(stringifyConfig(config)).toBe(text);
  });

  test('the final fixture config reads as typed entries', () => {
    const config = parseConfig(fixture('config.rktd'));
    expect(config.html).toEqual({ title: 'Example Service Monitor' });
    expect(config.sites).toEqual([{ url: 'http://127.0.0.1:9/' }]);
    expect(config.emails).toEqual([{ 'on-success?': false, to: 'oncall@example.com' }, { to: 'ops@example.com' }]);
    expect(config.tasks?.[1]).toEqual({ name: 'nightly-build', period: 86400 });
    expect(config.tasks).toHaveLength(18);
    expect('period' in config).toBe(false);
  });

  test('building a config in TypeScript gives what Racket writes', () => {
    const config: Config = {
      tasks: [{ name: 'backup' }, { name: 'nightly-build', period: 86400 }],
      html: { title: 'Example Service Monitor' },
    };
    expect(stringifyConfig(config)).toBe(
      '#hash((html . #hash((title . "Example Service Monitor"))) (tasks . (#hash((name . "backup")) #hash((name . "nightly-build") (period . 86400)))))\n',
    );
    expect(stringifyConfig({})).toBe('#hash()\n');
  });

  test('unknown keys survive a read-modify-write', () => {
    const text =
      '#hash((future . #hasheq((x . 1))) (tasks . (#hash((name . "a") (owner . "ops") (tags . (x "y" 1.5))))) (zz . #t))\n';
    const config = parseConfig(text);
    config.tasks?.push({ name: 'b' });
    const out = stringifyConfig(config);
    expect(out).toBe(
      '#hash((future . #hasheq((x . 1))) (tasks . (#hash((name . "a") (owner . "ops") (tags . (x "y" 1.5))) #hash((name . "b")))) (zz . #t))\n',
    );
    expect(parseConfig(out).tasks?.[0]?.owner).toBe('ops');
  });

  test('a syntax error is E_BAD_CONFIG naming the object and line:column', () => {
    const err = (() => {
      try {
        parseConfig('#hash((tasks . (#hash((name . "a")))\n   (sites . #hash((url . ]))))\n', 'config.rktd');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isStoreError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'E_BAD_CONFIG', key: 'config.rktd', line: 2 });
    expect((err as { column?: number }).column).toBeGreaterThan(1);
    expect((err as Error).message).toMatch(/config\.rktd:2:\d+/);
    expect((err as { cause?: { name?: string } }).cause?.name).toBe('RktdSyntaxError');
  });

  test.each([
    ['"just a string"', /top level must be a hash/],
    ['(1 2 3)', /top level must be a hash/],
    ['#hash(("tasks" . ()))', /top level must be a hash/],
    ['#hash((tasks . #hash((name . "a"))))', /`tasks` must be a list/],
    ['#hash((tasks . ("a")))', /`tasks` entry 1 is not a hash/],
    ['#hash((tasks . (#hash((name . "a")) #hash((period . 5)))))', /`tasks` entry 2 has no string `name`/],
    ['#hash((tasks . (#hash((name . a)))))', /`tasks` entry 1 has no string `name`/],
    ['#hash((sites . (#hash((uri . "http://x/")))))', /`sites` entry 1 has no string `url`/],
    ['#hash((emails . (#hash((to . #f)))))', /`emails` entry 1 has no string `to`/],
    ['#hash((html . "title"))', /`html` must be a hash/],
    ['#hash() #hash()', /.*/],
    ['', /.*/],
  ])('%s is E_BAD_CONFIG', (text, message) => {
    expect(() => parseConfig(text, 'config.rktd')).toThrow(message);
    try {
      parseConfig(text, 'config.rktd');
    } catch (e) {
      expect(e).toMatchObject({ name: 'StoreError', code: 'E_BAD_CONFIG', key: 'config.rktd' });
      expect((e as Error).message).toContain('config.rktd');
    }
  });

  test.each([
    ['#hash((tasks . (#hash((name . "a"))\n  #hash((name . 5)))))', '`tasks` entry 2 has no string `name` (got 5)', 2, 9],
    ['#hash((tasks . (#hash((period . 5)))))', '`tasks` entry 1 has no string `name`', 1, 23],
    ['#hash((emails . (#hash((to . #f)))))', '`emails` entry 1 has no string `to` (got false)', 1, 24],
    ['#hash((sites . (#hash())))', '`sites` entry 1 has no string `url`', 1, 7],
    ['#hash((tasks . "a"))', '`tasks` must be a list of hash tables', 1, 7],
  ])('%s: the message says where (line:column), and the error carries it', (text, why, line, column) => {
    const e = (() => {
      try {
        parseConfig(text, 'config.rktd');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toMatchObject({ code: 'E_BAD_CONFIG', line, column, message: `malformed config config.rktd:${line}:${column}: ${why}` });
  });

  test('task period and site timeout: the entry, else the top level, else the default', () => {
    const config = parseConfig(
      '#hash((period . 3600) (tasks . (#hash((name . "a") (period . 60)) #hash((name . "b")))) (sites . (#hash((url . "http://u/") (timeout . 5)) #hash((url . "http://v/")))))',
    );
    const period = (c: Config, i: number) => taskSettings(c.tasks![i], c).settings?.period;
    const timeout = (c: Config, i: number) => siteSettings(c.sites![i], c).settings?.timeout;
    expect(period(config, 0)).toBe(60);
    expect(period(config, 1)).toBe(3600);
    expect(taskSettings({ name: 'c' }, {}).settings?.period).toBe(DEFAULT_PERIOD);
    expect(DEFAULT_PERIOD).toBe(86400);
    expect(timeout(config, 0)).toBe(5);
    expect(timeout(config, 1)).toBe(DEFAULT_TIMEOUT);
    expect(siteSettings({ url: 'http://w/' }, { timeout: 10 }).settings?.timeout).toBe(10);
    expect(DEFAULT_TIMEOUT).toBe(30);
    // Values the schema refuses are problems, never replaced by a default or the top-level value.
    const floats = parseConfig('#hash((period . 60.0) (tasks . (#hash((name . "f") (period . 1.5)) #hash((name . "g") (period . "x")))))');
    expect(taskSettings(floats.tasks![0], floats).problems?.map((p) => p.message)).toEqual([
      'config.rktd:1:52: period must be a non-negative exact integer (seconds), got 1.5',
    ]);
    expect(taskSettings(floats.tasks![1], floats).problems?.map((p) => p.message)).toEqual([
      'config.rktd:1:87: period must be a non-negative exact integer (seconds), got "x"',
    ]);
    expect(stringifyConfig(floats)).toBe('#hash((period . 60.0) (tasks . (#hash((name . "f") (period . 1.5)) #hash((name . "g") (period . "x")))))\n');
  });
});
