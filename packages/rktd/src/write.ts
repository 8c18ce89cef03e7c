// The writer: Racket 8.7 [cs] `write`, byte for byte, for every value this
// library represents. Every rule here was settled by running racket.
import { RktdWriteError } from './errors.js';
import { LONE_SURROGATE } from './_surrogates.js';
import { STRING_LITERAL_RANGES } from './_unicode.js';
import { formatFlonum, looksLikeNumber } from './_number.js';
import { Char, Flonum, Keyword, Pair, RHash, Rational, Sym, Vector } from './values.js';
import type { Value } from './values.js';

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

/**
 * Racket 8.7 escapes a non-graphic character in a string unless it continues
 * a grapheme cluster whose first character it printed as is (and which is not
 * a blank): joiners (ZWNJ, ZWJ, tag characters) after such a character, and
 * anything but a "control" after a graphic Prepend character. Tables measured
 * with racket. (Racket 8.7 even prints `"` and `\` raw after a Prepend
 * character, which makes text it cannot read back; we escape them, always.)
 */
function isJoiner(cp: number): boolean {
  return cp === 0x200c || cp === 0x200d || (cp >= 0xe0020 && cp <= 0xe007f);
}

/** Characters with Grapheme_Cluster_Break=Prepend in Racket 8.7's tables (graphic ones, then format ones). */
function isPrepend(cp: number): boolean {
  return (
    (cp >= 0x600 && cp <= 0x605) ||
    cp === 0x6dd ||
    cp === 0x70f ||
    cp === 0x890 ||
    cp === 0x891 ||
    cp === 0x8e2 ||
    cp === 0x110bd ||
    cp === 0x110cd ||
    cp === 3406 ||
    cp === 70082 ||
    cp === 70083 ||
    cp === 71999 ||
    cp === 72001 ||
    cp === 72250 ||
    (cp >= 72324 && cp <= 72329) ||
    cp === 73030
  );
}

/** Non-graphic characters that break a cluster even after a Prepend character. */
const CLUSTER_CONTROL_RANGES: readonly number[] = [
  0, 31, 127, 159, 173, 173, 1564, 1564, 6158, 6158, 8203, 8203, 8206, 8207, 8232, 8238, 8288, 8303, 65279, 65279,
  65520, 65531, 78896, 78904, 113824, 113827, 119155, 119162, 917504, 917535, 917632, 917759, 918000, 921599,
];

const NONE = 0;
const GRAPHIC = 1;
const PREPEND = 2;

function writeString(s: string, where: PathRef = NO_PATH): string {
  if (PLAIN_STRING.test(s)) return `"${s}"`;
  let out = '"';
  let chunk = 0;
  // The previous character: printed as is and not a blank (GRAPHIC, PREPEND) or not (NONE).
  let prev = NONE;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp > 32 && cp < 0x7f && cp !== 34 && cp !== 92) {
      prev = GRAPHIC;
      continue;
    }
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      } else {
        unwritable(where.root, where.target, 'string contains a lone surrogate, which Racket strings cannot hold');
      }
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      unwritable(where.root, where.target, 'string contains a lone surrogate, which Racket strings cannot hold');
    }
    let esc: string | undefined;
    const joined = prev === PREPEND;
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
        if (prev === PREPEND && !inRanges(CLUSTER_CONTROL_RANGES, cp)) {
          // continues the cluster of a Prepend character: printed as is, whatever it is
          prev = isPrepend(cp) ? PREPEND : GRAPHIC;
        } else if (stringLiteral(cp)) {
          prev = isBlank(cp) ? NONE : isPrepend(cp) ? PREPEND : GRAPHIC;
        } else if (prev !== NONE && isJoiner(cp)) {
          prev = GRAPHIC; // continues the cluster: printed as is
        } else {
          esc = cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
        }
    }
    if (esc !== undefined) {
      // Racket prints `"` and `\\` raw inside a Prepend cluster (we escape them): its cluster goes on.
      prev = joined && (cp === 34 || cp === 92) ? GRAPHIC : NONE;
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

function checkScalar(s: string, what: string, where: PathRef): void {
  if (LONE_SURROGATE.test(s)) {
    unwritable(where.root, where.target, `${what} contains a lone surrogate`);
  }
}

function writeSymbolName(name: string, isKeyword: boolean, where: PathRef): string {
  if (PLAIN_SYMBOL.test(name)) return name;
  checkScalar(name, isKeyword ? 'keyword' : 'symbol', where);
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

interface PathRef {
  root: Value;
  target: unknown;
}
const NO_PATH: PathRef = { root: '', target: undefined };

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

function writeChar(c: Char): string {
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

type KeyKind = 'real' | 'symbol' | 'keyword' | 'string' | 'boolean';

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
      if (k instanceof Flonum || k instanceof Rational) return 'real';
      return undefined;
  }
}

/** Code-point order (JS `<` on strings is UTF-16 order, which differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
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
    case 'real':
      return realLess(a, b) ? -1 : realLess(b, a) ? 1 : 0;
    case 'boolean':
      // Not sorted by Racket 8.7; its `equal` tables happen to list #t first (see orderedEntries).
      return a === b ? 0 : a === true ? -1 : 1;
  }
}

/**
 * Racket 8.7 prints a hash's entries sorted when every key is of one sortable
 * kind: all reals (by `<`, exact and inexact mixed), all symbols, all strings
 * or all keywords (by code point). Otherwise (chars, lists, mixed kinds, ...)
 * it prints them in its internal hash order, which cannot be reproduced: we
 * use insertion order. Two boolean keys come out as `#t` then `#f` in an
 * `equal` table, as Racket's tables happen to order them (in `eq`/`eqv`
 * tables their order varies from one Racket process to the next).
 */
function orderedEntries(h: RHash): [Value, Value][] {
  const entries: [Value, Value][] = [];
  // One pass: collect the entries and see whether the keys are all symbols (the common case).
  let allSymbols = true;
  for (const e of h.entries) {
    entries.push(e);
    if (allSymbols && !(e[0] instanceof Sym)) allSymbols = false;
  }
  if (entries.length < 2) return entries;
  if (allSymbols) return entries.sort(compareSymbolEntries);
  const kind = keyKind(entries[0]![0]);
  if (kind === undefined) return entries;
  for (const [k] of entries) if (keyKind(k) !== kind) return entries;
  // eq/eqv tables order #t and #f by a per-process hash code: keep insertion order.
  if (kind === 'boolean' && h.kind !== 'equal') return entries;
  return entries.sort((a, b) => compareKeys(kind, a[0], b[0]));
}

function compareSymbolEntries(a: [Value, Value], b: [Value, Value]): number {
  return compareCodePoints((a[0] as Sym).name, (b[0] as Sym).name);
}

// ---- the writer -------------------------------------------------------------

/** Marks the end of a compound value on the work stack (for cycle detection). */
class Leave {
  constructor(readonly value: object) {}
}

type Task = Value | Leave | Literal;

/** Text to emit as is (kept apart from Racket strings, which are Values). */
class Literal {
  constructor(readonly text: string) {}
}
const CLOSE = new Literal(')');
const SPACE = new Literal(' ');
const DOT = new Literal(' . ');
const OPEN_ENTRY = new Literal('(');
const SPACE_OPEN_ENTRY = new Literal(' (');

function unwritable(root: Value, bad: unknown, message: string): never {
  throw new RktdWriteError('E_RKTD_UNWRITABLE', message, findPath(root, bad), bad);
}

/** Where `target` sits inside `root` (`tasks[3].name`), for error messages only. */
function findPath(root: Value, target: unknown): string {
  const stack: [unknown, string][] = [[root, '']];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === target) return path;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v instanceof Vector) {
      for (let i = v.items.length - 1; i >= 0; i--) stack.push([v.items[i], `${path}[${i}]`]);
    } else if (v instanceof Pair) {
      stack.push([v.cdr, `${path}.cdr`], [v.car, `${path}.car`]);
    } else if (v instanceof RHash) {
      for (const [k, val] of v.entries) {
        const seg = k instanceof Sym ? k.name : typeof k === 'string' ? JSON.stringify(k) : '{key}';
        stack.push([val, path === '' ? seg : `${path}.${seg}`], [k, `${path}{key}`]);
      }
    }
  }
  return '';
}

/** Racket `write`'s text for a value, without a trailing newline. */
export function stringify(value: Value): string {
  const w = new RecursiveWriter(value);
  w.write(value, 0);
  return w.parts.join('');
}

/** Below this depth, plain recursion (faster); deeper parts go to the iterative writer. */
const RECURSION_LIMIT = 400;

class RecursiveWriter {
  /** The text so far, in pieces: joined once at the end (a rope of `+=` costs a node per piece). */
  readonly parts: string[] = [];
  readonly active = new Set<object>();
  constructor(private readonly root: Value) {}

  write(v: Value, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.parts.push(PLAIN_STRING.test(v) ? `"${v}"` : writeString(v, findPathLazy(this.root, v)));
        return;
      case 'number':
        this.parts.push(writeNumber(v));
        return;
      case 'boolean':
        this.parts.push(v ? '#t' : '#f');
        return;
      case 'object':
        if (v instanceof Sym) {
          this.parts.push(symbolText(v, this.root));
          return;
        }
        if (Array.isArray(v)) {
          if (v.length === 0) {
            this.parts.push('()');
            return;
          }
          if (depth >= RECURSION_LIMIT) break;
          if (this.active.has(v)) unwritable(this.root, v, 'value contains a cycle');
          this.active.add(v);
          this.parts.push('(');
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.parts.push(' ');
            this.write(v[i] as Value, depth + 1);
          }
          this.parts.push(')');
          this.active.delete(v);
          return;
        }
        if (v instanceof RHash) {
          if (depth >= RECURSION_LIMIT) break;
          if (this.active.has(v)) unwritable(this.root, v, 'value contains a cycle');
          this.active.add(v);
          this.parts.push(v.kind === 'equal' ? '#hash(' : v.kind === 'eq' ? '#hasheq(' : '#hasheqv(');
          const entries = orderedEntries(v);
          for (let i = 0; i < entries.length; i++) {
            const e = entries[i]!;
            this.parts.push(i === 0 ? '(' : ' (');
            this.write(e[0], depth + 1);
            this.parts.push(' . ');
            this.write(e[1], depth + 1);
            this.parts.push(')');
          }
          this.parts.push(')');
          this.active.delete(v);
          return;
        }
        break;
    }
    this.parts.push(stringifyIterative(this.root, v, this.active));
  }
}

/** The symbol's written form, cached on the (interned) symbol. */
function symbolText(v: Sym, root: Value): string {
  const cached = (v as unknown as { _written?: string })._written;
  if (cached !== undefined) return cached;
  const text = PLAIN_SYMBOL.test(v.name) ? v.name : writeSymbolName(v.name, false, findPathLazy(root, v));
  (v as unknown as { _written?: string })._written = text;
  return text;
}

/** The writer for any depth: an explicit stack instead of recursion. */
function stringifyIterative(value: Value, start: Value, active: Set<object>): string {
  let out = '';
  const tasks: Task[] = [start];
  while (tasks.length > 0) {
    const v = tasks.pop()!;
    switch (typeof v) {
      case 'string':
        out += PLAIN_STRING.test(v) ? `"${v}"` : writeString(v, findPathLazy(value, v));
        continue;
      case 'boolean':
        out += v ? '#t' : '#f';
        continue;
      case 'number':
        out += writeNumber(v);
        continue;
      case 'bigint':
        out += v.toString();
        continue;
      case 'object':
        break;
      default:
        unwritable(value, v, `cannot write a ${typeof v} as Racket data`);
    }
    if (v === null) unwritable(value, v, 'cannot write null as Racket data');
    if (v instanceof Literal) {
      out += v.text;
    } else if (v instanceof Sym) {
      out += symbolText(v, value);
    } else if (v instanceof Leave) {
      active.delete(v.value);
    } else if (v instanceof Flonum) {
      out += formatFlonum(v.value);
    } else if (v instanceof Keyword) {
      out += '#:' + writeSymbolName(v.name, true, findPathLazy(value, v));
    } else if (v instanceof Char) {
      out += writeChar(v);
    } else if (v instanceof Rational) {
      out += `${v.num}/${v.den}`;
    } else {
      if (active.has(v)) unwritable(value, v, 'value contains a cycle');
      if (Array.isArray(v)) {
        if (v.length === 0) {
          out += '()';
          continue;
        }
        active.add(v);
        out += '(';
        tasks.push(new Leave(v), CLOSE);
        for (let i = v.length - 1; i > 0; i--) tasks.push(v[i] as Value, SPACE);
        tasks.push(v[0] as Value);
      } else if (v instanceof Pair) {
        // Walk the cdr chain here, so long improper lists are not nesting.
        const cars: Value[] = [];
        const chain: Pair[] = [];
        let p: Value = v;
        while (p instanceof Pair) {
          if (active.has(p)) unwritable(value, p, 'value contains a cycle');
          active.add(p);
          chain.push(p);
          cars.push(p.car);
          p = p.cdr;
        }
        for (const c of chain) tasks.push(new Leave(c));
        out += '(';
        tasks.push(CLOSE);
        if (Array.isArray(p)) {
          for (let i = p.length - 1; i >= 0; i--) tasks.push(p[i] as Value, SPACE);
        } else {
          tasks.push(p, DOT);
        }
        for (let i = cars.length - 1; i > 0; i--) tasks.push(cars[i]!, SPACE);
        tasks.push(cars[0]!);
      } else if (v instanceof Vector) {
        const items = v.items;
        if (items.length === 0) {
          out += '#()';
          continue;
        }
        active.add(v);
        out += '#(';
        tasks.push(new Leave(v), CLOSE);
        for (let i = items.length - 1; i > 0; i--) tasks.push(items[i]!, SPACE);
        tasks.push(items[0]!);
      } else if (v instanceof RHash) {
        out += v.kind === 'equal' ? '#hash(' : v.kind === 'eq' ? '#hasheq(' : '#hasheqv(';
        if (v.entries.size === 0) {
          out += ')';
          continue;
        }
        active.add(v);
        const entries = orderedEntries(v);
        tasks.push(new Leave(v), CLOSE);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [k, val] = entries[i]!;
          tasks.push(CLOSE, val, DOT, k, i === 0 ? OPEN_ENTRY : SPACE_OPEN_ENTRY);
        }
      } else {
        const what = (v as object).constructor?.name ?? 'object';
        unwritable(value, v, `cannot write a ${what} as Racket data (use fromJS for plain objects)`);
      }
    }
  }
  return out;
}

/** A path string computed only when an error is about to be thrown. */
function findPathLazy(root: Value, target: unknown): PathRef {
  return { root, target };
}
