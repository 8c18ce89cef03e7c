// The JS representation of Racket data. Plain JS values carry the common
// cases (strings, booleans, exact integers, lists); small classes carry the
// rest, so that exactness, symbol vs string and list vs vector survive a
// read → write round trip.

/** An integral flonum such as `1.0`, `1e+100` or `-0.0` (a non-integral flonum is a plain number). */
export class Flonum {
  constructor(readonly value: number) {}
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

const symbols = new Map<string, Sym>();

/** An interned Racket symbol: `sym('a') === sym('a')`, so symbols work as Map keys. */
export class Sym {
  private constructor(readonly name: string) {}
  /** The one symbol with this name (same as {@link sym}). */
  static of(name: string): Sym {
    let s = symbols.get(name);
    if (s === undefined) {
      s = new Sym(name);
      symbols.set(name, s);
    }
    return s;
  }
  toString(): string {
    return this.name;
  }
  [inspect](): string {
    return `Sym(${JSON.stringify(this.name)})`;
  }
}

export function sym(name: string): Sym {
  return Sym.of(name);
}

export function isSym(v: unknown, name?: string): v is Sym {
  return v instanceof Sym && (name === undefined || v.name === name);
}

const keywords = new Map<string, Keyword>();

/** An interned Racket keyword `#:name`. */
export class Keyword {
  private constructor(readonly name: string) {}
  /** The one keyword with this name (same as {@link keyword}). */
  static of(name: string): Keyword {
    let k = keywords.get(name);
    if (k === undefined) {
      k = new Keyword(name);
      keywords.set(name, k);
    }
    return k;
  }
  toString(): string {
    return `#:${this.name}`;
  }
  [inspect](): string {
    return `Keyword(${JSON.stringify(this.name)})`;
  }
}

export function keyword(name: string): Keyword {
  return Keyword.of(name);
}

const chars = new Map<string, Char>();

/** A Racket character; `.char` is a string of exactly one code point. Interned. */
export class Char {
  private constructor(readonly char: string) {}
  /** The one Char for this character (same as {@link char}). */
  static of(c: string | number): Char {
    const s = typeof c === 'number' ? String.fromCodePoint(c) : c;
    const cp = s.codePointAt(0);
    if (cp === undefined || String.fromCodePoint(cp) !== s || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new RangeError(`char: expected exactly one Unicode scalar value, got ${JSON.stringify(s)}`);
    }
    let ch = chars.get(s);
    if (ch === undefined) {
      ch = new Char(s);
      chars.set(s, ch);
    }
    return ch;
  }
  get codePoint(): number {
    return this.char.codePointAt(0) ?? 0;
  }
  toString(): string {
    return this.char;
  }
  [inspect](): string {
    return `Char(${JSON.stringify(this.char)})`;
  }
}

export function char(c: string | number): Char {
  if (typeof c === 'number' && (!Number.isInteger(c) || c < 0 || c > 0x10ffff)) {
    throw new RangeError(`char: ${c} is not a code point`);
  }
  return Char.of(c);
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** An exact rational `num/den`, normalised (den > 1, gcd 1). Use {@link rational} to build one. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;
  constructor(num: bigint, den: bigint) {
    if (den === 0n) throw new RangeError('rational: division by zero');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }
  toString(): string {
    return `${this.num}/${this.den}`;
  }
}

/** An exact rational; an integral result comes back as an integer (number or bigint), like Racket. */
export function rational(num: bigint | number, den: bigint | number = 1n): Rational | number | bigint {
  const r = new Rational(BigInt(num), BigInt(den));
  return r.den === 1n ? exactInteger(r.num) : r;
}

/** @internal number when it is a safe integer, else bigint */
export function exactInteger(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

/** A pair whose cdr is not a list: `(a . b)`; `(a b . c)` is `Pair(a, Pair(b, c))`. */
export class Pair {
  constructor(
    readonly car: Value,
    readonly cdr: Value,
  ) {}
}

/** A Racket vector `#(...)`. */
export class Vector {
  constructor(readonly items: Value[] = []) {}
}

export type HashKind = 'equal' | 'eqv' | 'eq';

/**
 * A Racket hash table: `#hash(...)` (kind `equal`), `#hasheqv(...)`, `#hasheq(...)`.
 * Entries keep insertion order; `stringify` prints them in Racket's order.
 */
export class RHash {
  readonly entries: Map<Value, Value>;
  constructor(
    readonly kind: HashKind = 'equal',
    entries?: Iterable<readonly [Value, Value]>,
  ) {
    this.entries = new Map();
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }
  get size(): number {
    return this.entries.size;
  }
  /** The key already in the table that is `equal?` to `key` (keys without identity are compared by value). */
  private findKey(key: Value): Value | undefined {
    if (this.entries.has(key)) return key;
    if (!hasValueIdentity(key)) return undefined;
    for (const k of this.entries.keys()) if (hasValueIdentity(k) && valueEquals(k, key)) return k;
    return undefined;
  }
  get(key: Value): Value | undefined {
    const k = this.findKey(key);
    return k === undefined ? undefined : this.entries.get(k);
  }
  /** Shorthand for `get(sym(name))`. */
  ref(name: string): Value | undefined {
    return this.entries.get(sym(name));
  }
  has(key: Value): boolean {
    return this.findKey(key) !== undefined;
  }
  set(key: Value, value: Value): this {
    const k = this.findKey(key);
    this.entries.set(k === undefined ? key : k, value);
    return this;
  }
  delete(key: Value): boolean {
    const k = this.findKey(key);
    return k === undefined ? false : this.entries.delete(k);
  }
  keys(): IterableIterator<Value> {
    return this.entries.keys();
  }
  [Symbol.iterator](): IterableIterator<[Value, Value]> {
    return this.entries[Symbol.iterator]();
  }
}

/**
 * Keys that a JS Map cannot compare the way Racket's `equal?` does: objects
 * that are not interned (flonums, rationals, lists, pairs, vectors, hashes).
 * Strings, numbers, booleans, symbols, keywords and chars compare fine.
 */
export function hasValueIdentity(v: Value): boolean {
  return typeof v === 'object' && !(v instanceof Sym || v instanceof Keyword || v instanceof Char);
}

/** Any datum this library reads or writes. */
export type Value =
  | string
  | boolean
  | number
  | bigint
  | Flonum
  | Rational
  | Sym
  | Keyword
  | Char
  | Pair
  | Vector
  | RHash
  | Value[];

export function isRHash(v: unknown): v is RHash {
  return v instanceof RHash;
}

/** A pair chain as a list when its tail is a list, else its cars and final tail. */
function normalList(p: Pair): Value[] | { cars: Value[]; tail: Value } {
  const cars: Value[] = [];
  let v: Value = p;
  while (v instanceof Pair) {
    cars.push(v.car);
    v = v.cdr;
  }
  return Array.isArray(v) ? cars.concat(v) : { cars, tail: v };
}

/** exact integer, flonum or exact rational; undefined when not a number. */
function numberClass(v: Value): 'exact' | 'float' | 'rational' | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? 'exact' : 'float';
  if (typeof v === 'bigint') return 'exact';
  if (v instanceof Flonum) return 'float';
  if (v instanceof Rational) return 'rational';
  return undefined;
}

/**
 * Racket's `equal?` on values (numbers: same exactness and value; NaN equals NaN).
 * Iterative, so deep values do not overflow the stack.
 */
export function valueEquals(a: Value, b: Value): boolean {
  const stack: [Value, Value][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    const nx = numberClass(x);
    if (nx !== undefined) {
      const ny = numberClass(y);
      if (ny === undefined || nx !== ny) return false;
      if (nx === 'float') {
        const fx = typeof x === 'number' ? x : (x as Flonum).value;
        const fy = typeof y === 'number' ? y : (y as Flonum).value;
        if (!(Object.is(fx, fy) || (Number.isNaN(fx) && Number.isNaN(fy)))) return false;
      } else if (nx === 'exact') {
        if (BigInt(x as number | bigint) !== BigInt(y as number | bigint)) return false;
      } else if ((x as Rational).num !== (y as Rational).num || (x as Rational).den !== (y as Rational).den) {
        return false;
      }
      continue;
    }
    if (typeof x !== 'object' || typeof y !== 'object') return false;
    if (Array.isArray(x) && y instanceof Pair) {
      stack.push([y, x]);
      continue;
    }
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i]!, y[i]!]);
    } else if (x instanceof Pair) {
      // (1 . (2 3)) is the list (1 2 3): compare the normal forms.
      const nx = normalList(x);
      const ny = y instanceof Pair ? normalList(y) : Array.isArray(y) ? y : undefined;
      if (ny === undefined) return false;
      if (Array.isArray(nx) !== Array.isArray(ny)) return false;
      if (Array.isArray(nx)) {
        const ay = ny as Value[];
        if (nx.length !== ay.length) return false;
        for (let i = 0; i < nx.length; i++) stack.push([nx[i]!, ay[i]!]);
      } else {
        const px = nx as { cars: Value[]; tail: Value };
        const py = ny as { cars: Value[]; tail: Value };
        if (px.cars.length !== py.cars.length) return false;
        for (let i = 0; i < px.cars.length; i++) stack.push([px.cars[i]!, py.cars[i]!]);
        stack.push([px.tail, py.tail]);
      }
    } else if (x instanceof Vector) {
      if (!(y instanceof Vector) || x.items.length !== y.items.length) return false;
      for (let i = 0; i < x.items.length; i++) stack.push([x.items[i]!, y.items[i]!]);
    } else if (x instanceof RHash) {
      if (!(y instanceof RHash) || x.kind !== y.kind || x.size !== y.size) return false;
      for (const [k, v] of x.entries) {
        if (!y.has(k)) return false;
        stack.push([v, y.get(k)!]);
      }
    } else {
      // Sym, Keyword, Char are interned: identity already compared.
      return false;
    }
  }
  return true;
}
