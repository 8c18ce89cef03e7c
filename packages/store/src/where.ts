import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirStore } from './dir.js';
import { StoreError } from './errors.js';
import { s3Store } from './s3.js';
import type { Store, StoreOptions } from './types.js';

/** What a user types for "where state lives" (or a ready store). */
export type Where = string | Store;

const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function badWhere(where: string, why: string): never {
  throw new StoreError('E_BAD_WHERE', `cannot use ${JSON.stringify(where)} as a store: ${why}`, {
    location: where,
  });
}

/**
 * `my-bucket` → S3; `s3://bucket[/prefix]` → S3 with a key prefix; a path
 * that contains `/` or starts with `.`, or a `file:` URL → a directory.
 */
export function openStore(where: Where, options: StoreOptions = {}): Store {
  if (typeof where !== 'string') return where;
  const text = where.trim();
  if (text === '') return badWhere(where, 'it is empty');
  if (/^file:/i.test(text)) {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch (e) {
      throw new StoreError('E_BAD_WHERE', `cannot use ${JSON.stringify(where)} as a store: not a valid file: URL`, {
        location: where,
        cause: e,
      });
    }
    return dirStore(path);
  }
  const s3 = /^s3:\/\/(.*)$/i.exec(text);
  if (s3 !== null) {
    const rest = s3[1] ?? '';
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (bucket === '') return badWhere(where, 'no bucket name after s3://');
    if (!BUCKET.test(bucket)) return badWhere(where, `${JSON.stringify(bucket)} is not a bucket name`);
    return s3Store({ ...options, bucket, prefix });
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(text)) {
    return badWhere(where, 'only s3:// and file: URLs are understood (or a bucket name, or a path)');
  }
  if (text === '~' || text.startsWith('~/')) return dirStore(join(homedir(), text.slice(1)));
  if (text.includes('/') || text.includes('\\') || text.startsWith('.')) {
    return dirStore(resolve(text));
  }
  if (!BUCKET.test(text) || text.length > 255) {
    return badWhere(where, 'not a bucket name (for a local folder write ./name)');
  }
  return s3Store({ ...options, bucket: text });
}
