// Option parsing shared by the commands: validated numbers and the store
// options every command that talks to a bucket accepts.
import { InvalidArgumentError } from 'commander';

/** A non-negative integer (seconds), e.g. --period. */
export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${name} must be a non-negative whole number of seconds, such as 3600.`);
    }
    return n;
  };
}

/** A positive integer count, e.g. --concurrency. */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1.`);
    }
    return n;
  };
}

/** A positive number of seconds (fractions allowed), e.g. --timeout. */
export function positiveSeconds(name: string) {
  return (value: string): number => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive number of seconds, such as 30 or 2.5.`);
    }
    return n;
  };
}

export interface StoreFlags {
  region?: string;
  endpoint?: string;
  acl?: boolean;
}

/** The StoreOptions a command passes on: only what the user actually gave. */
export function storeOptions(flags: StoreFlags): {
  region?: string;
  endpoint?: string;
  publicRead?: boolean;
} {
  return {
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(flags.acl === false ? { publicRead: false } : {}),
  };
}
