// Plain-JS views of config data: a hash whose keys are all symbols becomes a
// plain object, so `toJS(parse(text)).tasks[0].name` just works.
import { RktdWriteError } from './errors.js';
import { RHash, Sym, sym } from './values.js';
import type { Value } from './values.js';

/** What {@link toJS} returns: Racket values, with symbol-keyed hashes as plain objects. */
export type JSData = Exclude<Value, Value[]> | JSData[] | JSObject;
export interface JSObject {
  [key: string]: JSData;
}

/**
 * Hash tables whose keys are all symbols → plain objects (key = symbol name),
 * lists → arrays, converted recursively; everything else unchanged (a hash
 * with other keys stays an {@link RHash}, untouched).
 */
export function toJS(value: Value): JSData {
  if (Array.isArray(value)) return value.map((v) => toJS(v));
  if (value instanceof RHash) {
    for (const k of value.entries.keys()) if (!(k instanceof Sym)) return value;
    const out: JSObject = {};
    for (const [k, v] of value.entries) {
      const name = (k as Sym).name;
      if (name === '__proto__') {
        Object.defineProperty(out, name, { value: toJS(v), enumerable: true, writable: true, configurable: true });
      } else {
        out[name] = toJS(v);
      }
    }
    return out;
  }
  return value;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The inverse of {@link toJS}: plain objects → `#hash` tables with symbol keys
 * (properties whose value is `undefined` are dropped), arrays → lists,
 * Racket values unchanged. Anything else (null, functions, Dates, ...) is a
 * {@link RktdWriteError}.
 */
export function fromJS(data: unknown): Value {
  return convert(data, '', new Set());
}

function convert(data: unknown, path: string, active: Set<object>): Value {
  switch (typeof data) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'bigint':
      return data;
    case 'object':
      break;
    default:
      throw new RktdWriteError('E_RKTD_UNWRITABLE', `cannot convert a ${typeof data} to Racket data`, path, data);
  }
  if (data === null) throw new RktdWriteError('E_RKTD_UNWRITABLE', 'cannot convert null to Racket data', path, data);
  if (active.has(data)) throw new RktdWriteError('E_RKTD_UNWRITABLE', 'value contains a cycle', path, data);
  if (Array.isArray(data)) {
    active.add(data);
    const out = data.map((v, i) => convert(v, `${path}[${i}]`, active));
    active.delete(data);
    return out;
  }
  if (isPlainObject(data)) {
    active.add(data);
    const h = new RHash('equal');
    for (const [k, v] of Object.entries(data)) {
      if (v === undefined) continue;
      h.entries.set(sym(k), convert(v, path === '' ? k : `${path}.${k}`, active));
    }
    active.delete(data);
    return h;
  }
  // Racket values (Sym, RHash, Flonum, ...) pass through; stringify checks them.
  return data as Value;
}
