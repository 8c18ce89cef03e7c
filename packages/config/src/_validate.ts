// Entry validation for `set-…`, from the one schema (@svcmon/store's SCHEMA): the keys each kind
// of entry may have, and what their values must be. Nothing is written when this fails.
import { SCHEMA, abridged, describeEntryValue, describeValue, missingRequirement, taskNameProblem, type EntryKind as SchemaKind } from '@svcmon/store';
import { ConfigError, type ConfigFunction } from './errors.js';

export type EntryKind = Exclude<SchemaKind, 'top'>;

/**
 * Checks an entry given to `set-…` and returns a clean copy (properties that
 * are `undefined` dropped, as `fromJS` would drop them).
 */
export function validateEntry<T extends object>(fn: ConfigFunction, kind: EntryKind, entry: unknown): T {
  const spec = SCHEMA[kind];
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError('E_INVALID_ENTRY', `${fn}: the ${spec.noun} entry must be an object, got ${describeValue(entry)}`, {
      fn,
      value: entry,
    });
  }
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    const decl = Object.hasOwn(spec.keys, key) ? spec.keys[key] : undefined;
    if (!decl) {
      const allowed = Object.keys(spec.keys).join(', ');
      throw new ConfigError('E_INVALID_ENTRY', `${fn}: unknown key ${JSON.stringify(key)} in the ${spec.noun} entry (allowed: ${allowed})`, {
        fn,
        key,
        value,
      });
    }
    if (decl.type.read(value) === undefined) {
      const nameWhy = kind === 'task' && key === 'name' ? taskNameProblem(value) : undefined;
      const message =
        nameWhy !== undefined && typeof value === 'string'
          ? `${fn}: invalid task name ${describeValue(abridged(value))}: ${nameWhy}`
          : `${fn}: ${nameWhy ?? `${key} must be ${decl.type.want}, got ${describeEntryValue(kind, key, value)}`}`;
      throw new ConfigError('E_INVALID_ENTRY', message, { fn, key, value });
    }
    clean[key] = value;
  }
  for (const [key, decl] of Object.entries(spec.keys)) {
    const unmet = clean[key] === undefined ? undefined : missingRequirement(decl, clean);
    if (unmet !== undefined) throw new ConfigError('E_INVALID_ENTRY', `${fn}: ${unmet}`, { fn, key, value: clean[key] });
    if (decl.required && !(key in clean)) {
      throw new ConfigError('E_INVALID_ENTRY', `${fn}: the ${spec.noun} entry has no ${key} key`, { fn, key });
    }
  }
  return clean as T;
}

/** Checks the name argument of `get-…`/`remove-…` (any string: to clean up what others wrote). */
export function validateName(fn: ConfigFunction, kind: EntryKind, name: unknown): string {
  const nameKey = SCHEMA[kind].nameKey ?? 'name';
  if (typeof name !== 'string') {
    throw new ConfigError('E_INVALID_ENTRY', `${fn}: ${nameKey} must be a string, got ${describeValue(name)}`, {
      fn,
      key: nameKey,
      value: name,
    });
  }
  return name;
}
