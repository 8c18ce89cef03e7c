// config.rktd <-> a typed Config. Unknown keys keep their rktd values, absent
// keys stay absent, so writing back gives the bytes Racket would write.
import { RHash, fromJS, isRHash, isRktdSyntaxError, isSym, lineColumn, parse, stringify, sym } from '@svcmon/rktd';
import type { Value } from '@svcmon/rktd';
import { MAX_CONFIG_BYTES } from './_bounds.js';
import { StoreError, isStoreError } from './errors.js';
import { SCHEMA, configPosition, describeValue, setPositions } from './schema.js';
import type { Store, StoredObject } from './types.js';

export const CONFIG_KEY = 'config.rktd';
export const CONFIG_CONTENT_TYPE = 'application/data';
/** A task may go this long (seconds) between beats unless its config says otherwise: one day (from SCHEMA). */
export const DEFAULT_PERIOD = SCHEMA.top.keys['period']!.default as number;
/** Seconds to wait for a site unless its config says otherwise (from SCHEMA). */
export const DEFAULT_TIMEOUT = SCHEMA.top.keys['timeout']!.default as number;

export interface TaskEntry {
  name: string;
  period?: number;
  [key: string]: unknown;
}
export interface SiteEntry {
  url: string;
  timeout?: number;
  [key: string]: unknown;
}
export interface EmailEntry {
  to: string;
  'on-success?'?: boolean;
  [key: string]: unknown;
}
export interface HtmlEntry {
  title?: string;
  [key: string]: unknown;
}
export interface Config {
  tasks?: TaskEntry[];
  sites?: SiteEntry[];
  emails?: EmailEntry[];
  html?: HtmlEntry;
  period?: number;
  timeout?: number;
  [key: string]: unknown;
}

// `#hasheq`/`#hasheqv` tables read as plain objects too; this hidden mark
// brings the kind back when the config is written.
const HASH_KIND = Symbol.for('svcmon.config.hashKind');

/** How a table read from config.rktd was written: `eq` (`#hasheq`), `eqv` (`#hasheqv`), or undefined (`#hash`). */
export function hashKindOf(table: object): 'eq' | 'eqv' | undefined {
  return (table as { [HASH_KIND]?: 'eq' | 'eqv' })[HASH_KIND];
}

/**
 * `to`, written as `from` was (`#hasheq`, `#hasheqv`) unless it says otherwise itself: an edit
 * that rebuilds a table (`{ ...config, tasks }`) keeps how config.rktd wrote it.
 */
export function keepHashKind<T extends object>(from: object, to: T): T {
  const kind = hashKindOf(from);
  if (kind !== undefined && to !== from && !Object.hasOwn(to, HASH_KIND)) Object.defineProperty(to, HASH_KIND, { value: kind });
  return to;
}

/** Where a hash's keys were: `(key) => line:column`, holding neither the hash nor anything read. */
type Locate = (hash: RHash) => ((key: string) => { line: number; column: number } | undefined) | undefined;

/**
 * Symbol-keyed hashes → plain objects, lists → arrays; other values stay rktd values. With
 * `locate`, each object knows where its keys were (`configPosition`). Nothing of the rktd value
 * is kept: a big config is held once, as plain objects.
 */
function toConfigJS(value: Value, locate?: Locate): unknown {
  if (Array.isArray(value)) return value.map((v) => toConfigJS(v, locate));
  if (isRHash(value)) {
    for (const k of value.keys()) if (!isSym(k)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      const name = (k as { name: string }).name;
      // A plain assignment keeps the object compact; `__proto__` must be an own key, not the prototype.
      if (name === '__proto__') Object.defineProperty(out, name, { value: toConfigJS(v, locate), enumerable: true, writable: true, configurable: true });
      else out[name] = toConfigJS(v, locate);
    }
    if (value.kind !== 'equal') Object.defineProperty(out, HASH_KIND, { value: value.kind });
    const at = locate?.(value);
    if (at) setPositions(out, at);
    return out;
  }
  return value;
}

function fromConfigJS(data: unknown): Value {
  if (Array.isArray(data)) return data.map(fromConfigJS);
  if (isPlainObject(data)) {
    const kind = hashKindOf(data) ?? 'equal';
    const h = new RHash(kind);
    for (const [k, v] of Object.entries(data)) {
      if (v !== undefined) h.set(sym(k), fromConfigJS(v));
    }
    return h;
  }
  return fromJS(data);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Parse the text of a config.rktd. Throws StoreError E_BAD_CONFIG naming
 * `source` (and line:column for syntax errors).
 */
export function parseConfig(text: string, source: string = CONFIG_KEY): Config {
  let value: Value;
  // Where each hash entry starts; turned into line:column only for a value someone reports.
  const offsets = new WeakMap<RHash, Map<string, number>>();
  const onHashEntry = (hash: RHash, key: Value, offset: number): void => {
    if (!isSym(key)) return;
    let m = offsets.get(hash);
    if (!m) offsets.set(hash, (m = new Map()));
    m.set(key.name, offset);
  };
  const locate: Locate = (hash) => {
    const at = offsets.get(hash);
    return at && ((key) => {
      const offset = at.get(key);
      return offset === undefined ? undefined : lineColumn(text, offset);
    });
  };
  try {
    value = parse(text, { source, onHashEntry });
  } catch (e) {
    if (isRktdSyntaxError(e)) {
      const msg = e.message.startsWith(source) ? e.message : `${source}:${e.line}:${e.column}: ${e.message}`;
      throw new StoreError('E_BAD_CONFIG', `malformed config ${msg}`, {
        key: source,
        line: e.line,
        column: e.column,
        cause: e,
      });
    }
    throw new StoreError('E_BAD_CONFIG', `malformed config ${source}: ${e instanceof Error ? e.message : String(e)}`, {
      key: source,
      cause: e,
    });
  }
  const bad = (why: string, at?: { line: number; column: number }): never => {
    const where = at ? `${source}:${at.line}:${at.column}` : source;
    throw new StoreError('E_BAD_CONFIG', `malformed config ${where}: ${why}`, { key: source, ...at });
  };
  const js = toConfigJS(value, locate);
  if (!isPlainObject(js)) {
    return bad('the top level must be a hash table with symbol keys, like #hash((tasks . ()))');
  }
  const lists: Array<[string, string]> = [
    ['tasks', 'name'],
    ['sites', 'url'],
    ['emails', 'to'],
  ];
  for (const [list, nameKey] of lists) {
    const entries = js[list];
    if (entries === undefined) continue;
    const listAt = configPosition(js, list);
    if (!Array.isArray(entries)) return bad(`\`${list}\` must be a list of hash tables`, listAt);
    entries.forEach((entry: unknown, i) => {
      if (!isPlainObject(entry)) return bad(`\`${list}\` entry ${i + 1} is not a hash table with symbol keys`, listAt);
      const name = entry[nameKey];
      if (typeof name !== 'string') {
        // An entry is known by its name (its heartbeat key, edits, messages); without a string
        // one the list cannot be used (by the original either), so the config fails whole, saying where.
        const got = name === undefined ? '' : ` (got ${describeValue(name)})`;
        const at = configPosition(entry, name === undefined ? (Object.keys(entry)[0] ?? '') : nameKey) ?? listAt;
        return bad(`\`${list}\` entry ${i + 1} has no string \`${nameKey}\`${got}`, at);
      }
      return undefined;
    });
  }
  if (js.html !== undefined && !isPlainObject(js.html)) return bad('`html` must be a hash table');
  return js as Config;
}

/** The bytes Racket's `(format "~s\n" config)` produces. */
export function stringifyConfig(config: Config): string {
  try {
    return `${stringify(fromConfigJS(config))}\n`;
  } catch (e) {
    throw new StoreError('E_BAD_CONFIG', `cannot write the config: ${e instanceof Error ? e.message : String(e)}`, {
      key: CONFIG_KEY,
      cause: e,
    });
  }
}

/** The store's config.rktd and its etag (for a conditional write back), or null when there is none. */
export async function readConfig(store: Store): Promise<{ config: Config; etag: string } | null> {
  let obj;
  try {
    obj = await store.get(CONFIG_KEY, { maxBytes: MAX_CONFIG_BYTES });
  } catch (e) {
    throw configReadError(store, e);
  }
  if (obj === null) return null;
  return { config: configFromObject(store, obj), etag: obj.etag };
}

/**
 * What a failed read of config.rktd (at most MAX_CONFIG_BYTES, as `readConfig` and every edit
 * read it) throws: a bigger one is a bad config (E_BAD_CONFIG) naming the key and the bound;
 * anything else as it was.
 */
export function configReadError(store: Store, e: unknown): unknown {
  if (!(isStoreError(e) && e.code === 'E_TOO_LARGE')) return e;
  return new StoreError(
    'E_BAD_CONFIG',
    `${CONFIG_KEY} in ${store.location} is too large: ${e.message.replace(/^.* is too large to read: /, '')} ` +
      `(svcmon reads at most ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB of it, MAX_CONFIG_BYTES; split the tasks over several buckets or prefixes)`,
    { key: CONFIG_KEY, location: store.location, ...(e.kind === undefined ? {} : { kind: e.kind }), cause: e },
  );
}

/** The config in `obj` (config.rktd as read from `store`); a bad one is E_BAD_CONFIG naming the store. */
export function configFromObject(store: Store, obj: StoredObject): Config {
  try {
    return parseConfig(obj.body.toString('utf8'), CONFIG_KEY);
  } catch (e) {
    if (e instanceof StoreError && e.location === undefined) {
      throw new StoreError(e.code, `${e.message} (in ${store.location})`, {
        key: CONFIG_KEY,
        location: store.location,
        ...(e.line === undefined ? {} : { line: e.line }),
        ...(e.column === undefined ? {} : { column: e.column }),
        cause: e.cause,
      });
    }
    throw e;
  }
}

/**
 * Write config.rktd (content type application/data, no ACL, as the
 * original). Pass the etag from readConfig as `ifMatch`, or `ifNoneMatch:
 * '*'` for a new config, so concurrent edits cannot silently overwrite each other.
 */
export async function writeConfig(
  store: Store,
  config: Config,
  options: { ifMatch?: string; ifNoneMatch?: '*' } = {},
): Promise<{ etag: string }> {
  return store.put(CONFIG_KEY, stringifyConfig(config), {
    contentType: CONFIG_CONTENT_TYPE,
    publicRead: false,
    ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }),
    ...(options.ifNoneMatch === undefined ? {} : { ifNoneMatch: options.ifNoneMatch }),
  });
}
