import { describe, expect, it } from 'vitest';
import {
  Char,
  Flonum,
  Keyword,
  Pair,
  RHash,
  Rational,
  RktdSyntaxError,
  Vector,
  char,
  isRktdSyntaxError,
  keyword,
  parse,
  parseAll,
  stringify,
  sym,
  valueEquals,
} from '../src/index.js';

function err(text: string, options?: { source?: string; maxDepth?: number }): RktdSyntaxError {
  try {
    parse(text, options);
  } catch (e) {
    expect(isRktdSyntaxError(e)).toBe(true);
    return e as RktdSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('strings', () => {
  it.each([
    [String.raw`"a\ab"`, 'a\x07b'],
    [String.raw`"\b\t\n\v\f\r\e"`, '\b\t\n\v\f\r\x1b'],
    [String.raw`"\"\'\\"`, `"'\\`],
    [String.raw`"\u3bb\u03BBx"`, 'λλx'],
    [String.raw`"\uD83D\uDE00"`, '😀'],
    [String.raw`"\U1F600"`, '😀'],
    [String.raw`"\U0001F600!"`, '😀!'],
    [String.raw`"\U10FFFF"`, '\u{10FFFF}'],
    [String.raw`"\x41\x4142"`, 'AA42'],
    [String.raw`"\x7"`, '\x07'],
    [String.raw`"\101\1012\0"`, 'AA2\0'],
    [String.raw`"\7x"`, '\x07x'],
    ['"a\\\n   b"', 'a   b'],
    ['"a\\\r\nb"', 'ab'],
    ['"raw\nnewline"', 'raw\nnewline'],
    ['"λ😀"', 'λ😀'],
    ['""', ''],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it.each([
    [String.raw`"\q"`, 'unknown escape sequence `\\q` in string', 1],
    [String.raw`"\x"`, 'no hex digit following `\\x` in string', 1],
    [String.raw`"\u"`, 'no hex digit following `\\u` in string', 1],
    [String.raw`"\U"`, 'no hex digit following `\\U` in string', 1],
    [String.raw`"\uD83D"`, 'bad or incomplete surrogate-style encoding in string', 1],
    [String.raw`"\uDE00"`, 'bad or incomplete surrogate-style encoding in string', 1],
    [String.raw`"\U110000"`, 'escape sequence `\\U110000` is out of range in string', 1],
    [String.raw`"\777"`, 'escape sequence `\\777` is out of range in string', 1],
  ])('%s is an error', (text, reason, column) => {
    const e = err(text);
    expect(e.code).toBe('E_RKTD_SYNTAX');
    expect(e.reason).toBe(reason);
    expect(e.column).toBe(column + 1);
  });

  it('unterminated string: names where it starts', () => {
    const e = err('#hash((a . 1)\n  (b . "oops))\n', { source: 'config.rktd' });
    expect(e.message).toBe('config.rktd:2:8: unterminated string starting here');
    expect([e.line, e.column, e.offset]).toEqual([2, 8, 21]);
    expect(e.source).toBe('config.rktd');
  });
});

describe('numbers', () => {
  it.each<[string, unknown]>([
    ['0', 0],
    ['-0', 0],
    ['+17', 17],
    ['86400', 86400],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['-123456789012345678901234567890', -123456789012345678901234567890n],
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['.5', 0.5],
    ['+.5', 0.5],
    ['1e-7', 1e-7],
    ['1.5e3', new Flonum(1500)],
    ['1E3', new Flonum(1000)],
    ['1d3', new Flonum(1000)],
    ['1s3', new Flonum(1000)],
    ['1f3', new Flonum(1000)],
    ['1l3', new Flonum(1000)],
    ['1.0', new Flonum(1)],
    ['5.', new Flonum(5)],
    ['-0.0', new Flonum(-0)],
    ['1e+100', new Flonum(1e100)],
    ['1e500', Infinity],
    ['1#', new Flonum(10)],
    ['1##.#', new Flonum(100)],
    ['1#/2', new Flonum(5)],
    ['+inf.0', Infinity],
    ['-inf.0', -Infinity],
    ['+INF.0', Infinity],
    ['+inf.f', Infinity],
    ['+nan.0', NaN],
    ['-nan.0', NaN],
    ['1/3', new Rational(1n, 3n)],
    ['-5/7', new Rational(-5n, 7n)],
    ['4/2', 2],
    ['6/4', new Rational(3n, 2n)],
    ['100000000000000000000/3', new Rational(100000000000000000000n, 3n)],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps -0.0 apart from 0.0', () => {
    expect(Object.is((parse('-0.0') as Flonum).value, -0)).toBe(true);
    expect(Object.is((parse('0.0') as Flonum).value, 0)).toBe(true);
  });

  it.each(['1+2i', '+i', '1@2', '+inf.0i'])('complex %s is unsupported', (text) => {
    expect(err(text).code).toBe('E_RKTD_UNSUPPORTED');
  });
  it.each(['1.0t0', '+inf.t', '1t3'])('extflonum %s is unsupported', (text) => {
    expect(err(text).code).toBe('E_RKTD_UNSUPPORTED');
  });
  it.each(['#e1.5', '#x1F', '#b101'])('prefixed %s is unsupported', (text) => {
    expect(err(text).code).toBe('E_RKTD_UNSUPPORTED');
  });
  it('1/0 is a division by zero', () => {
    const e = err('(1 1/0)');
    expect(e.reason).toBe('division by zero in `1/0`');
    expect(e.column).toBe(4);
  });
  it.each(['1.2.3', '1e', 'e1', '1/', '/1', '1/-2', '1e2/3', '1#.5', '+inf', 'inf', '1_000', '-', '...', 'a.b'])(
    '%s is a symbol',
    (text) => {
      expect(parse(text)).toBe(sym(text));
    },
  );
});

describe('symbols, keywords, booleans, chars', () => {
  it.each<[string, string]>([
    ['abc', 'abc'],
    ['on-success?', 'on-success?'],
    ['|a b|', 'a b'],
    ['a|b c|d', 'ab cd'],
    ['a\\ b', 'a b'],
    ['1\\2', '12'],
    ['|1|', '1'],
    ['||', ''],
    ['|\\|', '\\'],
    ['\\|', '|'],
    ['#%a', '#%a'],
    ['λ', 'λ'],
    ['a#b', 'a#b'],
    ['A', 'A'],
  ])('symbol %s', (text, name) => {
    expect(parse(text)).toBe(sym(name));
  });

  it('symbols are interned', () => {
    expect(parse('(a |a| \\a)')).toEqual([sym('a'), sym('a'), sym('a')]);
    const [x, y] = parse('(x x)') as unknown[];
    expect(x).toBe(y);
  });

  it.each<[string, string]>([
    ['#:k', 'k'],
    ['#:', ''],
    ['#:a|b c|', 'ab c'],
    ['#:1', '1'],
  ])('keyword %s', (text, name) => {
    expect(parse(text)).toBe(keyword(name));
    expect(parse(text)).toBeInstanceOf(Keyword);
  });

  it.each<[string, boolean]>([
    ['#t', true],
    ['#T', true],
    ['#true', true],
    ['#f', false],
    ['#F', false],
    ['#false', false],
  ])('%s', (text, b) => {
    expect(parse(text)).toBe(b);
  });
  it.each(['#True', '#t1', '#fals', '#truex'])('%s is bad syntax', (text) => {
    expect(err(text).reason).toMatch(/^bad syntax/);
  });

  it.each<[string, string]>([
    ['#\\a', 'a'],
    ['#\\A', 'A'],
    ['#\\space', ' '],
    ['#\\Space', ' '],
    ['#\\newline', '\n'],
    ['#\\linefeed', '\n'],
    ['#\\nul', '\0'],
    ['#\\null', '\0'],
    ['#\\NUL', '\0'],
    ['#\\tab', '\t'],
    ['#\\vtab', '\v'],
    ['#\\page', '\f'],
    ['#\\return', '\r'],
    ['#\\backspace', '\b'],
    ['#\\rubout', '\x7f'],
    ['#\\u3BB', 'λ'],
    ['#\\u3bb', 'λ'],
    ['#\\U1F600', '😀'],
    ['#\\U0010FFFF', '\u{10FFFF}'],
    ['#\\101', 'A'],
    ['#\\(', '('],
    ['#\\ ', ' '],
    ['#\\λ', 'λ'],
    ['#\\😀', '😀'],
    ['#\\u', 'u'],
    ['#\\x', 'x'],
    ['#\\1', '1'],
  ])('char %s', (text, c) => {
    const v = parse(text);
    expect(v).toBeInstanceOf(Char);
    expect(v).toBe(char(c));
  });
  it('#\\x41 is the char x followed by 41, as in Racket', () => {
    expect(parseAll('#\\x41')).toEqual([char('x'), 41]);
    expect(parseAll('#\\u00411 #\\tab1')).toEqual([char('A'), 1, char('\t'), 1]);
  });
  it.each(['#\\ab', '#\\newlinex', '#\\12', '#\\777', '#\\uD800', '#\\λx'])('char %s is bad', (text) => {
    expect(err(text).reason).toMatch(/^bad character constant/);
  });
});

describe('compound data', () => {
  it('lists with all three brackets', () => {
    expect(parse('(1 [2 {3}] ())')).toEqual([1, [2, [3]], []]);
  });
  it('dotted pairs', () => {
    expect(parse('(1 . 2)')).toEqual(new Pair(1, 2));
    expect(parse('(1 2 . 3)')).toEqual(new Pair(1, new Pair(2, 3)));
    expect(parse('(1 . (2 3))')).toEqual([1, 2, 3]);
    expect(parse('(1 . ())')).toEqual([1]);
    expect(parse('[a . b]')).toEqual(new Pair(sym('a'), sym('b')));
  });
  it('vectors', () => {
    expect(parse('#(1 "a" #(b))')).toEqual(new Vector([1, 'a', new Vector([sym('b')])]));
    expect(parse('#[1 2]')).toEqual(new Vector([1, 2]));
    expect(parse('#{}')).toEqual(new Vector([]));
  });
  it('hash tables of the three kinds', () => {
    const h = parse('#hash((b . 1) (a . (1 2)) ["s" . #t])') as RHash;
    expect(h.kind).toBe('equal');
    expect(h.ref('b')).toBe(1);
    expect(h.ref('a')).toEqual([1, 2]);
    expect(h.get('s')).toBe(true);
    expect((parse('#hasheq((a . 1))') as RHash).kind).toBe('eq');
    expect((parse('#hasheqv((1 . 2))') as RHash).kind).toBe('eqv');
    expect((parse('#hash()') as RHash).size).toBe(0);
    expect((parse('#HASH[(a . 1)]') as RHash).ref('a')).toBe(1);
    expect((parse('#hash{(a . 1)}') as RHash).ref('a')).toBe(1);
  });
  it('a later duplicate key wins', () => {
    const h = parse('#hash((a . 1) (a . 2) (1.5 . x) (1.5 . y))') as RHash;
    expect(h.size).toBe(2);
    expect(h.ref('a')).toBe(2);
    expect(h.get(1.5)).toBe(sym('y'));
  });
  it('hash keys that are not primitive are found by value', () => {
    const h = parse('#hash(((1 2) . a) (1.0 . b) (1/2 . c))') as RHash;
    expect(h.get([1, 2])).toBe(sym('a'));
    expect(h.get(new Flonum(1))).toBe(sym('b'));
    expect(h.get(1)).toBeUndefined();
    expect(h.get(new Rational(2n, 4n))).toBe(sym('c'));
  });
  it.each([
    ['#hash((a 1))', 'expected `(key . value)` in a hash table', 7],
    ['#hash(a)', 'expected `(key . value)` in a hash table', 7],
    ['#hash((a . 1 2))', 'expected `)` after the datum following `.`', 14],
    ['(1 . 2 3)', 'expected `)` after the datum following `.`', 8],
    ['(. 1)', 'illegal use of `.`', 2],
    ['(1 .)', 'expected a datum after `.`', 5],
    ['.', 'illegal use of `.`', 1],
    ['#(1 . 2)', 'illegal use of `.`', 5],
    [')', 'unexpected `)`', 1],
    ['(1]', 'expected `)` to close `(` opened at 1:1, found `]`', 3],
    ['(1 2', 'expected a `)` to close `(` opened at 1:1, found end of input', 1],
    ['#hash((a . 1)', 'expected a `)` to close `(` opened at 1:1, found end of input', 1],
  ])('%s is an error', (text, reason, column) => {
    const e = err(text);
    expect(e.reason).toBe(reason);
    expect(e.column).toBe(column);
  });
  it('infix dots are not supported', () => {
    expect(err('(1 . < . 2)').code).toBe('E_RKTD_UNSUPPORTED');
  });
});

describe('quote forms and comments', () => {
  it.each<[string, unknown]>([
    ["'a", [sym('quote'), sym('a')]],
    ['`a', [sym('quasiquote'), sym('a')]],
    [',a', [sym('unquote'), sym('a')]],
    [',@a', [sym('unquote-splicing'), sym('a')]],
    ["#'a", [sym('syntax'), sym('a')]],
    ["''a", [sym('quote'), [sym('quote'), sym('a')]]],
    ["'(1 . 2)", [sym('quote'), new Pair(1, 2)]],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });
  it('line, block (nesting) and datum comments', () => {
    expect(parse('; hello\n(1 ; one\n 2)')).toEqual([1, 2]);
    expect(parse('#| a #| nested |# still |# 5')).toBe(5);
    expect(parse('(1 #;2 3 #; (4 5) 6)')).toEqual([1, 3, 6]);
    expect(parse('#;#;1 2 3')).toBe(3);
    expect(parse('#hash(#;(x . 1) (a . 1) #| c |#)')).toEqual(new RHash('equal', [[sym('a'), 1]]));
    expect(parse('1 #;2 ; end')).toBe(1);
    expect(parse('(a #|x|# b)')).toEqual([sym('a'), sym('b')]);
  });
  it('comment errors', () => {
    expect(err('#| never closed').reason).toBe('unterminated block comment `#|` starting here');
    expect(err('(1 #;)').reason).toBe('unexpected `)`');
    expect(err('#;').reason).toBe('expected a commented-out datum after `#;`, found end of input');
    expect(err("'").reason).toBe('expected a datum after the quote form, found end of input');
  });
});

describe('one datum', () => {
  it('parse wants exactly one', () => {
    expect(err('').reason).toBe('expected a datum, found end of input');
    expect(err('  ; only a comment\n').reason).toBe('expected a datum, found end of input');
    const e = err('(a)\n  (b)');
    expect(e.reason).toBe('unexpected second datum after the first one');
    expect([e.line, e.column]).toEqual([2, 3]);
  });
  it('parseAll reads them all', () => {
    expect(parseAll(' 1 "two" (3) ')).toEqual([1, 'two', [3]]);
    expect(parseAll('')).toEqual([]);
  });
});

describe('error positions', () => {
  it('lines count \\n, \\r\\n and \\r; columns count code points', () => {
    expect([err('\n\n  )').line, err('\n\n  )').column]).toEqual([3, 3]);
    expect([err('\r\n\r\n)').line, err('\r\n\r\n)').column]).toEqual([3, 1]);
    expect([err('\r\r)').line, err('\r\r)').column]).toEqual([3, 1]);
    expect(err('("😀😀" #\\ab)').column).toBe(7);
    expect(err('(1 2)\n(3 "abc').message).toBe('<string>:2:4: unterminated string starting here');
  });
  it('unterminated |', () => {
    const e = err('(a |b c');
    expect(e.reason).toBe('unterminated `|` in symbol starting here');
    expect(e.column).toBe(4);
  });
});

describe('hostile input', () => {
  it('a lone surrogate in the text is read as U+FFFD, as Racket reads it from UTF-8, so what is read can be written', () => {
    for (const lone of ['\ud800', '\udc00']) {
      const v = parse(`(a${lone}b "x${lone}y")`);
      expect(stringify(v)).toBe('(a\ufffdb "x\ufffdy")');
      expect(valueEquals(parse(stringify(v)), v)).toBe(true);
    }
    // A pair stays a pair, and an error's column still counts the replaced character as one.
    expect(stringify(parse('|\ud83d\ude00|'))).toBe('\ud83d\ude00');
    expect(err('(\ud800 ]').column).toBe(4);
  });
  it('100,000 levels of nesting is E_RKTD_DEPTH, not a stack overflow', () => {
    for (const open of ['(', '[', '#(', "'", '#hash((a . ']) {
      const e = err(open.repeat(100_000));
      expect(e.code).toBe('E_RKTD_DEPTH');
    }
    const deep = '('.repeat(100_000) + ')'.repeat(100_000);
    expect(err(deep).code).toBe('E_RKTD_DEPTH');
  });
  it('maxDepth is configurable; nesting within it reads', () => {
    const d = 5000;
    const text = '('.repeat(d) + ')'.repeat(d);
    expect(err(text).code).toBe('E_RKTD_DEPTH');
    let v = parse(text, { maxDepth: d }) as unknown[];
    for (let i = 1; i < d; i++) v = v[0] as unknown[];
    expect(v).toEqual([]);
  });

  // Cost is linear. Wall time is noisy on a shared machine, so count work
  // instead: characters looked at (charCodeAt/codePointAt), characters copied
  // (slice, Array concat) and scanned (indexOf). 8x the input must cost ~8x
  // (a quadratic reader would cost ~64x).
  it.each([
    ['many escapes in one string', (n: number) => `"${'\\n'.repeat(n)}"`],
    ['a long string', (n: number) => `"${'a'.repeat(n * 4)}"`],
    ['a long symbol with bars', (n: number) => `${'|a|b'.repeat(n)}`],
    ['many comments', (n: number) => `${'#| x |# ; y\n'.repeat(n)}1`],
    ['a long list', (n: number) => `(${'1 '.repeat(n)})`],
    ['a wide hash', (n: number) => `#hash(${Array.from({ length: n }, (_, i) => `(k${i} . ${i})`).join(' ')})`],
    ['nested blocks', (n: number) => `${'#|'.repeat(n)}${'|#'.repeat(n)}1`],
    ['error at the end of a long input', (n: number) => `(${'a '.repeat(n)}`],
    ['a long dotted tail', (n: number) => `(${'1 '.repeat(n)}. (${'2 '.repeat(n)}))`],
    ['many flonum keys', (n: number) => `#hash(${Array.from({ length: n }, (_, i) => `(${i}.5 . ${i})`).join(' ')})`],
    ['many list keys', (n: number) => `#hash(${Array.from({ length: n }, (_, i) => `((${i}) . ${i})`).join(' ')})`],
    ['many lines then an error', (n: number) => `${'\n'.repeat(n)}(1 ]`],
  ])('%s scales linearly', (_name, make) => {
    const work = (n: number): number => {
      const text = make(n);
      let count = 0;
      const sp = String.prototype;
      const ap = Array.prototype;
      const saved = { charCodeAt: sp.charCodeAt, codePointAt: sp.codePointAt, slice: sp.slice, indexOf: sp.indexOf, concat: ap.concat };
      sp.charCodeAt = function (this: string, i: number) {
        count++;
        return saved.charCodeAt.call(this, i);
      };
      sp.codePointAt = function (this: string, i: number) {
        count++;
        return saved.codePointAt.call(this, i);
      };
      sp.slice = function (this: string, a?: number, b?: number) {
        const r = saved.slice.call(this, a, b);
        count += r.length + 1;
        return r;
      };
      sp.indexOf = function (this: string, search: string, from?: number) {
        const r = saved.indexOf.call(this, search, from);
        count += (r < 0 ? this.length : r) - (from ?? 0) + 1;
        return r;
      };
      ap.concat = function (this: unknown[], ...args: unknown[]) {
        const r = saved.concat.apply(this, args);
        count += r.length + 1;
        return r;
      } as typeof ap.concat;
      try {
        parse(text);
      } catch (e) {
        if (!isRktdSyntaxError(e)) throw e;
      } finally {
        Object.assign(sp, { charCodeAt: saved.charCodeAt, codePointAt: saved.codePointAt, slice: saved.slice, indexOf: saved.indexOf });
        ap.concat = saved.concat;
      }
      return count;
    };
    const small = work(10_000);
    const big = work(80_000);
    expect(small).toBeGreaterThan(10_000);
    expect(big / small).toBeLessThan(9);
  });
});
