// The embedded default: objects are plain files in a folder, keys with "/"
// are subfolders. Writes are atomic (temp file + rename), and every write
// holds a per-object lock file so conditional writes are exact even when
// several processes share the folder.
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fsPromises, hostname, type FsCalls } from './_builtins.js';
import { checkKey, compareKeys } from './_keys.js';
import { StoreError, isStoreError, tooLarge } from './errors.js';
import type { ListEntry, ListedFolder, ListedObject, ListOptions, PutOptions, ReadOptions, Store, StoredObject } from './types.js';

export interface DirStoreOptions {
  /** Give up waiting for another writer's lock after this long (default 10 s): E_LOCKED. */
  lockTimeoutMs?: number;
  /**
   * A lock held from another machine (or naming no holder) older than this, by the holder's own
   * clock, is taken as left behind by a crashed writer (default 30 s). A lock whose holder is on
   * this machine is judged by whether that process runs: taken over at once when it does not.
   */
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

/**
 * A file's etag: its inode, size and modification time in nanoseconds, which one stat gives. A
 * write never changes a file in place (temp file + rename: a new inode, modified later than the
 * version it replaces), so a file's bytes are fixed while its etag is. Unlike S3's, rewriting the
 * same bytes changes it (a reader only reads it once more).
 */
function etagOf(st: BigIntStats): string {
  return `"${st.ino.toString(16)}-${st.size.toString(16)}-${st.mtimeNs.toString(16)}"`;
}

const idOf = (st: BigIntStats): string => `${st.dev}:${st.ino}`;

function specialKind(st: BigIntStats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** The bytes of an open file, at most `cap` of them (`expected`: the size fstat gave). */
async function readAll(fs: FsCalls, fd: number, expected: number, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < cap) {
    const chunk = Buffer.allocUnsafe(Math.min(cap - total, Math.max(expected - total + 1, 16 * 1024)));
    const n = await fs.read(fd, chunk, 0, chunk.length);
    if (n === 0) break;
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The store's own lock and temporary files (see #lock and put). */
const OWN_FILE = /^\..+\.(lock|\d+\.[0-9a-f]{8}\.tmp)$/;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Who holds a lock, as written in the lock file. */
interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601. */
  since: string;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder> | null;
    if (v && Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.since === 'string') {
      return { pid: v.pid!, host: v.host, since: v.since };
    }
  } catch {
    // not ours, or from an older version: no holder
  }
  return undefined;
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
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
        kind: 'dir',
        cause: e,
      });
    }
    if (code === 'ENAMETOOLONG') {
      return new StoreError('E_BAD_KEY', `invalid object key ${where}: the name is too long for a file`, {
        key,
        location: this.location,
        kind: 'dir',
        cause: e,
      });
    }
    const msg = e instanceof Error ? e.message : String(e);
    return new StoreError('E_IO', `failed ${doing} ${where}: ${msg}`, {
      key,
      location: this.location,
      kind: 'dir',
      cause: e,
    });
  }

  /** Not "no such object": the object is there, as a folder nothing can read. */
  #folder(key: string, cause?: unknown): StoreError {
    return new StoreError('E_IO', `${JSON.stringify(key)} in ${this.location} is a directory, not a file (move it away, or remove it if it is empty)`, {
      key,
      location: this.location,
      kind: 'dir',
      ...(cause !== undefined ? { cause } : {}),
    });
  }

  /** Not a file nor a folder (a FIFO, a socket, a device): reading it could block forever, so it is refused. */
  #special(key: string, what: string, cause?: unknown): StoreError {
    return new StoreError('E_IO', `${JSON.stringify(key)} in ${this.location} is ${what}, not a regular file (move it away)`, {
      key,
      location: this.location,
      kind: 'dir',
      ...(cause !== undefined ? { cause } : {}),
    });
  }

  /** Refuses what is at `key` unless it is a regular file. */
  #mustBeFile(key: string, st: BigIntStats): void {
    if (st.isFile()) return;
    if (st.isDirectory()) throw this.#folder(key);
    throw this.#special(key, specialKind(st));
  }

  /**
   * The file is opened without blocking (a FIFO would wait for a writer) and read only once
   * fstat on that very descriptor says it is a regular file; the etag comes from the same fstat.
   */
  async get(key: string, options: ReadOptions = {}): Promise<StoredObject | null> {
    const file = this.#path(key);
    const fs = await fsPromises();
    let fd: number;
    try {
      fd = await fs.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code === 'EISDIR') throw this.#folder(key, e);
      if (code === 'ENXIO') throw this.#special(key, 'a socket', e);
      throw this.#fail(e, key, 'reading');
    }
    try {
      const st = await fs.fstatExact(fd);
      this.#mustBeFile(key, st);
      const { maxBytes } = options;
      const size = Number(st.size);
      if (maxBytes !== undefined && size > maxBytes) throw tooLarge(key, this.location, 'dir', maxBytes, size);
      const body = await readAll(fs, fd, size, maxBytes === undefined ? Number.POSITIVE_INFINITY : maxBytes + 1);
      // Grown since the fstat (someone appended in place): still refused.
      if (maxBytes !== undefined && body.length > maxBytes) throw tooLarge(key, this.location, 'dir', maxBytes);
      const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
      const contentType = ext === undefined ? undefined : CONTENT_TYPES[ext];
      const obj: StoredObject = { body, etag: etagOf(st), lastModified: new Date(Number(st.mtimeMs)) };
      if (contentType !== undefined) obj.contentType = contentType;
      return obj;
    } catch (e) {
      if (isStoreError(e)) throw e;
      if (errno(e) === 'EISDIR') throw this.#folder(key, e);
      throw this.#fail(e, key, 'reading');
    } finally {
      await fs.close(fd).catch(() => {});
    }
  }

  /**
   * Everything at a key under the folder, skipping the store's own lock (`.<name>.lock`) and
   * temporary (`.<name>.<pid>.<hex>.tmp`) files. Only stats: the etag is the one `get` answers,
   * from the file's inode, size and modification time. Links are followed as `get` follows them;
   * a folder already being walked (a link to it from inside it) is not walked again. A folder or
   * a non-regular file is named with `unreadable` (`get` refuses it), so that a reader of one key
   * can tell "nothing there" from "something there that is not an object".
   *
   * With `delimiter`, only the folders on the way to the prefix are read: a folder under it is
   * named (besides its `unreadable` entry) as `<key>/` when the listing without `delimiter`
   * would name something in it, which the first such entry tells; one that cannot be read is
   * named too (listing it says why), one being walked (a link back up) is not.
   */
  list<O extends ListOptions = Record<never, never>>(prefix: string, options?: O): AsyncIterable<ListEntry<O>> {
    return this.#list(prefix, options?.delimiter !== undefined) as AsyncIterable<ListEntry<O>>;
  }

  async *#list(prefix: string, oneLevel: boolean): AsyncIterable<ListedObject | ListedFolder> {
    const fs = await fsPromises();
    const found: Array<ListedObject | ListedFolder> = [];
    const walking = new Set<string>();
    const walk = async (dir: string, base: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir);
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
        throw this.#fail(e, base, 'listing');
      }
      const folders: Array<{ path: string; sub: string; id: string }> = [];
      await Promise.all(
        entries.map(async (entry) => {
          const key = base + entry.name;
          const sub = `${key}/`;
          // Only what is under the prefix, and folders that can hold keys under it.
          const under = key.startsWith(prefix);
          const holds = sub.startsWith(prefix) || prefix.startsWith(sub);
          if (!under && !holds) return;
          if (!entry.isDirectory() && OWN_FILE.test(entry.name)) return;
          const path = join(dir, entry.name);
          let st;
          try {
            st = await fs.statExact(path);
          } catch (e) {
            const code = errno(e);
            // Gone since the folder was read, or a link to nothing (get answers null for both).
            if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return;
            throw this.#fail(e, key, 'listing');
          }
          const lastModified = new Date(Number(st.mtimeMs));
          if (st.isFile()) {
            if (under) found.push({ key, etag: etagOf(st), size: Number(st.size), lastModified });
            return;
          }
          if (under) found.push({ key, etag: etagOf(st), size: 0, lastModified, unreadable: st.isDirectory() ? 'folder' : 'special' });
          if (!st.isDirectory()) return;
          if (!oneLevel) {
            if (holds) folders.push({ path, sub, id: idOf(st) });
          } else if (prefix.startsWith(sub)) {
            folders.push({ path, sub, id: idOf(st) });
          } else if (under && !walking.has(idOf(st)) && (await this.#holdsAny(path))) {
            found.push({ key: sub, folder: true });
          }
        }),
      );
      for (const f of folders) {
        if (walking.has(f.id)) continue; // a link back up: its keys would never end
        walking.add(f.id);
        await walk(f.path, f.sub);
        walking.delete(f.id);
      }
    };
    try {
      walking.add(idOf(await fs.statExact(this.location)));
    } catch {
      // no folder yet: nothing to list
    }
    await walk(this.location, '');
    found.sort((a, b) => compareKeys(a.key, b.key));
    yield* found;
  }

  /**
   * Whether listing the folder would name anything: an entry other than the store's own files
   * that stat finds (a folder that cannot be read counts: listing it says why). Stops at the first.
   */
  async #holdsAny(path: string): Promise<boolean> {
    const fs = await fsPromises();
    let dir;
    try {
      dir = await fs.opendir(path);
    } catch (e) {
      return errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR';
    }
    try {
      for await (const entry of dir) {
        if (!entry.isDirectory() && OWN_FILE.test(entry.name)) continue;
        try {
          await fs.statExact(join(path, entry.name));
          return true;
        } catch (e) {
          const code = errno(e);
          if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') return true;
        }
      }
      return false;
    } catch {
      return true;
    } finally {
      // Iterating to the end closes it already; a second close only rejects.
      await dir.close().catch(() => {});
    }
  }

  /**
   * Takes the per-object lock: `.<name>.lock`, created atomically with its holder inside (a temp
   * file linked into place). A lock whose holder is gone (same host, no such process), or one from
   * elsewhere older than staleLockMs, is taken over at once; a live one is waited for, up to lockTimeoutMs.
   */
  async #lock(file: string, key: string): Promise<string> {
    const { link, unlink, writeFile } = await fsPromises();
    const lock = join(dirname(file), `.${basename(file)}.lock`);
    const me: LockHolder = { pid: process.pid, host: await hostname(), since: new Date(Date.now()).toISOString() };
    const mine = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      // The token makes each taking of the lock a different text, which a takeover compares (#takeOver).
      await writeFile(mine, Buffer.from(`${JSON.stringify({ ...me, token: randomBytes(8).toString('hex') })}\n`));
    } catch (e) {
      throw this.#fail(e, key, 'locking');
    }
    try {
      const deadline = Date.now() + this.#lockTimeoutMs;
      for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
        try {
          await link(mine, lock);
          return lock;
        } catch (e) {
          if (errno(e) !== 'EEXIST') throw this.#fail(e, key, 'locking');
        }
        const held = await this.#holder(lock);
        if (held === null) continue; // released meanwhile
        if (held.abandoned) {
          await this.#takeOver(lock, held.ino, held.text);
          continue;
        }
        if (Date.now() > deadline) throw this.#locked(key, lock, held.holder, held.mtimeMs);
        await sleep(wait);
      }
    } finally {
      await unlink(mine).catch(() => {});
    }
  }

  /** Who holds `lock` and whether they are gone; null when there is no lock any more. */
  async #holder(lock: string): Promise<{ holder: LockHolder | undefined; abandoned: boolean; ino: number; text: string; mtimeMs: number } | null> {
    const { readFile, stat } = await fsPromises();
    let st;
    let text;
    try {
      [st, text] = await Promise.all([stat(lock), readFile(lock)]);
    } catch {
      return null;
    }
    const holder = parseHolder(text.toString('utf8'));
    // The lock's age by the holder's own clock when it says when it took the lock: a file's mtime
    // is the file system's clock, which need not be this process's (a network share, a faked clock).
    const since = holder !== undefined ? Date.parse(holder.since) : Number.NaN;
    const age = Date.now() - (Number.isFinite(since) ? since : st.mtimeMs);
    let abandoned = age > this.#staleLockMs;
    // A holder on this machine is judged by whether it runs, whatever the clocks say: a live one
    // (a slow edit) is waited for, one killed mid-edit is taken over at once.
    if (holder !== undefined && holder.host === (await hostname())) abandoned = !processRuns(holder.pid);
    // No holder inside (an older svcmon's empty lock): only its age can tell.
    return { holder, abandoned, ino: st.ino, text: text.toString('utf8'), mtimeMs: st.mtimeMs };
  }

  /**
   * Removes an abandoned lock, unless another writer replaced it meanwhile. The file's inode alone
   * cannot tell: a writer that took the lock over a moment ago may have been given the freed inode
   * number, so its holder (pid, host, time) must be the one judged abandoned too.
   */
  async #takeOver(lock: string, ino: number, text: string): Promise<void> {
    const { readFile, stat, unlink } = await fsPromises();
    try {
      const [st, now] = await Promise.all([stat(lock), readFile(lock)]);
      if (st.ino !== ino || now.toString('utf8') !== text) return;
      await unlink(lock);
    } catch {
      // gone already: the next try takes it
      return;
    }
    const holder = parseHolder(text);
    if (holder !== undefined) await this.#removeLeftovers(lock, holder.pid);
  }

  /**
   * The temporary files a holder killed mid-write left for this object (`.<name>.<pid>.<hex>.tmp`,
   * and its lock's `.<name>.lock.<pid>.<hex>.tmp`): removed with its lock, or they would stay
   * forever. Only when a lock is taken over, so an ordinary write reads no directory.
   */
  async #removeLeftovers(lock: string, pid: number): Promise<void> {
    const { readdir, unlink } = await fsPromises();
    const object = basename(lock).slice(0, -'.lock'.length);
    const left = new RegExp(`^${escapeRegExp(object)}(\\.lock)?\\.${pid}\\.[0-9a-f]{8}\\.tmp$`);
    const dir = dirname(lock);
    const entries = await readdir(dir).catch(() => []);
    await Promise.all(entries.filter((e) => left.test(e.name)).map((e) => unlink(join(dir, e.name)).catch(() => {})));
  }

  #locked(key: string, lock: string, holder: LockHolder | undefined, mtimeMs: number): StoreError {
    const staleAt = new Date(mtimeMs + this.#staleLockMs).toISOString();
    const who =
      holder === undefined
        ? `a writer that left no name in it, since ${new Date(mtimeMs).toISOString()}`
        : `process ${holder.pid} on ${holder.host}, since ${holder.since}`;
    const safe =
      holder === undefined
        ? `it counts as abandoned at ${staleAt}; delete it sooner only if no svcmon is writing to this folder`
        : `it is safe to delete once process ${holder.pid} on ${holder.host} has ended (it counts as abandoned at ${staleAt})`;
    return new StoreError(
      'E_LOCKED',
      `${JSON.stringify(key)} in ${this.location} is locked by ${who}; gave up waiting after ${this.#lockTimeoutMs} ms. ` +
        `The lock is ${lock}: ${safe}.`,
      { key, location: this.location, kind: 'dir' },
    );
  }

  /**
   * The store's folder must be there before a write: it is never created (a mistyped path would
   * silently become a new, unwatched store), only the folders under it that keys need are.
   */
  async rootExists(key: string): Promise<void> {
    const { stat } = await fsPromises();
    let isFolder: boolean;
    let exists = true;
    try {
      isFolder = (await stat(this.location)).isDirectory();
    } catch (e) {
      if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw this.#fail(e, key, 'finding the folder for');
      isFolder = false;
      exists = false;
    }
    if (!isFolder) {
      const what = exists ? `${this.location} is a file, not a folder` : `there is no folder ${this.location}, and a directory store does not create its own folder`;
      throw new StoreError('E_NO_BUCKET', `cannot write ${JSON.stringify(key)}: ${what}`, {
        key,
        location: this.location,
        kind: 'dir',
      });
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const file = this.#path(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const fs = await fsPromises();
    await this.rootExists(key);
    try {
      await fs.mkdirp(dirname(file));
    } catch (e) {
      throw this.#fail(e, key, 'creating the folder for');
    }
    const lock = await this.#lock(file, key);
    try {
      // Under the lock nobody else writes this key: what is there now is what the write replaces.
      const current = await this.#current(key, file);
      if (options.ifNoneMatch === '*' && current !== null) {
        throw new StoreError(
          'E_PRECONDITION',
          `${JSON.stringify(key)} in ${this.location} already exists (write required that it did not)`,
          { key, location: this.location, kind: 'dir' },
        );
      }
      if (options.ifMatch !== undefined && (current === null || etagOf(current) !== options.ifMatch)) {
        throw new StoreError(
          'E_PRECONDITION',
          `${JSON.stringify(key)} in ${this.location} changed since it was read (etag ${
            current === null ? 'none: the object is gone' : etagOf(current)
          }, expected ${options.ifMatch})`,
          { key, location: this.location, kind: 'dir' },
        );
      }
      const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const { O_CREAT, O_EXCL, O_WRONLY } = fs.constants;
      let fd: number | undefined;
      try {
        fd = await fs.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o666);
        await fs.writeFile(fd, bytes);
        // Each version of a key is modified later than the one it replaces, by at least 2 ms
        // (futimes keeps about a microsecond), so an etag never comes back even when a freed
        // inode is reused for a later version of the same size.
        const after = current === null ? 0 : Number(current.mtimeNs / 1_000_000n) + 2;
        const at = new Date(Math.max(Date.now(), after));
        await fs.futimes(fd, at, at);
        const st = await fs.fstatExact(fd);
        await fs.close(fd);
        fd = undefined;
        await fs.rename(tmp, file);
        return { etag: etagOf(st) };
      } catch (e) {
        if (fd !== undefined) await fs.close(fd).catch(() => {});
        await fs.unlink(tmp).catch(() => {});
        if (errno(e) === 'EISDIR') throw this.#folder(key, e);
        throw this.#fail(e, key, 'writing');
      }
    } finally {
      await fs.unlink(lock).catch(() => {});
    }
  }

  /** What is at the key now (stat only), null when nothing is; a folder or a special file is refused. */
  async #current(key: string, file: string): Promise<BigIntStats | null> {
    const fs = await fsPromises();
    let st;
    try {
      st = await fs.statExact(file);
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw this.#fail(e, key, 'reading');
    }
    this.#mustBeFile(key, st);
    return st;
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    const { unlink } = await fsPromises();
    try {
      await unlink(file);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
      if (errno(e) === 'EISDIR') throw this.#folder(key, e);
      throw this.#fail(e, key, 'deleting');
    }
  }
}

/**
 * A store that keeps objects as files under the folder `path`, which must exist (a write to a
 * missing one is E_NO_BUCKET); the folders under it that keys with `/` need are created.
 */
export function dirStore(path: string, options?: DirStoreOptions): Store {
  return new DirStore(path, options);
}

/**
 * Resolves when `store` can find the folder a write of `key` goes to: for a directory store whose
 * folder is missing (or is a file), throws the StoreError E_NO_BUCKET its first write would, so a
 * caller can refuse before it does anything else. Other stores are not asked (an S3 bucket is
 * found by its first request).
 */
export async function requireFolder(store: Store, key: string): Promise<void> {
  if (store instanceof DirStore) await store.rootExists(key);
}
