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
