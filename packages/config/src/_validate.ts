// Entry validation, as the original's contracts: the keys each kind of entry
// may have, and what their values must be. Nothing is written when this fails.
import { Flonum, Rational } from '@svcmon/rktd';
import { ConfigError, type ConfigFunction } from './errors.js';
import { RUN_TASK_KEYS } from './_schedule.js';
import { ALERT_SITE_KEYS } from './_site-keys.js';

export type EntryKind = 'task' | 'site' | 'email' | 'html';

interface KeySpec {
  check: (v: unknown) => boolean;
  /** What the value must be, for the message: "a string", "a non-negative exact integer". */
  want: string;
}

const isString: KeySpec = { check: (v) => typeof v === 'string', want: 'a string' };

const isNaturalExact: KeySpec = {
  check: (v) =>
    (typeof v === 'number' && Number.isInteger(v) && v >= 0 && !Object.is(v, -0)) ||
    (typeof v === 'bigint' && v >= 0n),
  want: 'a non-negative exact integer (seconds)',
};

const isPositiveReal: KeySpec = {
  check: (v) =>
    (typeof v === 'number' && Number.isFinite(v) && v > 0) ||
    (typeof v === 'bigint' && v > 0n) ||
    (v instanceof Flonum && Number.isFinite(v.value) && v.value > 0) ||
    (v instanceof Rational && v.num > 0n && v.den > 0n),
  want: 'a positive number (seconds)',
};

const isBoolean: KeySpec = { check: (v) => typeof v === 'boolean', want: 'a boolean' };

interface KindSpec {
  /** The key that names an entry; absent for html. */
  nameKey?: string;
  keys: Record<string, KeySpec>;
  /** How the entry is called in messages. */
  noun: string;
}

export const KINDS: Record<EntryKind, KindSpec> = {
  task: { nameKey: 'name', noun: 'task', keys: { name: isString, period: isNaturalExact, ...RUN_TASK_KEYS } },
  site: { nameKey: 'url', noun: 'site', keys: { url: isString, timeout: isPositiveReal, ...ALERT_SITE_KEYS } },
  email: { nameKey: 'to', noun: 'e-mail', keys: { to: isString, 'on-success?': isBoolean } },
  html: { noun: 'html', keys: { title: isString } },
};

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Flonum) return `${v.value} (inexact)`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') {
    const ctor = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof ctor === 'string' && ctor !== 'Object' ? `a ${ctor}` : 'an object';
  }
  return String(v);
}

/**
 * Checks an entry given to `set-…` and returns a clean copy (properties that
 * are `undefined` dropped, as `fromJS` would drop them).
 */
export function validateEntry<T extends object>(fn: ConfigFunction, kind: EntryKind, entry: unknown): T {
  const spec = KINDS[kind];
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError('E_INVALID_ENTRY', `${fn}: the ${spec.noun} entry must be an object, got ${describeValue(entry)}`, {
      fn,
      value: entry,
    });
  }
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    const keySpec = Object.hasOwn(spec.keys, key) ? spec.keys[key] : undefined;
    if (!keySpec) {
      const allowed = Object.keys(spec.keys).join(', ');
      throw new ConfigError('E_INVALID_ENTRY', `${fn}: unknown key ${JSON.stringify(key)} in the ${spec.noun} entry (allowed: ${allowed})`, {
        fn,
        key,
        value,
      });
    }
    if (!keySpec.check(value)) {
      throw new ConfigError('E_INVALID_ENTRY', `${fn}: ${key} must be ${keySpec.want}, got ${describeValue(value)}`, {
        fn,
        key,
        value,
      });
    }
    clean[key] = value;
  }
  if (spec.nameKey !== undefined && !(spec.nameKey in clean)) {
    throw new ConfigError('E_INVALID_ENTRY', `${fn}: the ${spec.noun} entry has no ${spec.nameKey} key`, {
      fn,
      key: spec.nameKey,
    });
  }
  return clean as T;
}

/** Checks the name argument of `get-…`/`remove-…`. */
export function validateName(fn: ConfigFunction, kind: EntryKind, name: unknown): string {
  const nameKey = KINDS[kind].nameKey ?? 'name';
  if (typeof name !== 'string') {
    throw new ConfigError('E_INVALID_ENTRY', `${fn}: ${nameKey} must be a string, got ${describeValue(name)}`, {
      fn,
      key: nameKey,
      value: name,
    });
  }
  return name;
}
