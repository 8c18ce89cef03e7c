import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mustRunRacketTests, racketRoundTrip } from '@svcmon/testkit';
import { RHash, fromJS, parse, stringify, sym, toJS } from '../src/index.js';
import { FIXTURES } from './_paths.js';

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.rktd'))
  .sort();
// email-config.rktd was written by hand (keys not in Racket's order); all others by Racket's `write`.
const HAND_WRITTEN = new Set(['email-config.rktd']);

describe('fixtures written by the original', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files.filter((f) => !HAND_WRITTEN.has(f))) {
    it(`${file}: stringify(parse(x)) + "\\n" is the file, byte for byte`, () => {
      const text = readFileSync(path.join(FIXTURES, file), 'utf8');
      const value = parse(text, { source: file });
      expect(stringify(value) + '\n').toBe(text);
      // and through the plain-JS view
      expect(stringify(fromJS(toJS(value))) + '\n').toBe(text);
    });
  }

  it('getters.txt: every value the original printed with `write` round-trips', () => {
    const lines = readFileSync(path.join(FIXTURES, 'getters.txt'), 'utf8').split('\n');
    const printed = lines.filter((l) => l !== '' && !l.startsWith('>'));
    expect(printed.length).toBeGreaterThanOrEqual(7);
    for (const line of printed) expect(stringify(parse(line))).toBe(line);
  });

  it('reads the config the way a user expects', () => {
    const text = readFileSync(path.join(FIXTURES, 'config.rktd'), 'utf8');
    const cfg = parse(text);
    expect(cfg).toBeInstanceOf(RHash);
    const js = toJS(cfg) as { tasks: { name: string; period?: number }[]; emails: { to: string; 'on-success?'?: boolean }[] };
    expect(js.tasks[1]).toEqual({ name: 'nightly-build', period: 86400 });
    expect(js.emails[0]).toEqual({ 'on-success?': false, to: 'oncall@example.com' });
    expect((cfg as RHash).ref('html')).toBeInstanceOf(RHash);
    expect(((cfg as RHash).get(sym('html')) as RHash).ref('title')).toBe('Example Service Monitor');
  });

  it('email-config.rktd (hand-written) parses; stringify gives what Racket writes', async () => {
    const text = readFileSync(path.join(FIXTURES, 'email-config.rktd'), 'utf8');
    const value = parse(text);
    expect(toJS(value)).toEqual({ server: '127.0.0.1', port: 2525, connect: sym('plain'), from: 'monitor@example.com' });
    const ours = stringify(value);
    expect(ours).toBe('#hash((connect . plain) (from . "monitor@example.com") (port . 2525) (server . "127.0.0.1"))');
    if (mustRunRacketTests()) {
      const [racket] = await racketRoundTrip([text.trim()]);
      expect(ours).toBe(racket);
    }
  });
});
