// Validated numbers for options that are not config keys (--concurrency): a clear message naming
// the option, before anything is read or written. The config keys' flags come from the schema.
import { InvalidArgumentError } from 'commander';

/** A positive integer count, e.g. --concurrency. */
export function positiveInteger(name: string) {
  return (value: string): number => {
    // Plain digits, as the schema's flags (no " 2", 1e6, 0x10).
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1.`);
    }
    return n;
  };
}
