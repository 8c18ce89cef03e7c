// The writer: Racket 8.7 [cs] `write`, byte for byte, for every value this
// library represents. Every rule here was settled by running racket.
import { RktdWriteError } from './errors.js';
import { STRING_LITERAL_RANGES } from './_unicode.js';
import { formatFlonum, looksLikeNumber } from './_number.js';
import { Char, Flonum, Keyword, Pair, RHash, Rational, Sym, Vector } from './values.js';
import type { Value } from './values.js';

const MAX_DEPTH = 10_000;

function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid * 2]!) hi = mid - 1;
    else if (cp > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Characters `write` prints as themselves inside a string. */
function stringLiteral(cp: number): boolean {
  if (cp < 0x7f) return cp >= 32 && cp !== 34 && cp !== 92;
  return inRanges(STRING_LITERAL_RANGES, cp);
}

/** char-blank? characters other than tab: printed literally in strings, but not as `#\c`. */
function isBlank(cp: number): boolean {
  return (
    cp === 32 ||
    cp === 160 ||
    cp === 5760 ||
    (cp >= 8192 && cp <= 8202) ||
    cp === 8239 ||
    cp === 8287 ||
    cp === 12288
  );
}

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, '0');
}

const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function writeString(s: string, path = ''): string {
  if (PLAIN_STRING.test(s)) return `"${s}"`;
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 32 && cp < 0x7f && cp !== 34 && cp !== 92) continue;
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      } else {
        throw new RktdWriteError('E_RKTD_UNWRITABLE', 'string contains a lone surrogate, which Racket strings cannot hold', path, s);
      }
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      throw new RktdWriteError('E_RKTD_UNWRITABLE', 'string contains a lone surrogate, which Racket strings cannot hold', path, s);
    }
    let esc: string | undefined;
    switch (cp) {
      case 34: esc = '\\"'; break;
      case 92: esc = '\\\\'; break;
      case 7: esc = '\\a'; break;
      case 8: esc = '\\b'; break;
      case 9: esc = '\\t'; break;
      case 10: esc = '\\n'; break;
      case 11: esc = '\\v'; break;
      case 12: esc = '\\f'; break;
      case 13: esc = '\\r'; break;
      case 27: esc = '\\e'; break;
      default:
        if (!stringLiteral(cp)) esc = cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
    }
    if (esc !== undefined) {
      out += s.slice(chunk, i) + esc;
      chunk = i + width;
    }
    if (width === 2) i++;
  }
  return out + s.slice(chunk) + '"';
}

/** Characters that force `|...|` (or `\`) in a symbol: whitespace and the reader's delimiters. */
function symbolSpecial(cp: number): boolean {
  switch (cp) {
    case 34: // "
    case 39: // '
    case 40: // (
    case 41: // )
    case 44: // ,
    case 59: // ;
    case 91: // [
    case 92: // \
    case 93: // ]
    case 96: // `
    case 123: // {
    case 124: // |
    case 125: // }
      return true;
  }
  if (cp <= 32) return cp === 32 || (cp >= 9 && cp <= 13);
  if (cp < 133) return false;
  return (
    cp === 133 ||
    cp === 160 ||
    cp === 5760 ||
    (cp >= 8192 && cp <= 8202) ||
    cp === 8232 ||
    cp === 8233 ||
    cp === 8239 ||
    cp === 8287 ||
    cp === 12288 ||
    cp === 0xfeff
  );
}

const PLAIN_SYMBOL = /^[a-zA-Z!$%&*/:<=>?^_~@][a-zA-Z0-9!$%&*/:<=>?^_~@+\-.#]*$/;

function checkScalar(s: string, what: string, path: string): void {
  if (/(?:[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/.test(s)) {
    throw new RktdWriteError('E_RKTD_UNWRITABLE', `${what} contains a lone surrogate`, path, s);
  }
}

function writeSymbolName(name: string, isKeyword: boolean, path: string): string {
  if (PLAIN_SYMBOL.test(name)) return name;
  checkScalar(name, isKeyword ? 'keyword' : 'symbol', path);
  let needs = isKeyword ? false : name === '' || looksLikeNumber(name);
  if (name === '.') needs = true;
  if (name.charCodeAt(0) === 35 && name.charCodeAt(1) !== 37) needs = true; // # but not #%
  let hasBar = false;
  if (!needs || name.includes('|')) {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (symbolSpecial(c)) {
        needs = true;
        if (c === 124) hasBar = true;
      }
    }
  }
  if (!needs) return name;
  if (!hasBar) return `|${name}|`;
  let out = '';
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    if (symbolSpecial(cp) || (out === '' && cp === 35 && name.charCodeAt(1) !== 37)) out += '\\';
    out += ch;
  }
  return out;
}

export function writeSymbol(s: Sym, path = ''): string {
  return writeSymbolName(s.name, false, path);
}

const CHAR_NAMES: Record<number, string> = {
  0: 'nul',
  8: 'backspace',
  9: 'tab',
  10: 'newline',
  11: 'vtab',
  12: 'page',
  13: 'return',
  32: 'space',
  127: 'rubout',
};

export function writeChar(c: Char): string {
  const cp = c.codePoint;
  const name = CHAR_NAMES[cp];
  if (name !== undefined) return `#\\${name}`;
  if (cp === 34 || cp === 92 || (stringLiteral(cp) && !isBlank(cp))) return `#\\${c.char}`;
  return cp <= 0xffff ? `#\\u${hex(cp, 4)}` : `#\\U${hex(cp, 8)}`;
}

/** An integer-valued JS number is an exact integer. */
function writeNumber(n: number): string {
  if (Number.isInteger(n)) {
    if (Number.isSafeInteger(n)) return String(n + 0);
    return BigInt(n).toString();
  }
  return formatFlonum(n);
}

// ---- hash key order -------------------------------------------------------

type KeyKind = 'char' | 'real' | 'symbol' | 'keyword' | 'string' | 'boolean';

function keyKind(k: Value): KeyKind | undefined {
  switch (typeof k) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'real';
    case 'boolean':
      return 'boolean';
    default:
      if (k instanceof Sym) return 'symbol';
      if (k instanceof Keyword) return 'keyword';
      if (k instanceof Char) return 'char';
      if (k instanceof Flonum || k instanceof Rational) return 'real';
      return undefined;
  }
}

/** Code-point order (JS `<` on strings is UTF-16 order, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** An exact real as num/den (den > 0), or a float for non-finite flonums. */
function exactParts(v: Value): { num: bigint; den: bigint } | number {
  if (typeof v === 'bigint') return { num: v, den: 1n };
  if (v instanceof Rational) return { num: v.num, den: v.den };
  const x = typeof v === 'number' ? v : (v as Flonum).value;
  if (!Number.isFinite(x)) return x;
  if (Number.isInteger(x)) return { num: BigInt(x), den: 1n };
  // x = m / 2^k exactly
  let k = 0n;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  return { num: BigInt(m), den: 1n << k };
}

/** Racket's `<` on reals (exact comparison; NaN is never less). */
function realLess(a: Value, b: Value): boolean {
  const x = exactParts(a);
  const y = exactParts(b);
  if (typeof x === 'number' || typeof y === 'number') {
    const fx = typeof x === 'number' ? x : 0;
    const fy = typeof y === 'number' ? y : 0;
    if (Number.isNaN(fx) || Number.isNaN(fy)) return false;
    if (typeof x === 'number' && typeof y === 'number') return fx < fy;
    if (typeof x === 'number') return fx === -Infinity;
    return fy === Infinity;
  }
  return x.num * y.den < y.num * x.den;
}

function compareKeys(kind: KeyKind, a: Value, b: Value): number {
  switch (kind) {
    case 'string':
      return compareCodePoints(a as string, b as string);
    case 'symbol':
      return compareCodePoints((a as Sym).name, (b as Sym).name);
    case 'keyword':
      return compareCodePoints((a as Keyword).name, (b as Keyword).name);
    case 'char':
      return (a as Char).codePoint - (b as Char).codePoint;
    case 'real':
      return realLess(a, b) ? -1 : realLess(b, a) ? 1 : 0;
    case 'boolean':
      // Not sorted by Racket 8.7; its table happens to list #t first.
      return a === b ? 0 : a === true ? -1 : 1;
  }
}

/**
 * Racket 8.7 prints a hash's entries sorted when every key is of one kind
 * (all symbols, all strings, all reals, all chars, all keywords); otherwise in
 * its internal order, which cannot be reproduced: we use insertion order.
 */
export function orderedEntries(h: RHash): [Value, Value][] {
  const entries = [...h.entries];
  if (entries.length < 2) return entries;
  const kind = keyKind(entries[0]![0]);
  if (kind === undefined) return entries;
  for (const [k] of entries) if (keyKind(k) !== kind) return entries;
  if (kind === 'symbol') {
    // The common case (config tables): compare names directly.
    return entries.sort((a, b) => compareCodePoints((a[0] as Sym).name, (b[0] as Sym).name));
  }
  return entries.sort((a, b) => compareKeys(kind, a[0], b[0]));
}

// ---- the writer -------------------------------------------------------------

class Writer {
  out: string[] = [];
  private readonly active = new Set<object>();

  write(v: Value, depth: number, path: string): void {
    switch (typeof v) {
      case 'string':
        this.out.push(writeString(v, path));
        return;
      case 'boolean':
        this.out.push(v ? '#t' : '#f');
        return;
      case 'number':
        this.out.push(writeNumber(v));
        return;
      case 'bigint':
        this.out.push(v.toString());
        return;
      case 'object':
        break;
      default:
        throw new RktdWriteError('E_RKTD_UNWRITABLE', `cannot write a ${typeof v} as Racket data`, path, v);
    }
    if (v === null) throw new RktdWriteError('E_RKTD_UNWRITABLE', 'cannot write null as Racket data', path, v);
    if (v instanceof Sym) {
      this.out.push(writeSymbolName(v.name, false, path));
      return;
    }
    if (v instanceof Flonum) {
      this.out.push(formatFlonum(v.value));
      return;
    }
    if (v instanceof Keyword) {
      this.out.push('#:' + writeSymbolName(v.name, true, path));
      return;
    }
    if (v instanceof Char) {
      this.out.push(writeChar(v));
      return;
    }
    if (v instanceof Rational) {
      this.out.push(`${v.num}/${v.den}`);
      return;
    }
    if (depth >= MAX_DEPTH) {
      throw new RktdWriteError('E_RKTD_DEPTH', `value nested deeper than ${MAX_DEPTH} levels`, path, v);
    }
    if (this.active.has(v)) throw new RktdWriteError('E_RKTD_UNWRITABLE', 'value contains a cycle', path, v);
    this.active.add(v);
    if (Array.isArray(v)) {
      this.out.push('(');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.out.push(' ');
        this.write(v[i] as Value, depth + 1, `${path}[${i}]`);
      }
      this.out.push(')');
    } else if (v instanceof Pair) {
      this.out.push('(');
      let p: Value = v;
      let i = 0;
      const seen: object[] = [];
      for (;;) {
        if (i > 0) this.out.push(' ');
        this.write((p as Pair).car, depth + 1, `${path}[${i}]`);
        i++;
        const next: Value = (p as Pair).cdr;
        if (next instanceof Pair) {
          if (this.active.has(next)) throw new RktdWriteError('E_RKTD_UNWRITABLE', 'value contains a cycle', path, v);
          this.active.add(next);
          seen.push(next);
          p = next;
          continue;
        }
        if (Array.isArray(next)) {
          for (const item of next) {
            this.out.push(' ');
            this.write(item as Value, depth + 1, `${path}[${i}]`);
            i++;
          }
        } else {
          this.out.push(' . ');
          this.write(next, depth + 1, `${path}.cdr`);
        }
        break;
      }
      for (const s of seen) this.active.delete(s);
      this.out.push(')');
    } else if (v instanceof Vector) {
      this.out.push('#(');
      const items = v.items;
      for (let i = 0; i < items.length; i++) {
        if (i > 0) this.out.push(' ');
        this.write(items[i]!, depth + 1, `${path}[${i}]`);
      }
      this.out.push(')');
    } else if (v instanceof RHash) {
      this.out.push(v.kind === 'equal' ? '#hash(' : v.kind === 'eq' ? '#hasheq(' : '#hasheqv(');
      let first = true;
      for (const [k, val] of orderedEntries(v)) {
        this.out.push(first ? '(' : ' (');
        first = false;
        this.write(k, depth + 1, path);
        this.out.push(' . ');
        const keyPath = k instanceof Sym ? (path === '' ? k.name : `${path}.${k.name}`) : `${path}{key}`;
        this.write(val, depth + 1, keyPath);
        this.out.push(')');
      }
      this.out.push(')');
    } else {
      this.active.delete(v);
      const what = (v as object).constructor?.name ?? 'object';
      throw new RktdWriteError(
        'E_RKTD_UNWRITABLE',
        `cannot write a ${what} as Racket data (use fromJS for plain objects)`,
        path,
        v,
      );
    }
    this.active.delete(v);
  }
}

/** Racket `write`'s text for a value, without a trailing newline. */
export function stringify(value: Value): string {
  const w = new Writer();
  w.write(value, 0, '');
  return w.out.join('');
}
