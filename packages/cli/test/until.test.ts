import { parseDuration } from '@svcmon/store';
import { describe, expect, it } from 'vitest';
// `--until` is parsed by an internal function; it is tested here directly with an injected clock,
// and end to end (the exit code, the config left alone) in run-config.test.ts and messages.test.ts.
import { parseUntil } from '../src/_until.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const until = (v: string) => parseUntil(v, parseDuration, NOW);
const seconds = (iso: string) => Date.parse(iso) / 1000;
const USAGE = '--until must be a time such as 2026-12-01T06:00:00Z or 2026-12-01 (UTC), a duration from now such as 2h or 3d, or @<unix seconds>';

describe('parseUntil', () => {
  it.each([
    ['2030-06-01', '2030-06-01T00:00:00Z'],
    ['2030-06-01T06:00:00Z', '2030-06-01T06:00:00Z'],
    ['2030-06-01 06:00Z', '2030-06-01T06:00:00Z'],
    ['2030-06-01T06:00:00+02:00', '2030-06-01T04:00:00Z'],
    ['2030-06-01T06:00:00-0130', '2030-06-01T07:30:00Z'],
    ['2030-06-01T06:00:00.9Z', '2030-06-01T06:00:00Z'],
    ['2028-02-29', '2028-02-29T00:00:00Z'],
    ['2000-02-29T23:59:59Z', '2000-02-29T23:59:59Z'],
    ['2030-04-30T00:00Z', '2030-04-30T00:00:00Z'],
  ])('%s is %s', (v, iso) => {
    expect(until(v)).toBe(seconds(iso));
  });

  it('takes a duration from the injected now, and @<unix seconds> as is', () => {
    expect(until('2h')).toBe(seconds('2026-12-02T12:00:00Z'));
    expect(until('@1900000000')).toBe(1900000000);
  });

  it.each([
    '2030-02-30',
    '2030-02-29',
    '1900-02-29',
    '2030-04-31',
    '2030-13-01',
    '2030-00-10',
    '2030-06-00',
    '2030-06-01T24:00:00Z',
    '2030-06-01T06:60:00Z',
    '2030-06-01T06:00:60Z',
    '2030-06-01T06:00:00+24:00',
    '2030-02-30T06:00:00',
    'next tuesday',
  ])('%s does not exist: refused, not rolled over', (v) => {
    expect(() => until(v)).toThrow(expect.objectContaining({ code: 'commander.invalidArgument', message: `${USAGE}.` }));
  });

  it.each(['2030-06-01T06:00:00', '2030-06-01 06:00', '2030-06-01T06:00:00.5'])('%s has a time of day but no zone: refused', (v) => {
    expect(() => until(v)).toThrow(expect.objectContaining({ message: `${USAGE}: a time of day needs a zone (Z or +hh:mm).` }));
  });
});
