// Racket's number syntax (radix 10, no `#e`/`#x` prefixes: a token starting
// with `#` is never read as a symbol anyway). Used by the reader to tell
// numbers from symbols and by the writer to know when a symbol needs `|...|`.
import { Flonum, Rational, exactInteger } from './values.js';
import type { Value } from './values.js';

const UINT = String.raw`\d+#*`;
const DEC = String.raw`(?:\d+(?:#+(?:\.#*)?|\.\d*#*)?|\.\d+#*)`;
const EXP = String.raw`(?:[esfdl][+-]?\d+)`;
const UREAL = `(?:${UINT}/${UINT}|${DEC}${EXP}?)`;
const INFNAN = String.raw`(?:inf\.[0f]|nan\.[0f])`;
const REAL = `(?:[+-]?${UREAL}|[+-]${INFNAN})`;
const IMAG = `[+-](?:${UREAL}|${INFNAN})?i`;
// Racket refuses an angle that starts with `.` (`5@.5` is a symbol).
const COMPLEX = `(?:${REAL}@(?!\\.)${REAL}|${REAL}?${IMAG})`;
const EXTFL = String.raw`(?:[+-]?${DEC}t[+-]?\d+|[+-](?:inf|nan)\.t)`;

const REAL_RE = new RegExp(`^${REAL}$`, 'i');
const ANY_NUMBER_RE = new RegExp(`^(?:${REAL}|${COMPLEX}|${EXTFL})$`, 'i');
const INTEGER_RE = /^[+-]?\d+$/;
const FRACTION_RE = /^([+-]?\d+)\/(\d+)$/;

/** Whether Racket's reader would read `text` (an unquoted token) as a number (or an extflonum, or fail as a bad one). */
export function looksLikeNumber(text: string): boolean {
  const c = text.charCodeAt(0);
  // Numbers start with a digit, a sign or a dot.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  return ANY_NUMBER_RE.test(text);
}

export type NumberToken =
  | { kind: 'value'; value: Value }
  | { kind: 'unsupported'; what: string }
  | { kind: 'error'; message: string };

/** Reads a token as a number; null when it is not one (then it is a symbol). */
export function readNumber(text: string): NumberToken | null {
  if (INTEGER_RE.test(text)) {
    if (text.length < 16) return { kind: 'value', value: Number(text) + 0 };
    return { kind: 'value', value: exactInteger(BigInt(text)) };
  }
  if (!looksLikeNumber(text)) return null;
  if (!REAL_RE.test(text)) {
    return { kind: 'unsupported', what: /t/i.test(text) ? 'extflonum' : 'complex number' };
  }
  const lower = text.toLowerCase();
  const special = /^([+-])(inf|nan)\.[0f]$/.exec(lower);
  if (special !== null) {
    const v = special[2] === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity;
    return { kind: 'value', value: v };
  }
  const fraction = FRACTION_RE.exec(text);
  if (fraction !== null) {
    const den = BigInt(fraction[2]!);
    if (den === 0n) return { kind: 'error', message: `division by zero in \`${text}\`` };
    const r = new Rational(BigInt(fraction[1]!), den);
    return { kind: 'value', value: r.den === 1n ? exactInteger(r.num) : r };
  }
  // Inexact: decimals, exponents, `#` digit placeholders (also `1#/2`).
  let t = lower.replace(/#/g, '0').replace(/[sfdl]/g, 'e');
  let x: number;
  const slash = t.indexOf('/');
  if (slash >= 0) {
    x = Number(t.slice(0, slash)) / Number(t.slice(slash + 1));
    if (Number.isNaN(x)) return { kind: 'error', message: `division by zero in \`${text}\`` };
  } else {
    if (t.endsWith('.')) t += '0';
    if (t.startsWith('.') || t.startsWith('+.') || t.startsWith('-.')) t = t.replace('.', '0.');
    x = Number(t.replace('.e', '.0e'));
  }
  return { kind: 'value', value: flonum(x) };
}

/** A JS float as this library represents a Racket flonum: Flonum when integral, number otherwise. */
function flonum(x: number): number | Flonum {
  return Number.isInteger(x) ? new Flonum(x) : x;
}

/** Racket CS's `number->string` for a flonum. */
export function formatFlonum(x: number): string {
  if (x !== x) return '+nan.0';
  if (x === Infinity) return '+inf.0';
  if (x === -Infinity) return '-inf.0';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const a = x < 0 ? -x : x;
  const e = a.toExponential();
  const ePos = e.indexOf('e');
  let exponent = Number(e.slice(ePos + 1));
  let digits = e[0]! + e.slice(2, ePos);
  // Shortest digits, like JS; but when two shortest candidates are equally
  // close, JS picks the even one and Racket the larger one.
  if ((digits.charCodeAt(digits.length - 1) & 1) === 0 && isExactMidpoint(a, digits, exponent)) {
    ({ digits, exponent } = incrementDigits(digits, exponent));
  }
  const n = digits.length;
  const mantissa = n > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  if (exponent < -4 || (exponent > 13 && exponent - n > 2)) {
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
  }
  if (exponent >= n - 1) return `${sign}${digits}${'0'.repeat(exponent - n + 1)}.0`;
  if (exponent >= 0) return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** Whether `a` is exactly digits·5 × 10^(exponent − n) (the decimal midpoint above `digits`). */
function isExactMidpoint(a: number, digits: string, exponent: number): boolean {
  // Cheap filter first: the midpoint must at least round to `a`.
  if (Number(`${digits[0]}.${digits.slice(1)}5e${exponent}`) !== a) return false;
  const p = exponent - digits.length; // midpoint = D × 10^p
  const d = BigInt(`${digits}5`);
  // a = m × 2^k exactly
  let m = a;
  let k = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    k--;
  }
  let left = BigInt(m); // m × 2^k
  let right = d; // d × 10^p
  if (k < 0) right <<= BigInt(-k);
  else left <<= BigInt(k);
  if (p < 0) left *= 10n ** BigInt(-p);
  else right *= 10n ** BigInt(p);
  return left === right;
}

/** digits + 1 in the last place (carry may add a digit: 99 → 1, exponent + 1), trailing zeros dropped. */
function incrementDigits(digits: string, exponent: number): { digits: string; exponent: number } {
  const next = (BigInt(digits) + 1n).toString();
  if (next.length > digits.length) exponent++;
  return { digits: next.replace(/0+$/, '') || '0', exponent };
}
