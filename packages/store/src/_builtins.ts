// Node built-ins that are costly to import as ESM: `import ... from 'node:http'`
// evaluates every lazy export (pulling in undici), and 'node:fs/promises'
// pulls in readline: ~30 ms on a cold start, which a heartbeat should not pay. process.getBuiltinModule
// (Node >= 22.3) hands back the module without that; older Nodes import it.
import type * as Fs from 'node:fs';
import { dirname } from 'node:path';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Os from 'node:os';

type GetBuiltin = (id: string) => unknown;
const getBuiltin = (process as { getBuiltinModule?: GetBuiltin }).getBuiltinModule?.bind(process);

/** The few fs calls the directory store makes, as promises over node:fs (already loaded by Node itself). */
export interface FsCalls {
  readFile(path: string): Promise<Buffer>;
  stat(path: string): Promise<Fs.Stats>;
  writeFile(path: string | number, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** A second name for `existing` (fails with EEXIST when `path` exists): an atomic create with content. */
  link(existing: string, path: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** The entries of a folder, with their types. */
  readdir(path: string): Promise<Fs.Dirent[]>;
  /** A folder's entries a few at a time (close it, or iterate to the end). */
  opendir(path: string): Promise<Fs.Dir>;
  /** stat with nanosecond times and exact inode numbers (follows links). */
  statExact(path: string): Promise<Fs.BigIntStats>;
  open(path: string, flags: number, mode?: number): Promise<number>;
  fstatExact(fd: number): Promise<Fs.BigIntStats>;
  /** Reads into `buffer` from `offset`, at the file's current position: the byte count (0 at the end). */
  read(fd: number, buffer: Buffer, offset: number, length: number): Promise<number>;
  futimes(fd: number, atime: Date, mtime: Date): Promise<void>;
  close(fd: number): Promise<void>;
  /** fs.constants (O_RDONLY, O_NONBLOCK, ...). */
  constants: typeof Fs.constants;
}

let fsCalls: FsCalls | undefined;
export async function fsPromises(): Promise<FsCalls> {
  if (fsCalls !== undefined) return fsCalls;
  const fs = (getBuiltin?.('node:fs') as typeof Fs | undefined) ?? (await import('node:fs'));
  const call = <T>(fn: (cb: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  fsCalls = {
    readFile: (p) => call<Buffer>((cb) => fs.readFile(p, cb)),
    stat: (p) => call<Fs.Stats>((cb) => fs.stat(p, cb)),
    writeFile: (p, data) => call<void>((cb) => fs.writeFile(p, data, cb)),
    rename: (a, b) => call<void>((cb) => fs.rename(a, b, cb)),
    unlink: (p) => call<void>((cb) => fs.unlink(p, cb)),
    link: (a, b) => call<void>((cb) => fs.link(a, b, cb)),
    mkdirp: (p) => mkdirOneByOne(p, (d) => call<void>((cb) => fs.mkdir(d, (err) => cb(err))), (d) => call<Fs.Stats>((cb) => fs.stat(d, cb))),
    readdir: (p) => call<Fs.Dirent[]>((cb) => fs.readdir(p, { withFileTypes: true }, cb)),
    opendir: (p) => call<Fs.Dir>((cb) => fs.opendir(p, cb)),
    statExact: (p) => call<Fs.BigIntStats>((cb) => fs.stat(p, { bigint: true }, cb)),
    open: (p, flags, mode) => call<number>((cb) => fs.open(p, flags, mode ?? 0o666, cb)),
    fstatExact: (fd) => call<Fs.BigIntStats>((cb) => fs.fstat(fd, { bigint: true }, cb)),
    read: (fd, buffer, offset, length) => call<number>((cb) => fs.read(fd, buffer, offset, length, null, cb)),
    futimes: (fd, atime, mtime) => call<void>((cb) => fs.futimes(fd, atime, mtime, cb)),
    close: (fd) => call<void>((cb) => fs.close(fd, cb)),
    constants: fs.constants,
  };
  return fsCalls;
}

/** This machine's name (node:os, without an ESM import). */
export async function hostname(): Promise<string> {
  const os = (getBuiltin?.('node:os') as typeof Os | undefined) ?? (await import('node:os'));
  return os.hostname();
}

const codeOf = (e: unknown): unknown => (e as { code?: unknown } | null)?.code;

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir loops forever where mkdir
 * answers ENOENT although the parent exists (a pseudo file system such as /proc).
 */
async function mkdirOneByOne(path: string, mkdir: (p: string) => Promise<void>, stat: (p: string) => Promise<Fs.Stats>): Promise<void> {
  const missing: string[] = [];
  for (let dir = path; ; ) {
    try {
      await stat(dir);
      break;
    } catch (e) {
      if (codeOf(e) !== 'ENOENT') throw e;
      missing.unshift(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (e) {
      if (codeOf(e) === 'EEXIST') continue;
      if (codeOf(e) === 'ENOENT') {
        throw Object.assign(new Error(`cannot create the folder ${dir}: its parent exists but accepts no new folder (a pseudo file system such as /proc?)`), { code: 'ENOENT', cause: e });
      }
      throw e;
    }
  }
}

export async function httpModule(): Promise<typeof Http> {
  return (getBuiltin?.('node:http') as typeof Http | undefined) ?? import('node:http');
}

export async function httpsModule(): Promise<typeof Https> {
  return (getBuiltin?.('node:https') as typeof Https | undefined) ?? import('node:https');
}
