// An iterative reader for Racket data: an explicit stack instead of
// recursion, so hostile nesting ends in E_RKTD_DEPTH rather than a stack
// overflow, and every character is looked at a bounded number of times.
import { RktdSyntaxError } from './errors.js';
import type { RktdSyntaxErrorCode } from './errors.js';
import { readNumber } from './_number.js';
import { wellFormed } from './_surrogates.js';
import { Flonum, Pair, RHash, Vector, char as mkChar, hasValueIdentity, keyword, sym } from './values.js';
import { stringify } from './write.js';
import type { HashKind, Value } from './values.js';

export interface ParseOptions {
  /** Name used in error messages (a file name or object key). */
  source?: string;
  /** Deepest nesting accepted (lists, vectors, hashes, quote forms); default 1000. */
  maxDepth?: number;
  /**
   * Called for every `(key . value)` entry of a hash table as it is read, with the offset (UTF-16
   * index) of its `(`; `lineColumn` turns it into a line and column for messages.
   */
  onHashEntry?: (hash: RHash, key: Value, offset: number) => void;
}

const DEFAULT_MAX_DEPTH = 1000;

type Frame =
  | {
      type: 'list';
      start: number;
      open: number; // char code of the opener
      items: Value[];
      dot: 0 | 1 | 2; // 0: no dot yet, 1: dot seen, need tail, 2: tail read
      tail: Value | undefined;
      hashEntry: boolean;
    }
  | { type: 'vector'; start: number; open: number; items: Value[] }
  | { type: 'hash'; start: number; open: number; kind: HashKind; hash: RHash; canon: Map<string, Value> | undefined }
  | { type: 'quote'; start: number; name: string }
  | { type: 'comment'; start: number };

const CLOSE_FOR: Record<number, number> = { 40: 41, 91: 93, 123: 125 };

function isWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 133) return false;
  return (
    c === 133 ||
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 0xfeff
  );
}

/** Characters that end a symbol or number. */
function isDelimiter(c: number): boolean {
  switch (c) {
    case 40: // (
    case 41: // )
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 34: // "
    case 44: // ,
    case 39: // '
    case 96: // `
    case 59: // ;
      return true;
    default:
      return isWhitespace(c);
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isAlphabetic(c: string): boolean {
  return /^\p{Alphabetic}$/u.test(c);
}

const CHAR_NAMES: Record<string, number> = {
  nul: 0,
  null: 0,
  backspace: 8,
  tab: 9,
  newline: 10,
  linefeed: 10,
  vtab: 11,
  page: 12,
  return: 13,
  space: 32,
  rubout: 127,
};

class Reader {
  private pos = 0;
  get offset(): number {
    return this.pos;
  }
  private readonly len: number;
  private readonly maxDepth: number;
  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.len = text.length;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  fail(code: RktdSyntaxErrorCode, reason: string, at: number): never {
    // Line and column are computed only here, once: no per-character bookkeeping.
    const { line, column } = lineColumn(this.text, at);
    throw new RktdSyntaxError(code, reason, { line, column, offset: at, source: this.options.source });
  }

  where(at: number): string {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 10 || (c === 13 && this.text.charCodeAt(i + 1) !== 10)) {
        line++;
        lineStart = i + 1;
      }
    }
    return `${line}:${[...this.text.slice(lineStart, at)].length + 1}`;
  }

  /** Skips whitespace and comments (not `#;`, which needs the datum reader). */
  skipAtmosphere(): void {
    const text = this.text;
    while (this.pos < this.len) {
      const c = text.charCodeAt(this.pos);
      if (isWhitespace(c)) {
        this.pos++;
      } else if (c === 59) {
        // ; to end of line
        while (this.pos < this.len) {
          const d = text.charCodeAt(this.pos);
          if (d === 10 || d === 13) break;
          this.pos++;
        }
      } else if (c === 35 && text.charCodeAt(this.pos + 1) === 124) {
        this.skipBlockComment();
      } else {
        return;
      }
    }
  }

  skipBlockComment(): void {
    const start = this.pos;
    const text = this.text;
    let depth = 1;
    this.pos += 2;
    while (this.pos < this.len) {
      const c = text.charCodeAt(this.pos);
      if (c === 124 && text.charCodeAt(this.pos + 1) === 35) {
        this.pos += 2;
        if (--depth === 0) return;
      } else if (c === 35 && text.charCodeAt(this.pos + 1) === 124) {
        this.pos += 2;
        depth++;
      } else {
        this.pos++;
      }
    }
    this.fail('E_RKTD_SYNTAX', 'unterminated block comment `#|` starting here', start);
  }

  /** Reads data until the top-level datum is complete; returns undefined at end of input. */
  readDatum(): Value | undefined {
    const text = this.text;
    const stack: Frame[] = [];
    let depthLimitHit = false;
    const push = (f: Frame): void => {
      if (stack.length >= this.maxDepth && !depthLimitHit) {
        depthLimitHit = true;
        this.fail('E_RKTD_DEPTH', `nesting deeper than ${this.maxDepth} levels`, f.start);
      }
      stack.push(f);
    };

    for (;;) {
      this.skipAtmosphere();
      if (this.pos >= this.len) {
        if (stack.length === 0) return undefined;
        const top = stack[stack.length - 1]!;
        switch (top.type) {
          case 'list':
          case 'vector':
          case 'hash':
            this.fail(
              'E_RKTD_SYNTAX',
              `expected a \`${String.fromCharCode(CLOSE_FOR[top.open]!)}\` to close \`${String.fromCharCode(top.open)}\` opened at ${this.where(top.start)}, found end of input`,
              top.start,
            );
            break;
          case 'quote':
            this.fail('E_RKTD_SYNTAX', `expected a datum after the quote form, found end of input`, top.start);
            break;
          case 'comment':
            this.fail('E_RKTD_SYNTAX', 'expected a commented-out datum after `#;`, found end of input', top.start);
        }
      }
      const start = this.pos;
      const c = text.charCodeAt(start);
      let value: Value;
      let produced = true;
      switch (c) {
        case 40: // (
        case 91: // [
        case 123: {
          // {
          this.pos++;
          const top = stack[stack.length - 1];
          if (top !== undefined && top.type === 'hash') {
            push({ type: 'list', start, open: c, items: [], dot: 0, tail: undefined, hashEntry: true });
          } else {
            push({ type: 'list', start, open: c, items: [], dot: 0, tail: undefined, hashEntry: false });
          }
          continue;
        }
        case 41: // )
        case 93: // ]
        case 125: {
          // }
          const top = stack[stack.length - 1];
          if (top === undefined || top.type === 'quote' || top.type === 'comment') {
            this.fail('E_RKTD_SYNTAX', `unexpected \`${String.fromCharCode(c)}\``, start);
          }
          if (CLOSE_FOR[top.open] !== c) {
            this.fail(
              'E_RKTD_SYNTAX',
              `expected \`${String.fromCharCode(CLOSE_FOR[top.open]!)}\` to close \`${String.fromCharCode(top.open)}\` opened at ${this.where(top.start)}, found \`${String.fromCharCode(c)}\``,
              start,
            );
          }
          this.pos++;
          stack.pop();
          if (top.type === 'list') {
            if (top.dot === 1) this.fail('E_RKTD_SYNTAX', 'expected a datum after `.`', start);
            if (top.hashEntry) {
              if (top.dot !== 2 || top.items.length !== 1) {
                this.fail('E_RKTD_SYNTAX', 'expected `(key . value)` in a hash table', top.start);
              }
              const owner = stack[stack.length - 1] as Frame & { type: 'hash' };
              let key = top.items[0]!;
              if (hasValueIdentity(key)) {
                // Find an equal key by its written form: linear, unlike a scan of all keys.
                owner.canon ??= new Map();
                const form = canonicalForm(key);
                const existing = owner.canon.get(form);
                if (existing === undefined) owner.canon.set(form, key);
                else key = existing;
              }
              owner.hash.entries.set(key, top.tail!);
              this.options.onHashEntry?.(owner.hash, key, top.start);
              continue;
            }
            value = top.dot === 2 ? dotted(top.items, top.tail!) : top.items;
          } else if (top.type === 'vector') {
            value = new Vector(top.items);
          } else {
            value = top.hash;
          }
          break;
        }
        case 34: // "
          value = this.readString();
          break;
        case 39: // '
          this.pos++;
          push({ type: 'quote', start, name: 'quote' });
          continue;
        case 96: // `
          this.pos++;
          push({ type: 'quote', start, name: 'quasiquote' });
          continue;
        case 44: // ,
          if (text.charCodeAt(start + 1) === 64) {
            this.pos += 2;
            push({ type: 'quote', start, name: 'unquote-splicing' });
          } else {
            this.pos++;
            push({ type: 'quote', start, name: 'unquote' });
          }
          continue;
        case 35: {
          // #
          const d = text.charCodeAt(start + 1);
          if (d === 40 || d === 91 || d === 123) {
            this.pos += 2;
            push({ type: 'vector', start, open: d, items: [] });
            continue;
          }
          if (d === 59) {
            this.pos += 2;
            push({ type: 'comment', start });
            continue;
          }
          if (d === 39 || d === 96 || d === 44) {
            let name = d === 39 ? 'syntax' : d === 96 ? 'quasisyntax' : 'unsyntax';
            this.pos += 2;
            if (d === 44 && text.charCodeAt(this.pos) === 64) {
              name = 'unsyntax-splicing';
              this.pos++;
            }
            push({ type: 'quote', start, name });
            continue;
          }
          if (d === 104 || d === 72) {
            // #hash #hasheq #hasheqv
            const m = /#hash(eqv|eq)?([([{])/iy;
            m.lastIndex = start;
            const r = m.exec(text);
            if (r !== null) {
              const kind: HashKind = r[1] === undefined ? 'equal' : r[1].toLowerCase() === 'eq' ? 'eq' : 'eqv';
              this.pos = start + r[0].length;
              push({ type: 'hash', start, open: r[2]!.charCodeAt(0), kind, hash: new RHash(kind), canon: undefined });
              continue;
            }
          }
          value = this.readHashDispatch(start);
          break;
        }
        default: {
          const tok = this.readSymbolOrNumber(start);
          if (tok === DOT) {
            const top = stack[stack.length - 1];
            if (top === undefined || top.type !== 'list' || top.items.length === 0 || top.dot !== 0) {
              if (top !== undefined && top.type === 'list' && top.dot === 2) {
                this.fail('E_RKTD_UNSUPPORTED', 'infix `.` notation `(a . op . b)` is not supported', start);
              }
              this.fail('E_RKTD_SYNTAX', 'illegal use of `.`', start);
            }
            top.dot = 1;
            continue;
          }
          value = tok;
        }
      }
      // A complete datum: give it to the enclosing frames.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return value;
        if (top.type === 'quote') {
          stack.pop();
          value = [sym(top.name), value];
          continue;
        }
        if (top.type === 'comment') {
          stack.pop();
          produced = false;
          break;
        }
        if (top.type === 'list') {
          if (top.dot === 0) {
            top.items.push(value);
          } else if (top.dot === 1) {
            top.tail = value;
            top.dot = 2;
          } else {
            this.fail('E_RKTD_SYNTAX', `expected \`${String.fromCharCode(CLOSE_FOR[top.open]!)}\` after the datum following \`.\``, start);
          }
        } else if (top.type === 'vector') {
          top.items.push(value);
        } else {
          this.fail('E_RKTD_SYNTAX', 'expected `(key . value)` in a hash table', start);
        }
        break;
      }
      void produced;
    }
  }

  readString(): string {
    const text = this.text;
    const start = this.pos;
    const len = this.len;
    let i = start + 1;
    // Fast path: no escapes.
    for (;;) {
      if (i >= len) this.fail('E_RKTD_SYNTAX', 'unterminated string starting here', start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return text.slice(start + 1, i);
      }
      if (c === 92) break;
      i++;
    }
    // Escapes: collect UTF-16 code units in a number array (cheap for the GC,
    // linear), turn them into a string in chunks at the end.
    const units: number[] = [];
    for (let k = start + 1; k < i; k++) units.push(text.charCodeAt(k));
    const pushCodePoint = (cp: number): void => {
      if (cp > 0xffff) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else {
        units.push(cp);
      }
    };
    for (;;) {
      if (i >= len) this.fail('E_RKTD_SYNTAX', 'unterminated string starting here', start);
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c !== 92) {
        units.push(c);
        i++;
        continue;
      }
      const escStart = i;
      i++;
      if (i >= len) this.fail('E_RKTD_SYNTAX', 'unterminated string starting here', start);
      const e = text.charCodeAt(i);
      i++;
      switch (e) {
        case 97: units.push(7); break; // \a
        case 98: units.push(8); break; // \b
        case 116: units.push(9); break; // \t
        case 110: units.push(10); break; // \n
        case 118: units.push(11); break; // \v
        case 102: units.push(12); break; // \f
        case 114: units.push(13); break; // \r
        case 101: units.push(27); break; // \e
        case 34: units.push(34); break;
        case 39: units.push(39); break;
        case 92: units.push(92); break;
        case 10: break; // line continuation
        case 13:
          if (text.charCodeAt(i) === 10) i++;
          break;
        case 120: {
          // \xH or \xHH
          let n = 0;
          let k = 0;
          while (k < 2 && i < len && isHex(text.charCodeAt(i))) {
            n = n * 16 + parseInt(text[i]!, 16);
            i++;
            k++;
          }
          if (k === 0) this.fail('E_RKTD_SYNTAX', 'no hex digit following `\\x` in string', escStart);
          units.push(n);
          break;
        }
        case 117:
        case 85: {
          // \uXXXX (surrogate pairs as two escapes), \UXXXXXXXX
          const max = e === 117 ? 4 : 8;
          let n = 0;
          let k = 0;
          while (k < max && i < len && isHex(text.charCodeAt(i))) {
            n = n * 16 + parseInt(text[i]!, 16);
            i++;
            k++;
          }
          if (k === 0) this.fail('E_RKTD_SYNTAX', `no hex digit following \`\\${String.fromCharCode(e)}\` in string`, escStart);
          if (n >= 0xd800 && n <= 0xdbff && e === 117) {
            const m = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(text.slice(i, i + 6));
            if (m === null) this.fail('E_RKTD_SYNTAX', 'bad or incomplete surrogate-style encoding in string', escStart);
            units.push(n, parseInt(m[1]!, 16));
            i += 6;
          } else if (n >= 0xd800 && n <= 0xdfff) {
            this.fail('E_RKTD_SYNTAX', 'bad or incomplete surrogate-style encoding in string', escStart);
          } else if (n > 0x10ffff) {
            this.fail('E_RKTD_SYNTAX', `escape sequence \`${text.slice(escStart, i)}\` is out of range in string`, escStart);
          } else {
            pushCodePoint(n);
          }
          break;
        }
        default:
          if (e >= 48 && e <= 55) {
            // octal \N \NN \NNN
            let n = e - 48;
            let k = 1;
            while (k < 3 && i < len) {
              const o = text.charCodeAt(i);
              if (o < 48 || o > 55) break;
              n = n * 8 + (o - 48);
              i++;
              k++;
            }
            if (n > 255) this.fail('E_RKTD_SYNTAX', `escape sequence \`${text.slice(escStart, i)}\` is out of range in string`, escStart);
            units.push(n);
            break;
          }
          this.fail('E_RKTD_SYNTAX', `unknown escape sequence \`\\${String.fromCodePoint(text.codePointAt(i - 1)!)}\` in string`, escStart);
      }
    }
    this.pos = i + 1;
    let out = '';
    for (let k = 0; k < units.length; k += 8192) {
      out += String.fromCharCode.apply(null, units.slice(k, k + 8192));
    }
    return out;
  }

  /** `#t`, `#f`, `#\c`, `#:kw`, `#%sym` and unsupported `#` forms. */
  readHashDispatch(start: number): Value {
    const text = this.text;
    const d = text.charCodeAt(start + 1);
    if (d === 92) return this.readChar(start);
    if (d === 58) {
      // #:keyword
      this.pos = start + 2;
      const { name, quoted } = this.readToken(start, start + 2);
      if (name === '.' && !quoted) this.fail('E_RKTD_SYNTAX', 'illegal use of `.`', start + 2);
      return keyword(name);
    }
    if (d === 37) {
      // #%symbol
      const tok = this.readToken(start, start);
      return sym(tok.name);
    }
    // #t #f #true #false: the word runs to the next delimiter.
    let end = start + 1;
    while (end < this.len && !isDelimiter(text.charCodeAt(end))) end++;
    const word = text.slice(start, end);
    switch (word) {
      case '#t':
      case '#T':
      case '#true':
        this.pos = end;
        return true;
      case '#f':
      case '#F':
      case '#false':
        this.pos = end;
        return false;
    }
    if (start + 1 >= this.len) this.fail('E_RKTD_SYNTAX', 'bad syntax `#` at end of input', start);
    const what = /^#(?:[eixobd]|rx|px|"|&|s\(|!|<|\d|ci|cs|hash|reader|lang)/i.exec(word + text.slice(end, end + 2));
    if (what !== null) {
      this.fail('E_RKTD_UNSUPPORTED', `unsupported syntax \`${word.slice(0, 20)}\` (not plain data this reader handles)`, start);
    }
    this.fail('E_RKTD_SYNTAX', `bad syntax \`${word.slice(0, 20)}\``, start);
  }

  readChar(start: number): Value {
    const text = this.text;
    const p = start + 2;
    if (p >= this.len) this.fail('E_RKTD_SYNTAX', 'expected a character after `#\\`', start);
    const cp = text.codePointAt(p)!;
    const first = String.fromCodePoint(cp);
    let q = p + first.length;
    // \u / \U with hex digits
    if ((cp === 117 || cp === 85) && q < this.len && isHex(text.charCodeAt(q))) {
      const max = cp === 117 ? 4 : 8;
      let n = 0;
      let k = 0;
      while (k < max && q < this.len && isHex(text.charCodeAt(q))) {
        n = n * 16 + parseInt(text[q]!, 16);
        q++;
        k++;
      }
      if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) {
        this.fail('E_RKTD_SYNTAX', `bad character constant \`${text.slice(start, q)}\``, start);
      }
      this.pos = q;
      return mkChar(n);
    }
    // octal \NNN
    if (cp >= 48 && cp <= 55 && q < this.len && text.charCodeAt(q) >= 48 && text.charCodeAt(q) <= 57) {
      const m = /^[0-7]{3}/.exec(text.slice(p, p + 3));
      const after = text.charCodeAt(p + 3);
      if (m === null || (after >= 48 && after <= 57) || parseInt(m[0], 8) > 255) {
        let e = p;
        while (e < this.len && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++;
        this.fail('E_RKTD_SYNTAX', `bad character constant \`${text.slice(start, e)}\``, start);
      }
      this.pos = p + 3;
      return mkChar(parseInt(m[0], 8));
    }
    if (isAlphabetic(first) && q < this.len) {
      const next = String.fromCodePoint(text.codePointAt(q)!);
      if (isAlphabetic(next)) {
        while (q < this.len) {
          const ch = String.fromCodePoint(text.codePointAt(q)!);
          if (!isAlphabetic(ch)) break;
          q += ch.length;
        }
        const word = text.slice(p, q);
        const named = CHAR_NAMES[word.toLowerCase()];
        if (named === undefined) this.fail('E_RKTD_SYNTAX', `bad character constant \`#\\${word}\``, start);
        this.pos = q;
        return mkChar(named);
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) this.fail('E_RKTD_SYNTAX', 'bad character constant (lone surrogate)', start);
    this.pos = q;
    return mkChar(first);
  }

  /**
   * Reads a symbol-like token from `from` (handling `|...|` and `\`), starting the token at `start`.
   * `quoted` tells whether any part was quoted (then it is never a number or `.`).
   */
  readToken(start: number, from: number): { name: string; quoted: boolean } {
    const text = this.text;
    let i = from;
    let quoted = false;
    let chunkStart = i;
    let parts: string[] | undefined;
    while (i < this.len) {
      const c = text.charCodeAt(i);
      if (c === 124) {
        // |...|
        quoted = true;
        (parts ??= []).push(text.slice(chunkStart, i));
        const close = text.indexOf('|', i + 1);
        if (close < 0) this.fail('E_RKTD_SYNTAX', 'unterminated `|` in symbol starting here', i);
        parts.push(text.slice(i + 1, close));
        i = close + 1;
        chunkStart = i;
      } else if (c === 92) {
        quoted = true;
        (parts ??= []).push(text.slice(chunkStart, i));
        if (i + 1 >= this.len) this.fail('E_RKTD_SYNTAX', 'end of input following `\\` in symbol', i);
        const cp = text.codePointAt(i + 1)!;
        const s = String.fromCodePoint(cp);
        parts.push(s);
        i += 1 + s.length;
        chunkStart = i;
      } else if (isDelimiter(c)) {
        break;
      } else {
        i++;
      }
    }
    this.pos = i;
    void start;
    if (parts === undefined) return { name: text.slice(chunkStart, i), quoted };
    parts.push(text.slice(chunkStart, i));
    return { name: parts.join(''), quoted };
  }

  readSymbolOrNumber(start: number): Value | typeof DOT {
    const { name, quoted } = this.readToken(start, start);
    if (!quoted) {
      if (name === '.') return DOT;
      const n = readNumber(name);
      if (n !== null) {
        if (n.kind === 'value') return n.value;
        if (n.kind === 'unsupported') this.fail('E_RKTD_UNSUPPORTED', `unsupported number syntax \`${name}\` (${n.what})`, start);
        this.fail('E_RKTD_SYNTAX', n.message, start);
      }
    }
    return sym(name);
  }
}

const DOT = Symbol('dot');

/** A string that is the same for two keys exactly when they are `equal?` (flonums: -0.0 apart from 0.0). */
function canonicalForm(key: Value): string {
  if (key instanceof Flonum) return Object.is(key.value, -0) ? 'f-0' : `f${key.value}`;
  try {
    return `w${stringify(key)}`;
  } catch {
    return `u${Math.random()}`;
  }
}

/** `(a b . tail)`: a proper list when the tail is a list, else a chain of pairs. */
function dotted(items: Value[], tail: Value): Value {
  if (Array.isArray(tail)) return items.concat(tail);
  let v: Value = tail;
  for (let i = items.length - 1; i >= 0; i--) v = new Pair(items[i]!, v);
  return v;
}

/**
 * The 1-based line and column of `offset` in `text`, as the reader's errors count them (columns in
 * code points; `\n`, `\r\n` and `\r` end lines).
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    column++;
  }
  return { line, column };
}

/**
 * Reads exactly one datum (comments and whitespace around it are fine). The text is read as Racket
 * reads UTF-8: a lone surrogate, which UTF-8 cannot carry, is read as U+FFFD.
 */
export function parse(text: string, options: ParseOptions = {}): Value {
  const r = new Reader(wellFormed(text), options);
  const v = r.readDatum();
  if (v === undefined) return r.fail('E_RKTD_SYNTAX', 'expected a datum, found end of input', text.length);
  r.skipAtmosphere();
  const at = r.offset;
  if (at < text.length && r.readDatum() !== undefined) {
    r.fail('E_RKTD_SYNTAX', 'unexpected second datum after the first one', at);
  }
  return v;
}

/** Reads every datum in the text. */
export function parseAll(text: string, options: ParseOptions = {}): Value[] {
  const r = new Reader(wellFormed(text), options);
  const out: Value[] = [];
  for (;;) {
    const v = r.readDatum();
    if (v === undefined) return out;
    out.push(v);
  }
}

