// The one declaration of config.rktd's keys: per kind of entry, per key, its type and range, its
// default, its command-line flag and help. The strict checks of every `set-…`, the pulse's
// reading of values, the CLI's flags and the key table of the docs all come from here.
// Adding a key is one entry in SCHEMA (plus its tests); see the README.
import { Flonum, Rational } from '@svcmon/rktd';
import { Cron } from 'croner';
import { StoreError } from './errors.js';
import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES, abridged, keyLengthProblem, utf8Bytes } from './_keys.js';

/** What a key's value must be, and how it reads. */
export interface ValueType<T = unknown> {
  /** For messages: "a non-negative exact integer (seconds)". */
  want: string;
  /** The value as the pulse uses it, or undefined when the schema refuses it. */
  read(v: unknown): T | undefined;
  /** Command-line text → the value to store, or undefined when refused. */
  parse(text: string): unknown;
  /** The placeholder of the flag's value (`seconds`); absent for booleans. */
  arg?: string;
}

export interface KeyDecl<T = unknown> {
  type: ValueType<T>;
  /** One line for `--help` and the docs. */
  help: string;
  /** The value when the key is absent (after `inherits`). Absent: the key is optional, with no value. */
  default?: T;
  /** The top-level key whose value applies when this one is absent (`period`, `timeout`). */
  inherits?: 'period' | 'timeout';
  /** The key names the entry and must be present. */
  required?: true;
  /** The `set-…` command takes this key as a flag (`--max-duration`); booleans get `--x`/`--no-x`. */
  flag?: boolean;
  /** Given without this other key of the entry, the value would change nothing: refused, never silently kept. */
  requires?: { key: string; why: string };
}

/** The problem of `key` given without the key it requires, or undefined. */
export function missingRequirement(decl: KeyDecl, entry: Record<string, unknown>): string | undefined {
  const r = decl.requires;
  return r !== undefined && entry[r.key] === undefined ? r.why : undefined;
}

export type EntryKind = 'task' | 'site' | 'email' | 'html' | 'top';

export interface KindDecl {
  /** How the entry is called in messages. */
  noun: string;
  /** The key that names an entry (absent for html and the top level). */
  nameKey?: string;
  keys: Readonly<Record<string, KeyDecl>>;
}

/** Latest unix time a date can show (9999-12-31T23:59:59Z). */
export const MAX_UNIX_SECONDS = 253_402_300_799;

/** A time as the store's objects hold one: whole unix seconds from 1970 to the end of year 9999. */
export const isUnixTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_UNIX_SECONDS;

/**
 * A number on the command line is written plainly: ASCII digits (and for seconds one decimal
 * point), nothing around them. `" 2"` (a quoting slip), `1e6`, `0x10` or `+2` are refused, not read
 * as something the user may not have meant.
 */
const plainDigits = /^\d+$/;
const plainDecimal = /^(\d+(\.\d*)?|\.\d+)$/;

function exactInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) return BigInt(v);
  if (typeof v === 'bigint') return v;
  return undefined;
}

function integer(min: number, want: string, arg: string, max = Number.POSITIVE_INFINITY): ValueType<number> {
  return {
    want,
    arg,
    read(v) {
      const n = exactInteger(v);
      if (n === undefined || n < BigInt(min)) return undefined;
      const x = Number(n);
      return x <= max ? x : undefined;
    },
    parse(text) {
      if (!plainDigits.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

const positiveSeconds: ValueType<number> = {
  want: 'a positive number (seconds)',
  arg: 'seconds',
  read(v) {
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'bigint') n = Number(v);
    else if (v instanceof Flonum) n = v.value;
    else if (v instanceof Rational) n = Number(v.num) / Number(v.den);
    return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
  },
  parse(text) {
    if (!plainDecimal.test(text)) return undefined;
    const n = Number(text);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  },
};

function stringType(want: string, arg: string, ok: (s: string) => boolean): ValueType<string> {
  return {
    want,
    arg,
    read: (v) => (typeof v === 'string' && ok(v) ? v : undefined),
    parse: (text) => (ok(text) ? text : undefined),
  };
}

const nonEmptyString = stringType('a non-empty string', 'text', (s) => s.trim() !== '');

const booleanType: ValueType<boolean> = {
  want: 'a boolean (#t or #f)',
  read: (v) => (typeof v === 'boolean' ? v : undefined),
  parse: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
};

/** Five fields (minute hour day-of-month month day-of-week) or a nickname (`@daily`), as croner reads them. */
export function isCronSchedule(v: unknown): v is string {
  if (typeof v !== 'string' || v.trim() === '') return false;
  try {
    new Cron(v, { paused: true, mode: '5-part', timezone: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(v: unknown): v is string {
  if (typeof v !== 'string' || v === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/** An http:// or https:// URL: the pulse fetches each site with a GET. */
export function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const { protocol } = new URL(v);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * A site's URL: http(s), and no `user:password@`. A site's URL is published (pulse.json, the
 * dashboard, every message), so a password in it would be too.
 */
function isSiteUrl(v: unknown): v is string {
  if (!isHttpUrl(v)) return false;
  // Printed in reports and messages: no control or invisible characters (a `\r` would forge a
  // line); and a host right after `//` (`http:///x` would be read as host `x`).
  if (CONTROL_CHARACTERS.test(v) || INVISIBLE_CHARACTERS.test(v) || !/^https?:\/\/[^/?#\\]/i.test(v)) return false;
  const { username, password } = new URL(v);
  return username === '' && password === '';
}

/**
 * A site URL as it may be shown: a `user:password@` (which the schema refuses, but a hand-written
 * config.rktd can hold) becomes `***@`, so the report, pulse.json and messages never publish it.
 */
export function hideCredentials(url: string): string {
  const at = url.indexOf('@');
  const scheme = url.indexOf('://');
  if (at < 0 || scheme < 0) return url;
  const end = url.slice(scheme + 3).search(/[/?#]/);
  const authorityEnd = end < 0 ? url.length : scheme + 3 + end;
  const userinfoEnd = url.lastIndexOf('@', authorityEnd - 1);
  return userinfoEnd > scheme ? `${url.slice(0, scheme + 3)}***${url.slice(userinfoEnd)}` : url;
}

const statuses: ValueType<number[]> = {
  want: 'a non-empty list of HTTP statuses (100–599)',
  arg: 'codes',
  read(v) {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    const out: number[] = [];
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 100 || x > 599) return undefined;
      out.push(x);
    }
    return out;
  },
  parse(text) {
    const codes = text.split(',').map((s) => (/^\s*\d{3}\s*$/.test(s) ? Number(s) : Number.NaN));
    return codes.length > 0 && codes.every((c) => c >= 100 && c <= 599) ? codes : undefined;
  },
};

// The rule for task names, applied where a name enters (set-task, beat, run, the beat API) and to
// names already in a config. A name becomes object keys (`<name>-beat.json`, `-run.json`,
// `-failure.json`) and a line of the report.

/** The longest suffix a task's objects get (`<name>-failure.json`). */
const LONGEST_SUFFIX = '-failure.json';
/** Control characters (C0, DEL, C1, the Unicode line separators): never in a task name, never raw in a report line. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/**
 * Characters that change how the text around them looks without showing themselves: bidi
 * overrides and isolates (which can make `x: ERROR` read as another line), zero-width and
 * invisible marks. A task name is read by people in a report: it holds none of them.
 */
export const INVISIBLE_CHARACTERS = /[\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]|\u{e0001}|[\u{e0020}-\u{e007f}]|[\u{e0100}-\u{e01ef}]/u;
/**
 * Every control and invisible character: applied after JSON's escapes (which cover C0), it finds
 * what they leave raw (DEL, the C1 controls such as NEL, U+2028/2029, the invisible characters).
 */
const UNESCAPED_GLOBAL = new RegExp(`${CONTROL_CHARACTERS.source}|${INVISIBLE_CHARACTERS.source}`, 'gu');

/**
 * Text quoted for a message or a report line: JSON's quotes and escapes, and every character they
 * leave raw that is a control, invisible or text-direction character as `\u{…}`, so that what is
 * printed looks like what is there and holds no line break of any kind.
 */
export function quotedText(text: string): string {
  return JSON.stringify(text).replace(UNESCAPED_GLOBAL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * Text from the store (a task name, an address) as a line of output shows it: as it is, or, when it
 * holds a control, invisible or text-direction character or is blank, quoted by quotedText, so
 * that nothing read can start a line of its own or make a line look like another.
 */
export function shownText(text: string): string {
  if (!CONTROL_CHARACTERS.test(text) && !INVISIBLE_CHARACTERS.test(text) && text.trim() !== '') return text;
  return quotedText(text);
}

/**
 * Why `name` cannot be a task name, or undefined when it can: not empty nor only white space, no
 * control characters (newline, NUL, …), no invisible or text-direction characters, well-formed
 * Unicode, no leading `/`, no `//`, no `.` or `..` segment, and its objects' keys fit every store
 * (the key rules of `_keys.ts`: S3's 1024 bytes behind `prefix`, the store's prefix when known,
 * and a directory store's file names).
 */
export function taskNameProblem(name: unknown, prefix = ''): string | undefined {
  if (typeof name !== 'string') return 'a task name must be a string';
  if (name === '') return 'the task name is empty';
  if (CONTROL_CHARACTERS.test(name)) return 'the task name contains a control character (newline, tab, NUL, …)';
  if (name.trim() === '') return 'the task name is only white space';
  if (INVISIBLE_CHARACTERS.test(name)) return 'the task name contains an invisible or text-direction character (zero-width space, right-to-left override, …)';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) return 'the task name is not well-formed Unicode (a lone surrogate)';
  if (name.startsWith('/')) return 'the task name starts with "/"';
  if (name.includes('//')) return 'the task name contains "//"';
  if (name.split('/').some((part) => part === '.' || part === '..')) return 'the task name has a "." or ".." segment';
  const long = nameKeyProblem('task name', [[`${name}${LONGEST_SUFFIX}`, `<name>${LONGEST_SUFFIX}`]], prefix);
  if (long === undefined) return undefined;
  // What that leaves the name itself: the figure the README gives, said where it is needed.
  const wholeKey = utf8Bytes(prefix + name + LONGEST_SUFFIX) > MAX_KEY_BYTES;
  const last = `${MAX_SEGMENT_BYTES - utf8Bytes(LONGEST_SUFFIX)} bytes`;
  const room = wholeKey
    ? `${MAX_KEY_BYTES - utf8Bytes(prefix + LONGEST_SUFFIX)} bytes in all`
    : name.includes('/')
      ? `${last} after its last "/", ${MAX_SEGMENT_BYTES} in each part before it`
      : last;
  return `${long}; a task name may take ${room}`;
}

/**
 * Why a name (`noun`: "task name", "monitor name") is too long for the object keys it becomes, by
 * the key rules of `_keys.ts` behind the store's `prefix`; undefined when they fit. `keys`: each
 * key and how a message shows it (`<name>-failure.json`), the longest first.
 */
export function nameKeyProblem(noun: string, keys: ReadonlyArray<readonly [key: string, shown: string]>, prefix = ''): string | undefined {
  for (const [key, shown] of keys) {
    const long = keyLengthProblem(key, prefix);
    if (long !== undefined) return `the ${noun} is too long: its object key ${shown} ${long}`;
  }
  return undefined;
}

/**
 * Throws StoreError E_BAD_KEY when `name` breaks the task-name rule (`taskNameProblem`): called
 * where a name enters, before anything runs or is written.
 */
export function assertTaskName(name: unknown, prefix = ''): asserts name is string {
  const why = taskNameProblem(name, prefix);
  if (why !== undefined) {
    const shown = typeof name === 'string' ? JSON.stringify(abridged(name)) : String(name);
    throw new StoreError('E_BAD_KEY', `invalid task name ${shown}: ${why}`, { key: typeof name === 'string' ? name : '' });
  }
}

const taskName: ValueType<string> = {
  want: `a task name (not empty, no control characters, no "." or ".." segment, no leading "/" or "//", its object keys within ${MAX_KEY_BYTES} bytes and ${MAX_SEGMENT_BYTES} between "/")`,
  arg: 'name',
  read: (v) => (taskNameProblem(v) === undefined ? (v as string) : undefined),
  parse: (text) => (taskNameProblem(text) === undefined ? text : undefined),
};

const naturalSeconds = integer(0, 'a non-negative exact integer (seconds)', 'seconds');

/**
 * The most a site's `confirm` may ask for. It counts monitors: machines that each pulse the
 * bucket and share one ledger, two or three in the setups svcmon is built for. A `confirm` above
 * the monitors running is never met (the site is never reported down), so a big value is a
 * slip, not a setting: refused.
 */
const MAX_CONFIRM = 10;

/** Every kind of entry and its keys. Order is the order of flags and of the docs' table. */
export const SCHEMA: Readonly<Record<EntryKind, KindDecl>> = {
  task: {
    noun: 'task',
    nameKey: 'name',
    keys: {
      name: { type: taskName, required: true, help: 'the task name, as given to beat' },
      period: {
        type: naturalSeconds,
        inherits: 'period',
        default: 86400,
        flag: true,
        help: 'most seconds that may pass between two heartbeats',
      },
      grace: { type: naturalSeconds, default: 0, flag: true, help: 'seconds allowed on top of the period or schedule' },
      schedule: {
        type: stringType('a five-field cron expression such as "0 3 * * *"', 'cron', isCronSchedule),
        flag: true,
        help: 'five-field cron expression: late when no success since the latest scheduled time more than the grace ago (replaces the period)',
      },
      tz: {
        type: stringType('an IANA time zone such as "Europe/Berlin"', 'zone', isTimeZone),
        default: 'UTC',
        flag: true,
        help: 'IANA time zone of the schedule',
        requires: { key: 'schedule', why: 'tz is the time zone of a schedule, but the task has no schedule (give a schedule too, or leave tz out)' },
      },
      'max-duration': {
        type: integer(1, 'a positive exact integer (seconds)', 'seconds'),
        flag: true,
        help: 'a run (svcmon run) going longer than this is an error',
      },
      'paused-until': {
        type: integer(0, 'a time as an exact integer of unix seconds', 'unix-seconds', MAX_UNIX_SECONDS),
        help: 'paused (healthy) until this time; set by pause-task --until',
      },
      'paused?': { type: booleanType, default: false, help: 'paused until resumed; set by pause-task' },
    },
  },
  site: {
    noun: 'site',
    nameKey: 'url',
    keys: {
      url: {
        type: stringType('an http:// or https:// URL with a host, no user:password@ (site URLs are published) and no control or invisible characters', 'url', isSiteUrl),
        required: true,
        help: 'the URL the pulse fetches with a GET',
      },
      timeout: {
        type: positiveSeconds,
        inherits: 'timeout',
        default: 30,
        flag: true,
        help: 'seconds to wait for an answer (fractions allowed; 0 is refused: no answer can arrive in no time)',
      },
      status: {
        type: statuses,
        flag: true,
        help: 'HTTP statuses that count as up, e.g. 200,204 (default: any 2xx or 3xx)',
      },
      contains: { type: nonEmptyString, flag: true, help: 'text the body must contain (the first 1 MiB is read)' },
      'max-ms': { type: integer(1, 'a positive exact integer (milliseconds)', 'ms'), flag: true, help: 'slowest acceptable answer, in milliseconds' },
      'cert-days': {
        type: integer(0, 'a non-negative exact integer (days)', 'days'),
        default: 14,
        flag: true,
        help: 'https: fail when the certificate expires within this many days (0: never)',
      },
      failures: {
        type: integer(1, 'a positive exact integer (pulses)', 'n'),
        default: 1,
        flag: true,
        help: 'consecutive failed pulses before the site counts as down',
      },
      confirm: {
        type: integer(1, `an exact integer from 1 to ${MAX_CONFIRM} (monitors)`, 'n', MAX_CONFIRM),
        default: 1,
        flag: true,
        help: 'monitors with a fresh verdict that must see the site down before it counts as down',
      },
    },
  },
  email: {
    noun: 'e-mail',
    nameKey: 'to',
    keys: {
      to: { type: nonEmptyString, required: true, help: 'the address reports are sent to' },
      'on-success?': { type: booleanType, default: true, flag: true, help: 'also mail this address when everything is healthy' },
    },
  },
  html: {
    noun: 'html',
    keys: { title: { type: nonEmptyString, flag: true, help: 'title of the dashboard page' } },
  },
  top: {
    noun: 'top-level',
    keys: {
      period: { type: naturalSeconds, default: 86400, help: "tasks' period when a task has none" },
      timeout: { type: positiveSeconds, default: 30, help: "sites' timeout when a site has none" },
    },
  },
};

/** A value `config.rktd` holds that the schema refuses. */
export interface ConfigProblem {
  /** The kind of entry that holds it. */
  kind: EntryKind;
  /** The entry's name (task name, site URL, address), when it has one. */
  entry?: string;
  key: string;
  value: unknown;
  /** What the value must be. */
  want: string;
  /** Where, when the config was read from text: 1-based. */
  line?: number;
  column?: number;
  /** `config.rktd:3:12: period must be a non-negative exact integer (seconds), got -5`. */
  message: string;
}

/** A value for messages: `-5`, `"86400"`, `a list`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return quotedText(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Flonum) return `${v.value} (inexact)`;
  if (v instanceof Rational) return `${v.num}/${v.den}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') {
    const ctor = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof ctor === 'string' && ctor !== 'Object' ? `a ${ctor}` : 'an object';
  }
  return String(v);
}

// Where each key of an entry was in config.rktd: set by parseConfig, read by readEntry.
const POSITIONS = Symbol.for('svcmon.config.positions');

/** @internal Marks where an entry's keys were (parseConfig does this). */
export function setPositions(entry: object, positions: (key: string) => { line: number; column: number } | undefined): void {
  Object.defineProperty(entry, POSITIONS, { value: positions, enumerable: false });
}

/** Where `key` of an entry read from config.rktd was (1-based line and column), when known. */
export function configPosition(entry: unknown, key: string): { line: number; column: number } | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const at = (entry as { [POSITIONS]?: (key: string) => { line: number; column: number } | undefined })[POSITIONS];
  return at?.(key);
}

/** `config.rktd:3:14: ` (or `config.rktd: ` when the position is not known). */
function where(entry: unknown, key: string, source: string): string {
  const pos = configPosition(entry, key);
  return pos ? `${source}:${pos.line}:${pos.column}: ` : `${source}: `;
}

/**
 * A key's value as messages may show it: a site's URL without its password (a site is named by
 * its URL, and problems are published with the report).
 */
function shownValue(kind: EntryKind, key: string, value: unknown): unknown {
  return kind === 'site' && key === 'url' && typeof value === 'string' ? hideCredentials(value) : value;
}

/** `describeValue` of a key's value, as messages show it (`shownValue`). */
export function describeEntryValue(kind: EntryKind, key: string, value: unknown): string {
  return describeValue(shownValue(kind, key, value));
}

function problem(kind: EntryKind, entry: unknown, key: string, raw: unknown, want: string, source: string): ConfigProblem {
  const decl = SCHEMA[kind];
  const nameKey = decl.nameKey;
  const name = nameKey !== undefined ? shownValue(kind, nameKey, (entry as Record<string, unknown>)[nameKey]) : undefined;
  const value = shownValue(kind, key, raw);
  const pos = configPosition(entry, key);
  const scope = kind === 'top' ? 'top-level ' : '';
  const p: ConfigProblem = {
    kind,
    key,
    value,
    want,
    message: `${where(entry, key, source)}${scope}${key} must be ${want}, got ${describeValue(value)}`,
  };
  if (typeof name === 'string') p.entry = name;
  if (pos) {
    p.line = pos.line;
    p.column = pos.column;
  }
  return p;
}

/** An entry's values as the schema reads them: defaults filled in, and what it refused. */
export interface EntryReading {
  /** Every key the schema knows that has a value (own, inherited or default). */
  values: Record<string, unknown>;
  /** Keys whose value came from the top level or the default, not the entry. */
  defaulted: Set<string>;
  problems: ConfigProblem[];
}

/**
 * Read one entry of config.rktd by the schema: every known key's value, with the top-level value
 * (`top`, the config itself) or the default for an absent key. A value the schema refuses is a
 * problem, never replaced by a default; so is an inherited top-level value the schema refuses.
 * Unknown keys are left alone (another tool may use them).
 */
export function readEntry(kind: EntryKind, entry: unknown, top: unknown = {}, source = 'config.rktd'): EntryReading {
  const decl = SCHEMA[kind];
  const values: Record<string, unknown> = {};
  const defaulted = new Set<string>();
  const problems: ConfigProblem[] = [];
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const t = (typeof top === 'object' && top !== null ? top : {}) as Record<string, unknown>;
  for (const [key, k] of Object.entries(decl.keys)) {
    const own = Object.hasOwn(e, key) ? e[key] : undefined;
    if (own !== undefined) {
      const v = k.type.read(own);
      const unmet = missingRequirement(k, e);
      if (v === undefined) problems.push(problem(kind, e, key, own, k.type.want, source));
      else if (unmet !== undefined) problems.push({ ...problem(kind, e, key, own, k.type.want, source), message: `${where(e, key, source)}${unmet}` });
      else values[key] = v;
      continue;
    }
    if (k.required) {
      problems.push({ kind, key, value: undefined, want: k.type.want, message: `${source}: a ${decl.noun} entry has no ${key}` });
      continue;
    }
    defaulted.add(key);
    const inherited = k.inherits !== undefined && Object.hasOwn(t, k.inherits) ? t[k.inherits] : undefined;
    if (inherited !== undefined) {
      const topDecl = SCHEMA.top.keys[k.inherits!]!;
      const v = topDecl.type.read(inherited);
      if (v === undefined) problems.push(problem('top', t, k.inherits!, inherited, topDecl.type.want, source));
      else values[key] = v;
      continue;
    }
    if (k.default !== undefined) values[key] = k.default;
  }
  return { values, defaulted, problems };
}

/** A task's settings as the pulse uses them. */
export interface TaskSettings {
  name: string;
  period: number;
  grace: number;
  schedule?: string;
  tz: string;
  maxDuration?: number;
  pausedUntil?: number;
  paused: boolean;
}

/** A site's settings as the pulse uses them. */
export interface SiteSettings {
  url: string;
  timeout: number;
  status?: number[];
  contains?: string;
  maxMs?: number;
  certDays: number;
  failures: number;
  confirm: number;
}

type Settings<T> = { settings: T; defaulted: Set<string>; problems?: undefined } | { settings?: undefined; problems: ConfigProblem[] };

/** A task entry read by the schema (its `period` falls back on the config's, then one day). */
export function taskSettings(entry: unknown, config: unknown = {}, source?: string): Settings<TaskSettings> {
  const r = readEntry('task', entry, config, source);
  if (r.problems.length > 0) return { problems: r.problems };
  const v = r.values;
  const s: TaskSettings = {
    name: v['name'] as string,
    period: v['period'] as number,
    grace: v['grace'] as number,
    tz: v['tz'] as string,
    paused: v['paused?'] as boolean,
  };
  if (v['schedule'] !== undefined) s.schedule = v['schedule'] as string;
  if (v['max-duration'] !== undefined) s.maxDuration = v['max-duration'] as number;
  if (v['paused-until'] !== undefined) s.pausedUntil = v['paused-until'] as number;
  return { settings: s, defaulted: r.defaulted };
}

/** A site entry read by the schema (its `timeout` falls back on the config's, then 30 s). */
export function siteSettings(entry: unknown, config: unknown = {}, source?: string): Settings<SiteSettings> {
  const r = readEntry('site', entry, config, source);
  if (r.problems.length > 0) return { problems: r.problems };
  const v = r.values;
  const s: SiteSettings = {
    url: v['url'] as string,
    timeout: v['timeout'] as number,
    certDays: v['cert-days'] as number,
    failures: v['failures'] as number,
    confirm: v['confirm'] as number,
  };
  if (v['status'] !== undefined) s.status = v['status'] as number[];
  if (v['contains'] !== undefined) s.contains = v['contains'] as string;
  if (v['max-ms'] !== undefined) s.maxMs = v['max-ms'] as number;
  return { settings: s, defaulted: r.defaulted };
}

/** The reason a problem list gives, one line each. */
export function problemsText(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => p.message).join('\n');
}

/** The key table of the docs (markdown), generated from SCHEMA. */
export function schemaTable(): string {
  const rows = ['| entry | key | value | default | flag | meaning |', '|---|---|---|---|---|---|'];
  for (const [kind, decl] of Object.entries(SCHEMA)) {
    for (const [key, k] of Object.entries(decl.keys)) {
      const dflt = k.inherits !== undefined ? `top-level \`${k.inherits}\`, else ${String(k.default)}` : k.default === undefined ? (k.required ? 'required' : '—') : String(k.default);
      const flag = k.flag ? (k.type.arg ? `\`--${flagName(key)} <${k.type.arg}>\`` : `\`--${flagName(key)}\`, \`--no-${flagName(key)}\``) : '—';
      rows.push(`| ${kind} | \`${key}\` | ${k.type.want.replace(/\|/g, '\\|')} | ${dflt} | ${flag} | ${k.help.replace(/\|/g, '\\|')} |`);
    }
  }
  return rows.join('\n');
}

/** The command-line flag of a key: `max-duration` → `max-duration`, `on-success?` → `on-success`. */
export function flagName(key: string): string {
  return key.replace(/\?$/, '');
}
