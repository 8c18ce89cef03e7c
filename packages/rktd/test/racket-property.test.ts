import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mustRunRacketTests, propertySeed, racketRoundTrip } from '@svcmon/testkit';
import { fromJS, isRktdSyntaxError, parse, parseAll, stringify, toJS, valueEquals } from '../src/index.js';
import type { Value } from '../src/index.js';
import { configLike, value } from './_arbitraries.js';

// Racket is the judge. In CI a missing racket makes these fail, not skip.
const RUN = mustRunRacketTests();
const SEED = propertySeed('RKTD_SEED', 'rktd racket-property');
// RKTD_PROPERTY_SCALE=10 for a longer hunt.
const SCALE = Number(process.env.RKTD_PROPERTY_SCALE ?? 1);

/**
 * Racket 8.7 writes `"` and `\` unescaped right after a Prepend character
 * (U+0D4E, U+111C2, ...), text that it cannot read back. We escape them
 * (write.test.ts pins those bytes); values whose text holds a Prepend
 * character are not generated for the byte comparison with Racket, so every
 * batch compares exactly as many values as it asks for.
 */
function hitsRacketPrependBug(text: string): boolean {
  return /[\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}]/u.test(text);
}
const comparable = (arb: fc.Arbitrary<Value>): fc.Arbitrary<Value> => arb.filter((v) => !hitsRacketPrependBug(stringify(v)));

async function checkAgainstRacket(values: Value[]): Promise<void> {
  const ours = values.map((v) => stringify(v));
  const racket = await racketRoundTrip(ours);
  for (let i = 0; i < values.length; i++) {
    if (racket[i] !== ours[i]) {
      expect.fail(`seed ${SEED}: Racket writes ${JSON.stringify(racket[i])}, we write ${JSON.stringify(ours[i])}`);
    }
    const back = parse(racket[i]!);
    if (!valueEquals(back, values[i]!)) {
      expect.fail(`seed ${SEED}: parse(${JSON.stringify(racket[i])}) is not equal to the value written`);
    }
  }
}

describe.skipIf(!RUN)('random values: stringify === Racket read+write, parse(Racket) equals the value', () => {
  const BATCHES = 4;
  const PER_BATCH = 750;
  for (let b = 0; b < BATCHES; b++) {
    it(`batch ${b + 1} of ${BATCHES} (${PER_BATCH * SCALE} values, one racket process, seed ${SEED + b})`, async () => {
      const values = fc.sample(comparable(value), { numRuns: PER_BATCH * SCALE, seed: SEED + b });
      await checkAgainstRacket(values);
    }, 60_000);
  }

  it('config-shaped data (400 values)', async () => {
    const values = fc.sample(comparable(configLike), { numRuns: 400, seed: SEED });
    await checkAgainstRacket(values);
    for (const v of values) expect(stringify(fromJS(toJS(v)))).toBe(stringify(v));
  }, 60_000);
});

describe('random text never breaks the reader', () => {
  const ALPHABET = [
    '(', ')', '[', ']', '{', '}', '#', '\\', '"', '|', "'", '`', ',', '@', ';', '.', ' ', '\n', '\r',
    'a', 'x', 'u', 'U', 't', 'f', 'e', 'i', '0', '1', '7', '9', '+', '-', '/', ':', '%', 'λ', '😀',
    '#hash(', '#hasheq(', '#(', '#\\', '#:', '#|', '|#', '#;', '.5', '1e3', '+inf.0', '\\u', '\\x', 'space', 'nul',
  ];
  it('parse throws only RktdSyntaxError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((a) => a.join('')), (text) => {
        for (const f of [() => parse(text), () => parseAll(text)]) {
          try {
            f();
          } catch (e) {
            if (!isRktdSyntaxError(e)) throw e;
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.column).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it('arbitrary unicode text throws only RktdSyntaxError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        try {
          parseAll(text);
        } catch (e) {
          if (!isRktdSyntaxError(e)) throw e;
        }
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('mutated valid data throws only RktdSyntaxError', () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.nat(), fc.constantFrom('', '(', ')', '"', '|', '#', '\\', '.', ' '), (v, a, b, insert) => {
        const text = stringify(v);
        const i = a % (text.length + 1);
        const j = Math.min(text.length, i + (b % 4));
        try {
          parse(text.slice(0, i) + insert + text.slice(j));
        } catch (e) {
          if (!isRktdSyntaxError(e)) throw e;
        }
      }),
      { numRuns: 3000, seed: SEED },
    );
  });
});
