import { StoreError } from './errors.js';

/**
 * Object keys are free text (task names may hold spaces, quotes, `?`, `#`,
 * `%`, unicode). Only what cannot be a file name or would escape a
 * directory is refused.
 */
export function checkKey(key: string, location: string): void {
  const bad = (why: string): never => {
    throw new StoreError('E_BAD_KEY', `invalid object key ${JSON.stringify(key)} for ${location}: ${why}`, {
      key,
      location,
    });
  };
  if (typeof key !== 'string' || key.length === 0) bad('the key is empty');
  if (key.includes('\0')) bad('the key contains a NUL character');
  if (key.startsWith('/')) bad('the key starts with "/"');
  for (const part of key.split('/')) {
    if (part === '') bad('the key has an empty path segment ("//" or a trailing "/")');
    if (part === '.' || part === '..') bad(`the key has a "${part}" path segment`);
  }
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
