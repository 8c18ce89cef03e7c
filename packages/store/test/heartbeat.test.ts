import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { formatHeartbeat, formatRfc2822, heartbeatKey, parseHeartbeat } from '../src/index.js';
import { fixtureBeats } from './_fixtures.js';

describe('heartbeat format', () => {
  test.each(fixtureBeats())('$file: same bytes for the same time', ({ text, now }) => {
    expect(formatHeartbeat(now)).toBe(text);
  });

  test('sub-second times are truncated to the second', () => {
    expect(formatHeartbeat(new Date(1795488696999))).toBe(
      '{"date":"Tue, 24 Nov 2026 02:51:36 +0000","seconds":1795488696}',
    );
  });

  test('an invalid date is refused', () => {
    expect(() => formatHeartbeat(new Date('nope'))).toThrow(RangeError);
  });

  test('a "seconds" JSON cannot hold as a number is said as it parsed (1e400: Infinity), never as null', () => {
    expect(() => parseHeartbeat('{"seconds":1e400}', 'x-beat.json', 'here')).toThrow('"seconds" is not an integer: Infinity');
    expect(() => parseHeartbeat('{"seconds":1.5}', 'x-beat.json', 'here')).toThrow('"seconds" is not an integer: 1.5');
    expect(() => parseHeartbeat('{"seconds":"1"}', 'x-beat.json', 'here')).toThrow('"seconds" is not an integer: "1"');
  });

  test('heartbeatKey appends -beat.json', () => {
    expect(heartbeatKey('db backup')).toBe('db backup-beat.json');
  });

  // Racket is the judge: the day of the month is not zero-padded, the time is.
  test('the date matches Racket date->string rfc2822 for awkward dates', () => {
    const samples = [0, 1767225600, 1767600000, 1772323199, 951782400, 4102444799, 1795488696, 1790000009];
    const program = `(require racket/date) (date-display-format 'rfc2822) (for ([s (list ${samples.join(' ')})]) (displayln (date->string (seconds->date s #f) #t)))`;
    const racket = execFileSync('racket', ['-e', program], { encoding: 'utf8' }).trim().split('\n');
    expect(samples.map(formatRfc2822)).toEqual(racket);
  });
});
