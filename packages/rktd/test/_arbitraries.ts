// fast-check generators for Racket values, biased towards the corners where
// Racket's printer is picky: symbols that look like numbers, `|`, `#`, `.`,
// whitespace; string escapes; float formatting; hash key order.
import fc from 'fast-check';
import { Flonum, Pair, RHash, Vector, char, keyword, rational, sym } from '../src/index.js';
import type { HashKind, Value } from '../src/index.js';

const SYMBOL_PIECES = [
  'a', 'b', 'Z', 'λ', 'x', 'e', 'E', 'i', 't', 'f', 'd', 's', 'l', 'inf', 'nan', '.0', '.f', '.t',
  '0', '1', '5', '9', '+', '-', '.', '/', '@', '#', '%', '|', '\\', ' ', '\n', '\t', '(', ')', '[', '}',
  '"', "'", '`', ',', ';', '?', '!', ':', '~', '_', '\u00a0', '\u00ad', '\u3000', '\ufeff', '\u2028',
  '😀', '\0', '\x7f', 'é',
];

const symbolName = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...SYMBOL_PIECES), { maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9?!-]{0,8}$/) },
);

const STRING_PIECES = [
  'a', ' ', '"', '\\', '\n', '\t', '\r', '\x07', '\b', '\v', '\f', '\x1b', '\0', '\x01', '\x7f', '\x80',
  '\u00a0', '\u00ad', '\u200b', '\u2028', '\ufeff', '\ue000', '\uffff', 'λ', '😀', '\u{e0001}', '\u{10ffff}',
  "'", '#', '|', ';', 'é', '中', '\u200c', '\u200d', '\u{e006e}', '\u0301', '\u{111c2}', '\u{13478}', '\u0600', '\u0d4e',
];

const stringValue = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...STRING_PIECES), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

const codePoint = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
  fc.constantFrom(0x00a0, 0x00ad, 0x3000, 0x2028, 0xfeff, 0x85, 0x1680, 0x202f),
);

const flonumValue: fc.Arbitrary<Value> = fc
  .oneof(
    { weight: 4, arbitrary: fc.double() },
    { weight: 2, arbitrary: fc.integer({ min: -30, max: 30 }).chain((e) => fc.integer({ min: 1, max: 99999 }).map((m) => m * 10 ** e)) },
    // exact decimal midpoints between two shortest candidates (JS and Racket break the tie differently)
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2 ** 20, max: 2 ** 52 }), fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([k, j, neg]) => (neg ? -1 : 1) * (k + 0.25) * 2 ** (j - 20)) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, 0.1, 1e21, 1e22, 1e14, 1e13, 123456789012345680000, 5e-324, 1.7976931348623157e308) },
  )
  .map((x) => (Number.isInteger(x) ? new Flonum(x) : x));

const exactInteger: fc.Arbitrary<Value> = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b)),
);

const rationalValue: fc.Arbitrary<Value> = fc
  .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n }))
  .map(([n, d]) => rational(n, d));

const atom: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: stringValue },
  { weight: 3, arbitrary: symbolName.map(sym) },
  { weight: 1, arbitrary: symbolName.map(keyword) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: exactInteger },
  { weight: 2, arbitrary: flonumValue },
  { weight: 1, arbitrary: rationalValue },
  { weight: 1, arbitrary: codePoint.map((c) => char(c)) },
);

/** Keys of one kind (Racket sorts those), distinct, none that compare equal under `<` but are different keys. */
function hashKeys(kind: HashKind): fc.Arbitrary<Value[]> {
  const symbols = fc.uniqueArray(symbolName, { maxLength: 6 }).map((a) => a.map(sym));
  const keywords = fc.uniqueArray(symbolName, { maxLength: 4 }).map((a) => a.map(keyword));
  // Racket 8.7 does not sort char keys: at most one.
  const chars = fc.uniqueArray(codePoint, { maxLength: 1 }).map((a) => a.map((c) => char(c)));
  const smallInts = fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 5 });
  const booleans = fc.subarray([true, false]);
  // In eq/eqv tables Racket orders #t and #f by a per-process hash code: at most one boolean.
  if (kind !== 'equal') return fc.oneof(symbols, keywords, chars, smallInts, fc.subarray([true, false], { maxLength: 1 }));
  const strings = fc.uniqueArray(stringValue, { maxLength: 5 });
  const reals = fc
    .uniqueArray(fc.oneof(exactInteger, flonumValue, rationalValue), {
      maxLength: 5,
      selector: (v) => realKey(v),
    })
    .filter((a) => a.every((v) => realKey(v) !== 'nan' && realKey(v) !== '0'));
  return fc.oneof(symbols, symbols, strings, keywords, chars, reals, booleans, fc.constant<Value[]>([[1, 2]]));
}

/** The numeric value of a real key as text, so that 1 and 1.0 count as the same. */
function realKey(v: Value): string {
  if (typeof v === 'number' || v instanceof Flonum) {
    const x = typeof v === 'number' ? v : v.value;
    if (Number.isNaN(x)) return 'nan';
    if (x === 0) return '0';
    if (!Number.isFinite(x)) return String(x);
    // exact value of a double as a fraction
    let m = x;
    let k = 0n;
    while (!Number.isInteger(m)) {
      m *= 2;
      k++;
    }
    const num = BigInt(m);
    const den = 1n << k;
    const g = gcd(num < 0n ? -num : num, den);
    return `${num / g}/${den / g}`;
  }
  if (typeof v === 'bigint') return `${v}/1`;
  if (typeof v === 'object' && v !== null && 'num' in v) return `${v.num}/${v.den}`;
  return String(v);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value; hash: Value; list: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: atom },
    { weight: 2, arbitrary: tie('list') },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((a) => new Vector(a)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(tie('value'), { minLength: 1, maxLength: 3 }), fc.oneof(atom, tie('value')))
        .map(([cars, tail]) => cars.reduceRight<Value>((acc, car) => new Pair(car, acc), tail)),
    },
    { weight: 2, arbitrary: tie('hash') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('quote', 'quasiquote', 'unquote', 'unquote-splicing', 'syntax'), tie('value'))
        .map(([q, v]) => [sym(q), v]),
    },
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  hash: fc
    .constantFrom<HashKind>('equal', 'equal', 'equal', 'eqv', 'eq')
    .chain((kind) =>
      hashKeys(kind).chain((keys) =>
        fc.array(tie('value'), { minLength: keys.length, maxLength: keys.length }).map((vals) => new RHash(kind, keys.map((k, i) => [k, vals[i]!] as const))),
      ),
    ),
})).value;

/** Config-shaped data: what svcmon really stores. */
export const configLike: fc.Arbitrary<Value> = fc
  .record({
    tasks: fc.array(fc.record({ name: stringValue, period: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: ['name'] }), { maxLength: 5 }),
    sites: fc.array(fc.record({ url: fc.webUrl(), timeout: fc.option(fc.nat(120), { nil: undefined }) }, { requiredKeys: ['url'] }), { maxLength: 3 }),
    emails: fc.array(fc.record({ to: fc.emailAddress(), 'on-success?': fc.boolean() }, { requiredKeys: ['to'] }), { maxLength: 3 }),
    period: fc.nat(),
  }, { requiredKeys: [] })
  .map((o) => toHash(o));

function toHash(o: unknown): Value {
  if (Array.isArray(o)) return o.map(toHash);
  if (typeof o === 'object' && o !== null) {
    return new RHash('equal', Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [sym(k), toHash(v)] as const));
  }
  return o as Value;
}
