// compareKeys is S3's listing order (the keys' UTF-8 bytes) without encoding anything.
import fc from 'fast-check';
import { propertySeed } from '@svcmon/testkit';
import { expect, test } from 'vitest';
import { compareKeys } from '../src/index.js';

const SEED = propertySeed('KEYS_SEED', 'compareKeys = UTF-8 byte order');
const sign = (n: number) => Math.sign(n);

test('property: compareKeys orders as the keys’ UTF-8 bytes do (surrogates, U+E000–U+FFFF, prefixes)', () => {
  const unit = fc.oneof(
    fc.constantFrom('a', 'b', '-', '/', '\u00e9', '\ud7ff', '\ue000', '\uffee', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'),
    fc.string({ unit: 'grapheme', maxLength: 2 }),
  );
  const key = fc.array(unit, { maxLength: 6 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(key, key, (a, b) => {
      expect(sign(compareKeys(a, b))).toBe(sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
    }),
    { seed: SEED, numRuns: 2000 },
  );
  expect(compareKeys('\u{10000}', '\uffff')).toBeGreaterThan(0);
  expect(compareKeys('task-1-beat.json', 'task-1-run.json')).toBeLessThan(0);
});
