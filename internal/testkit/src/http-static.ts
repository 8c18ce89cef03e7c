// A tiny static file server for a directory, on 127.0.0.1 and a free port:
// enough to open a directory store's dashboard in a browser.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { listenPort } from './listen.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.rktd': 'application/data',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:43123/`. */
  url: string;
  port: number;
  /** Every request seen, as `METHOD /path STATUS`, for assertions and debugging. */
  log: string[];
  close(): Promise<void>;
}

/** Serves the files under `root` (GET and HEAD only; no listings; `/` → index.html; no caching). */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const base = path.resolve(root);
  const log: string[] = [];
  const server = createServer((req, res) => {
    const done = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
      log.push(`${req.method} ${req.url} ${status}`);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return done(405, 'method not allowed\n');
      let rel: string;
      try {
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
        rel = pathname
          .split('/')
          .map((segment) => decodeURIComponent(segment))
          .join('/');
      } catch {
        return done(400, 'bad request\n');
      }
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(base, '.' + rel);
      if (file !== base && !file.startsWith(base + path.sep)) return done(403, 'forbidden\n');
      try {
        const info = await stat(file);
        if (!info.isFile()) return done(404, 'not found\n');
        return done(200, await readFile(file), contentTypeFor(file));
      } catch {
        return done(404, 'not found\n');
      }
    })();
  });
  const port = await listenPort(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
