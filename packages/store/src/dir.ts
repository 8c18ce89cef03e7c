// The embedded default: objects are plain files in a folder, keys with "/"
// are subfolders. Writes are atomic (temp file + rename), and every write
// holds a per-object lock file so conditional writes are exact even when
// several processes share the folder.
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fsPromises } from './_builtins.js';
import { checkKey } from './_keys.js';
import { StoreError, isStoreError, tooLarge } from './errors.js';
import type { GetOptions, ListedObject, ListOptions, PutOptions, Store, StoredObject } from './types.js';

export interface DirStoreOptions {
  /** Give up waiting for another writer's lock after this long (default 10 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is taken as left behind by a crashed writer (default 30 s). */
  staleLockMs?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  rktd: 'application/data',
  html: 'text/html; charset=utf-8',
  css: 'text/css',
  js: 'text/javascript',
  txt: 'text/plain',
};

function etagOf(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** The store's own lock and temporary files (see #lock and put). */
const OWN_FILE = /^\..+\.(lock|\d+\.[0-9a-f]{8}\.tmp)$/;

/** S3's listing order: by the keys' UTF-8 bytes. */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? ((e as { code?: string }).code ?? undefined) : undefined;
}

class DirStore implements Store {
  readonly kind = 'dir' as const;
  readonly location: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;

  constructor(root: string, options: DirStoreOptions = {}) {
    this.location = resolve(root);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#staleLockMs = options.staleLockMs ?? 30_000;
  }

  #path(key: string): string {
    checkKey(key, this.location);
    const p = join(this.location, ...key.split('/'));
    if (!p.startsWith(this.location + sep)) {
      throw new StoreError('E_BAD_KEY', `invalid object key ${JSON.stringify(key)}: escapes ${this.location}`, {
        key,
        location: this.location,
      });
    }
    return p;
  }

  #fail(e: unknown, key: string, doing: string): StoreError {
    const code = errno(e);
    const where = `${JSON.stringify(key)} in ${this.location}`;
    if (code === 'EACCES' || code === 'EPERM') {
      return new StoreError('E_ACCESS_DENIED', `permission denied ${doing} ${where}`, {
        key,
        location: this.location,
        cause: e,
      });
    }
    if (code === 'ENAMETOOLONG') {
      return new StoreError('E_BAD_KEY', `invalid object key ${where}: the name is too long for a file`, {
        key,
        location: this.location,
        cause: e,
      });
    }
    const msg = e instanceof Error ? e.message : String(e);
    return new StoreError('E_IO', `failed ${doing} ${where}: ${msg}`, {
      key,
      location: this.location,
      cause: e,
    });
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    const file = this.#path(key);
    const { readFile, readUpTo, stat } = await fsPromises();
    const { maxBytes } = options;
    try {
      const [body, st] = await Promise.all([maxBytes === undefined ? readFile(file) : readUpTo(file, maxBytes + 1), stat(file)]);
      if (maxBytes !== undefined && body.length > maxBytes) throw tooLarge(key, this.location, maxBytes, 'dir');
      const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
      const contentType = ext === undefined ? undefined : CONTENT_TYPES[ext];
      const obj: StoredObject = { body, etag: etagOf(body), lastModified: st.mtime };
      if (contentType !== undefined) obj.contentType = contentType;
      return obj;
    } catch (e) {
      if (isStoreError(e)) throw e;
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code === 'EISDIR') return null;
      throw this.#fail(e, key, 'reading');
    }
  }

  /**
   * The files under the folder, as keys, skipping the store's own lock (`.<name>.lock`) and
   * temporary (`.<name>.<pid>.<hex>.tmp`) files. The etag is the content hash `get` answers.
   */
  async *list(prefix: string, _options: ListOptions = {}): AsyncIterable<ListedObject> {
    const fs = await fsPromises();
    const keys: string[] = [];
    const walk = async (dir: string, base: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir);
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
        throw this.#fail(e, base, 'listing');
      }
      for (const entry of entries) {
        const key = base + entry.name;
        // Only folders that can hold keys under the prefix are walked.
        if (entry.isDirectory()) {
          const sub = `${key}/`;
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, entry.name), sub);
        } else if (entry.isFile() && key.startsWith(prefix) && !OWN_FILE.test(entry.name)) {
          keys.push(key);
        }
      }
    };
    await walk(this.location, '');
    keys.sort(byUtf8);
    for (const key of keys) {
      const file = join(this.location, ...key.split('/'));
      try {
        const [body, st] = await Promise.all([fs.readFile(file), fs.stat(file)]);
        yield { key, etag: etagOf(body), size: st.size, lastModified: st.mtime };
      } catch (e) {
        if (errno(e) === 'ENOENT') continue; // deleted since the folder was read
        throw this.#fail(e, key, 'listing');
      }
    }
  }

  async #lock(file: string, key: string): Promise<string> {
    const { createExclusive, unlink, stat } = await fsPromises();
    const lock = join(dirname(file), `.${basename(file)}.lock`);
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        await createExclusive(lock);
        return lock;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw this.#fail(e, key, 'locking');
      }
      try {
        const st = await stat(lock);
        if (Date.now() - st.mtimeMs > this.#staleLockMs) {
          await unlink(lock).catch(() => {});
          continue;
        }
      } catch {
        continue; // released meanwhile
      }
      if (Date.now() > deadline) {
        throw new StoreError(
          'E_TIMEOUT',
          `timed out waiting for the lock on ${JSON.stringify(key)} in ${this.location} (${lock})`,
          { key, location: this.location },
        );
      }
      await sleep(wait);
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const file = this.#path(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const { mkdirp, rename, unlink, writeFile } = await fsPromises();
    try {
      await mkdirp(dirname(file));
    } catch (e) {
      throw this.#fail(e, key, 'creating the folder for');
    }
    const lock = await this.#lock(file, key);
    try {
      if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
        const current = await this.get(key);
        if (options.ifNoneMatch === '*' && current !== null) {
          throw new StoreError(
            'E_PRECONDITION',
            `${JSON.stringify(key)} in ${this.location} already exists (write required that it did not)`,
            { key, location: this.location },
          );
        }
        if (options.ifMatch !== undefined && (current === null || current.etag !== options.ifMatch)) {
          throw new StoreError(
            'E_PRECONDITION',
            `${JSON.stringify(key)} in ${this.location} changed since it was read (etag ${
              current === null ? 'none: the object is gone' : current.etag
            }, expected ${options.ifMatch})`,
            { key, location: this.location },
          );
        }
      }
      const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, file);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw this.#fail(e, key, 'writing');
      }
      return { etag: etagOf(bytes) };
    } finally {
      await unlink(lock).catch(() => {});
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    const { unlink } = await fsPromises();
    try {
      await unlink(file);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
      throw this.#fail(e, key, 'deleting');
    }
  }
}

/** A store that keeps objects as files under `path` (created on first write). */
export function dirStore(path: string, options?: DirStoreOptions): Store {
  return new DirStore(path, options);
}
