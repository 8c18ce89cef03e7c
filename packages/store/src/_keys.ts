import { StoreError } from './errors.js';

// The one home of what an object key may be. Keys are free text (task names may hold spaces,
// quotes, `?`, `#`, `%`, unicode); refused is only what cannot be a file name, would escape a
// directory, or is longer than some store can hold. The length limits are the stricter of the
// two stores' for every store: a bucket is shared with the original and may be mirrored to a
// directory (or a directory uploaded to a bucket), so a key one store takes must fit the other.

/** S3's limit on an object key (the store's prefix included), in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/**
 * The limit on one `/`-separated part of a key, in UTF-8 bytes: what a directory store can hold.
 * A file name may take 255 bytes (ext4, XFS, APFS, NTFS), and the directory store writes each
 * object through files named after it: its lock's `.<part>.lock.<pid>.<8 hex>.tmp` adds 30 bytes
 * with a pid of up to 10 digits.
 */
export const MAX_SEGMENT_BYTES = 255 - 30;

const utf8 = new TextEncoder();

/** How many bytes `text` takes in UTF-8, the unit every key limit is in. */
export function utf8Bytes(text: string): number {
  return utf8.encode(text).length;
}

/**
 * Why `key` (behind the store's `prefix`) is longer than some store can hold, or undefined: the
 * whole key over MAX_KEY_BYTES, or one of its parts over MAX_SEGMENT_BYTES (UTF-8 bytes). The
 * answer is a clause to follow "the key": `takes 1030 bytes …`.
 */
export function keyLengthProblem(key: string, prefix = ''): string | undefined {
  const bytes = utf8Bytes(prefix + key);
  if (bytes > MAX_KEY_BYTES) {
    return `takes ${bytes} bytes (UTF-8${prefix === '' ? '' : ', with the prefix'}), more than the ${MAX_KEY_BYTES} an S3 key may take`;
  }
  for (const part of key.split('/')) {
    const n = utf8Bytes(part);
    if (n > MAX_SEGMENT_BYTES) {
      return `has a part of ${n} bytes (UTF-8) between "/", more than the ${MAX_SEGMENT_BYTES} a directory store can hold (a file name's 255, less what its lock file adds)`;
    }
  }
  return undefined;
}

/** Why `key` cannot be an object key of any store (see keyLengthProblem for the lengths), or undefined. */
function keyProblem(key: string, prefix = ''): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'the key is empty';
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (key.startsWith('/')) return 'the key starts with "/"';
  for (const part of key.split('/')) {
    if (part === '') return 'the key has an empty path segment ("//" or a trailing "/")';
    if (part === '.' || part === '..') return `the key has a "${part}" path segment`;
  }
  const long = keyLengthProblem(key, prefix);
  return long === undefined ? undefined : `the key ${long}`;
}

/** Throws StoreError E_BAD_KEY when `key` breaks the rule of keyProblem: every store checks each key it is given. */
export function checkKey(key: string, location: string, prefix = ''): void {
  const why = keyProblem(key, prefix);
  if (why === undefined) return;
  throw new StoreError('E_BAD_KEY', `invalid object key ${JSON.stringify(abridged(key))} for ${location}: ${why}`, { key, location });
}

/** A long key or name as a message shows it: its first 80 characters and `…`. */
export function abridged(text: string): string {
  const chars = Array.from(text);
  return chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : text;
}

/**
 * S3's listing order: by the keys' UTF-8 bytes, which is code point order. JavaScript compares
 * UTF-16 code units, which differs only where a surrogate (a code point past U+FFFF) meets
 * U+E000–U+FFFF: those two ranges are swapped back, so nothing is encoded.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}
