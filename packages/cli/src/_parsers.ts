// Validated numbers for options (--period, --timeout, --concurrency): a
// clear message naming the option, before anything is read or written.
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
