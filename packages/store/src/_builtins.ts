// Node built-ins that are costly to import as ESM: `import ... from 'node:http'`
// evaluates every lazy export (pulling in undici), and 'node:fs/promises'
// pulls in readline: ~30 ms on a cold start, which a heartbeat should not pay. process.getBuiltinModule
// (Node >= 22.3) hands back the module without that; older Nodes import it.
import type * as Fs from 'node:fs';
import type * as Http from 'node:http';
import type * as Https from 'node:https';

type GetBuiltin = (id: string) => unknown;
const getBuiltin = (process as { getBuiltinModule?: GetBuiltin }).getBuiltinModule?.bind(process);

/** The few fs calls the directory store makes, as promises over node:fs (already loaded by Node itself). */
export interface FsCalls {
  readFile(path: string): Promise<Buffer>;
  stat(path: string): Promise<Fs.Stats>;
  /** Create `path` exclusively (fails with EEXIST when it exists). */
  createExclusive(path: string): Promise<void>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** The entries of a folder, with their types. */
  readdir(path: string): Promise<Fs.Dirent[]>;
  /** The first `max` bytes of a file (all of it when shorter). */
  readUpTo(path: string, max: number): Promise<Buffer>;
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
    createExclusive: (p) =>
      call<number>((cb) => fs.open(p, 'wx', cb)).then((fd) => call<void>((cb) => fs.close(fd, cb))),
    writeFile: (p, data) => call<void>((cb) => fs.writeFile(p, data, cb)),
    rename: (a, b) => call<void>((cb) => fs.rename(a, b, cb)),
    unlink: (p) => call<void>((cb) => fs.unlink(p, cb)),
    mkdirp: (p) => call<void>((cb) => fs.mkdir(p, { recursive: true }, (err) => cb(err))),
    readdir: (p) => call<Fs.Dirent[]>((cb) => fs.readdir(p, { withFileTypes: true }, cb)),
    readUpTo: async (p, max) => {
      const fd = await call<number>((cb) => fs.open(p, 'r', cb));
      try {
        const buf = Buffer.allocUnsafe(max);
        let got = 0;
        while (got < max) {
          const n = await call<number>((cb) => fs.read(fd, buf, got, max - got, null, cb));
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      } finally {
        await call<void>((cb) => fs.close(fd, cb));
      }
    },
  };
  return fsCalls;
}

export async function httpModule(): Promise<typeof Http> {
  return (getBuiltin?.('node:http') as typeof Http | undefined) ?? import('node:http');
}

export async function httpsModule(): Promise<typeof Https> {
  return (getBuiltin?.('node:https') as typeof Https | undefined) ?? import('node:https');
}
