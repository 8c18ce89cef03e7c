import { describe, expect, it } from 'vitest';
import { mustRunRacketTests, racketRoundTrip } from '@svcmon/testkit';
import {
  Flonum,
  Pair,
  RHash,
  Rational,
  RktdWriteError,
  Vector,
  char,
  isRktdWriteError,
  keyword,
  parse,
  rational,
  stringify,
  sym,
  valueEquals,
} from '../src/index.js';
import type { Value } from '../src/index.js';

// Every expected text below is what Racket 8.7 [cs] `write` printed for the
// value (the last test re-checks the table against racket itself).
const CASES: [string, Value, string][] = [
  // strings
  ['plain string', 'hello', '"hello"'],
  ['empty string', '', '""'],
  ['named escapes', '\x07\b\t\n\v\f\r\x1b"\\', String.raw`"\a\b\t\n\v\f\r\e\"\\"`],
  ['control chars as \\u', '\0\x01\x7f\x80\x9f', String.raw`"\u0000\u0001\u007F\u0080\u009F"`],
  ['format chars as \\u', '\u00ad\u200b\u2028\u2029\ufeff', String.raw`"\u00AD\u200B\u2028\u2029\uFEFF"`],
  ['private use and unassigned', '\ue000\uffff\u{e0001}\u{10ffff}', String.raw`"\uE000\uFFFF\U000E0001\U0010FFFF"`],
  ['printable unicode as is', 'λ é 😀 中文 \u00a0\u3000', '"λ é 😀 中文 \u00a0\u3000"'],
  ["single quote as is", "it's", `"it's"`],
  ['joiners after a graphic char as is', 'a\u200d\u200db\u200c😀\u200d😀\u{e006e}', '"a\u200d\u200db\u200c😀\u200d😀\u{e006e}"'],
  ['anything but controls after a graphic Prepend char', '\u{111c2}\u{13478}\u{13478}\u{111c2}\u00ad\u0d4e\ue000', '"\u{111c2}\u{13478}\\U00013478\u{111c2}\\u00AD\u0d4e\ue000"'],
  ['joiners elsewhere escaped', '\u200d \u200d"\u200d\t\u200c\u{e0020}\u00a0\u200d', String.raw`"\u200D \u200D\"\u200D\t\u200C\U000E0020` + '\u00a0' + String.raw`\u200D"`],
  // symbols
  ['symbol', sym('abc'), 'abc'],
  ['symbol with ?', sym('on-success?'), 'on-success?'],
  ['empty symbol', sym(''), '||'],
  ['number-like symbol', sym('1'), '|1|'],
  ['symbol with space', sym('a b'), '|a b|'],
  ['# at the start', sym('#a'), '|#a|'],
  ['#% at the start', sym('#%a'), '#%a'],
  ['# alone', sym('#'), '|#|'],
  ['# inside', sym('a#'), 'a#'],
  ['dot', sym('.'), '|.|'],
  ['two dots', sym('..'), '..'],
  ['bar inside', sym('a|b'), 'a\\|b'],
  ['bar and space', sym('a|b c'), 'a\\|b\\ c'],
  ['bar and # at start', sym('#a|'), '\\#a\\|'],
  ['bar after #%', sym('#%|'), '#%\\|'],
  ['backslash', sym('a\\b'), '|a\\b|'],
  ['quote chars', sym("a'b"), "|a'b|"],
  ['semicolon', sym('a;b'), '|a;b|'],
  ['comma', sym('a,b'), '|a,b|'],
  ['newline', sym('a\nb'), '|a\nb|'],
  ['uppercase', sym('A'), 'A'],
  ['complex-like', sym('+i'), '|+i|'],
  ['inf-like', sym('+inf.0'), '|+inf.0|'],
  ['extflonum-like', sym('1.0t0'), '|1.0t0|'],
  ['# digit', sym('1#'), '|1#|'],
  ['fraction-like', sym('1/2'), '|1/2|'],
  ['division by zero', sym('1/0'), '|1/0|'],
  ['not a number', sym('1e5x'), '1e5x'],
  ['polar with a dotted angle is not a number', sym('5@.5'), '5@.5'],
  ['polar number', sym('5@0.5'), '|5@0.5|'],
  ['minus', sym('-'), '-'],
  ['plus', sym('+'), '+'],
  ['lambda', sym('λ'), 'λ'],
  ['nul raw', sym('a\0'), 'a\0'],
  ['soft hyphen raw', sym('\u00ad'), '\u00ad'],
  ['nbsp quoted', sym('a\u00a0'), '|a\u00a0|'],
  // keywords
  ['keyword', keyword('k'), '#:k'],
  ['empty keyword', keyword(''), '#:'],
  ['keyword with space', keyword('a b'), '#:|a b|'],
  ['number keyword', keyword('1'), '#:1'],
  ['number keyword 2', keyword('1.5'), '#:1.5'],
  ['keyword #', keyword('#a'), '#:|#a|'],
  ['keyword dot', keyword('.'), '#:|.|'],
  ['keyword bar', keyword('a|b'), '#:a\\|b'],
  // booleans and numbers
  ['true', true, '#t'],
  ['false', false, '#f'],
  ['zero', 0, '0'],
  ['negative zero integer', -0, '0'],
  ['integer', 86400, '86400'],
  ['negative', -17, '-17'],
  ['bigint', 12345678901234567890123n, '12345678901234567890123'],
  ['integral double beyond 2^53 is exact', 2 ** 60, '1152921504606846976'],
  ['rational', new Rational(1n, 3n), '1/3'],
  ['negative rational', new Rational(5n, -7n), '-5/7'],
  ['1.0', new Flonum(1), '1.0'],
  ['100.0', new Flonum(100), '100.0'],
  ['1234567.0', new Flonum(1234567), '1234567.0'],
  ['1e+100', new Flonum(1e100), '1e+100'],
  ['1e+21', new Flonum(1e21), '1e+21'],
  ['1e+20', new Flonum(1e20), '1e+20'],
  ['1e+14', new Flonum(1e14), '1e+14'],
  ['1e13', new Flonum(1e13), '10000000000000.0'],
  ['1.5e14', new Flonum(1.5e14), '1.5e+14'],
  ['12 digits e14', new Flonum(123456789012e3), '123456789012000.0'],
  ['17 digits e19', new Flonum(12345678901234567e3), '12345678901234567000.0'],
  ['16 digits e19', new Flonum(1234567890123456e4), '1.234567890123456e+19'],
  ['big non-round', new Flonum(123456789012345678901), '1.2345678901234568e+20'],
  ['-0.0', new Flonum(-0), '-0.0'],
  ['0.0', new Flonum(0), '0.0'],
  ['0.1', 0.1, '0.1'],
  ['-0.1', -0.1, '-0.1'],
  ['1/3 float', 1 / 3, '0.3333333333333333'],
  ['0.0001', 0.0001, '0.0001'],
  ['0.000123', 0.000123, '0.000123'],
  ['1e-5', 1e-5, '1e-5'],
  ['1.5e-5', 1.5e-5, '1.5e-5'],
  ['1e-7', 1e-7, '1e-7'],
  ['5e-324', 5e-324, '5e-324'],
  ['max double', new Flonum(1.7976931348623157e308), '1.7976931348623157e+308'],
  ['12.34567890123456', 12.34567890123456, '12.34567890123456'],
  ['tie: Racket takes the larger digit', 1827072414087024.25, '1827072414087024.3'],
  ['tie, negative', -1000000000000000.25, '-1000000000000000.3'],
  ['tie where JS agrees', 1000000000000000.75, '1000000000000000.8'],
  ['+inf.0', Infinity, '+inf.0'],
  ['-inf.0', -Infinity, '-inf.0'],
  ['+nan.0', NaN, '+nan.0'],
  ['non-integral Flonum', new Flonum(2.5), '2.5'],
  // chars
  ['char a', char('a'), '#\\a'],
  ['char space', char(' '), '#\\space'],
  ['char nul', char('\0'), '#\\nul'],
  ['char newline', char('\n'), '#\\newline'],
  ['char tab', char('\t'), '#\\tab'],
  ['char vtab', char('\v'), '#\\vtab'],
  ['char page', char('\f'), '#\\page'],
  ['char return', char('\r'), '#\\return'],
  ['char backspace', char('\b'), '#\\backspace'],
  ['char rubout', char('\x7f'), '#\\rubout'],
  ['char bell', char('\x07'), '#\\u0007'],
  ['char escape', char('\x1b'), '#\\u001B'],
  ['char lambda', char('λ'), '#\\λ'],
  ['char emoji', char('😀'), '#\\😀'],
  ['char nbsp', char('\u00a0'), '#\\u00A0'],
  ['char ideographic space', char('\u3000'), '#\\u3000'],
  ['char soft hyphen', char('\u00ad'), '#\\u00AD'],
  ['char big unassigned', char(0xe0001), '#\\U000E0001'],
  ['char quote', char('"'), '#\\"'],
  ['char backslash', char('\\'), '#\\\\'],
  ['char paren', char('('), '#\\('],
  // compound
  ['empty list', [], '()'],
  ['list', [1, 'a', sym('b')], '(1 "a" b)'],
  ['quote is not abbreviated', [sym('quote'), sym('x')], '(quote x)'],
  ['unquote-splicing', [sym('unquote-splicing'), sym('x')], '(unquote-splicing x)'],
  ['pair', new Pair(1, 2), '(1 . 2)'],
  ['improper list', new Pair(1, new Pair(2, 3)), '(1 2 . 3)'],
  ['pair ending in a list', new Pair(1, [2, 3]), '(1 2 3)'],
  ['vector', new Vector([1, 2]), '#(1 2)'],
  ['empty vector', new Vector(), '#()'],
  ['empty hash', new RHash(), '#hash()'],
  ['hasheq', new RHash('eq', [[sym('b'), 1], [sym('a'), 2]]), '#hasheq((a . 2) (b . 1))'],
  ['hasheqv', new RHash('eqv', [[2, 1], [1, 2]]), '#hasheqv((1 . 2) (2 . 1))'],
  ['symbols sorted', new RHash('equal', [[sym('s10'), 1], [sym('s2'), 2], [sym('s1'), 3]]), '#hash((s1 . 3) (s10 . 1) (s2 . 2))'],
  ['symbols by code point', new RHash('equal', [[sym('\u{10000}'), 1], [sym('\uffff'), 2]]), '#hash((\uffff . 2) (\u{10000} . 1))'],
  ['strings sorted', new RHash('equal', [['b', 1], ['a', 2], ['B', 3]]), '#hash(("B" . 3) ("a" . 2) ("b" . 1))'],
  ['strings by code point', new RHash('equal', [['\u{10000}', 1], ['\uffff', 2]]), '#hash(("\\uFFFF" . 2) ("𐀀" . 1))'],
  ['reals sorted', new RHash('equal', [[2, 1], [1, 2], [1.5, 3], [new Rational(1n, 3n), 4]]), '#hash((1/3 . 4) (1 . 2) (1.5 . 3) (2 . 1))'],
  ['keywords sorted', new RHash('equal', [[keyword('b'), 1], [keyword('a'), 2]]), '#hash((#:a . 2) (#:b . 1))'],
  ['booleans: #t first', new RHash('equal', [[false, 1], [true, 2]]), '#hash((#t . 2) (#f . 1))'],
  ['nested config', new RHash('equal', [[sym('tasks'), [new RHash('equal', [[sym('period'), 86400], [sym('name'), 'backup']])]], [sym('html'), new RHash()]]), '#hash((html . #hash()) (tasks . (#hash((name . "backup") (period . 86400)))))'],
];

describe('stringify: Racket write, byte for byte', () => {
  it.each(CASES)('%s', (_name, value, expected) => {
    expect(stringify(value)).toBe(expected);
  });

  it('parse reads every expected text back to an equal value', () => {
    for (const [name, value, text] of CASES) {
      expect(valueEquals(parse(text), value), name).toBe(true);
    }
  });

  it.skipIf(!mustRunRacketTests())('racket agrees with every expected text', async () => {
    const texts = CASES.map(([, , t]) => t);
    const racket = await racketRoundTrip(texts);
    for (let i = 0; i < texts.length; i++) expect(racket[i], CASES[i]![0]).toBe(texts[i]);
  });
});

describe('values that cannot be written', () => {
  const bad = (v: unknown): RktdWriteError => {
    try {
      stringify(v as Value);
    } catch (e) {
      expect(isRktdWriteError(e)).toBe(true);
      return e as RktdWriteError;
    }
    throw new Error('expected a RktdWriteError');
  };
  it('null, undefined, functions, plain objects', () => {
    expect(bad(null).code).toBe('E_RKTD_UNWRITABLE');
    expect(bad(undefined).code).toBe('E_RKTD_UNWRITABLE');
    expect(bad(() => 1).code).toBe('E_RKTD_UNWRITABLE');
    expect(bad({ a: 1 }).message).toMatch(/use fromJS/);
    expect(bad([1, new Date(0)]).path).toBe('[1]');
  });
  it('lone surrogates', () => {
    expect(bad('a\ud800').code).toBe('E_RKTD_UNWRITABLE');
    expect(bad(sym('\udc00')).code).toBe('E_RKTD_UNWRITABLE');
  });
  it('cycles', () => {
    const a: Value[] = [];
    a.push(a);
    expect(bad(a).message).toMatch(/cycle/);
    const h = new RHash();
    h.set(sym('self'), h);
    expect(bad(h).message).toMatch(/cycle/);
    expect(bad([1, [2, h]]).path).toBe('[1][1]');
  });
  it('shared (non-cyclic) structure is fine', () => {
    const x = [1];
    expect(stringify([x, x])).toBe('((1) (1))');
  });
  it('very deep values are written without a stack overflow', () => {
    let v: Value = [];
    for (let i = 0; i < 100_000; i++) v = [v];
    const text = stringify(v);
    expect(text).toBe('('.repeat(100_001) + ')'.repeat(100_001));
    expect(valueEquals(parse(text, { maxDepth: 200_000 }), v)).toBe(true);
  });
  it('long improper lists are not recursion', () => {
    let v: Value = sym('end');
    for (let i = 0; i < 100_000; i++) v = new Pair(i, v);
    expect(stringify(v).length).toBeGreaterThan(500_000);
  });
});

describe('helpers', () => {
  it('rational normalises and gives integers back as integers', () => {
    expect(rational(2, 4)).toEqual(new Rational(1n, 2n));
    expect(rational(4, 2)).toBe(2);
    expect(rational(10n ** 30n, 1n)).toBe(10n ** 30n);
    expect(() => rational(1, 0)).toThrow(RangeError);
  });
  it('char wants one code point', () => {
    expect(char(0x3bb)).toBe(char('λ'));
    expect(() => char('ab')).toThrow(RangeError);
    expect(() => char(0xd800)).toThrow(RangeError);
  });
  it('RHash get/set/has/delete/ref', () => {
    const h = new RHash();
    h.set(sym('a'), 1).set('a', 2).set(new Flonum(1), 3).set([1, 2], 4);
    expect(h.ref('a')).toBe(1);
    expect(h.get('a')).toBe(2);
    expect(h.get(new Flonum(1))).toBe(3);
    expect(h.has([1, 2])).toBe(true);
    h.set([1, 2], 5);
    expect(h.size).toBe(4);
    expect(h.get([1, 2])).toBe(5);
    expect(h.delete(new Flonum(1))).toBe(true);
    expect(h.has(new Flonum(1))).toBe(false);
  });
});
