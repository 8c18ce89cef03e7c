export {
  Char,
  Flonum,
  Keyword,
  Pair,
  RHash,
  Rational,
  Sym,
  Vector,
  char,
  isRHash,
  isSym,
  keyword,
  rational,
  sym,
  valueEquals,
} from './values.js';
export type { HashKind, Value } from './values.js';
export { lineColumn, parse, parseAll } from './read.js';
export type { ParseOptions } from './read.js';
export { stringify } from './write.js';
export { fromJS, toJS } from './convert.js';
export type { JSData, JSObject } from './convert.js';
export { RktdSyntaxError, RktdWriteError, isRktdSyntaxError, isRktdWriteError } from './errors.js';
export type { RktdSyntaxErrorCode, RktdWriteErrorCode } from './errors.js';
