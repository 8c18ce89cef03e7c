import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { elapsedText, racketDate } from '../src/index.js';

describe('racketDate', () => {
  it('matches the fixtures', () => {
    expect(racketDate(1795488696)).toBe('Tuesday, November 24th, 2026 2:51:36am');
    expect(racketDate(1795304799)).toBe('Saturday, November 21st, 2026 11:46:39pm');
  });

  it('matches Racket date->string for ordinals, midnight, noon and every hour', () => {
    const samples: number[] = [0, -1, 43200, 43260, 1000000000, 1700000000, 951782400 /* 2000-02-29 */];
    const jan2027 = 1798761600;
    for (let d = 0; d < 31; d++) samples.push(jan2027 + d * 86400 + d * 3600 + d * 61);
    for (let h = 0; h < 24; h++) samples.push(jan2027 + h * 3600 + 59);
    const program =
      '(require racket/date) (for ([s (in-list (map string->number (vector->list (current-command-line-arguments))))]) (displayln (date->string (seconds->date s #f) #t)))';
    const racket = execFileSync('racket', ['-e', program, ...samples.map(String)], { encoding: 'utf8' });
    expect(samples.map(racketDate).join('\n') + '\n').toBe(racket);
  });
});

describe('elapsedText', () => {
  it('uses the largest whole unit with plain plurals', () => {
    expect(elapsedText(0)).toBe('0 seconds');
    expect(elapsedText(1)).toBe('1 second');
    expect(elapsedText(59)).toBe('59 seconds');
    expect(elapsedText(60)).toBe('1 minute');
    expect(elapsedText(3599)).toBe('59 minutes');
    expect(elapsedText(3600)).toBe('1 hour');
    expect(elapsedText(7200)).toBe('2 hours');
    expect(elapsedText(86399)).toBe('23 hours');
    expect(elapsedText(86400)).toBe('1 day');
    expect(elapsedText(183900)).toBe('2 days');
  });
});

describe('racketDate out of range', () => {
  it('never prints NaN: the seconds are said as they are', () => {
    for (const s of [8.64e12 + 1, -8.64e12 - 1, 1e20, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity]) {
      expect(racketDate(s)).not.toMatch(/NaN|undefined/);
    }
    expect(racketDate(1e20)).toBe('100000000000000000000 seconds after 1970-01-01 (a time too far from now to be a date)');
    expect(racketDate(-8.64e12 - 1)).toBe('-8640000000001 seconds after 1970-01-01 (a time too far from now to be a date)');
    expect(racketDate(Number.NaN)).toBe('an impossible time (not a number of seconds)');
    expect(racketDate(-Infinity)).toBe('an impossible time (infinitely far)');
    // The last instant a date holds is still a date.
    expect(racketDate(8.64e12)).toBe('Saturday, September 13th, 275760 12:00:00am');
  });
});
