// Loopback web sites for the pulse's site checks: one server answering every
// kind of site a monitor meets, plus a port that refuses connections.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listen, listenPort } from './listen.js';

export interface Sites {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  base: string;
  /** 200 with a small body. */
  ok: string;
  /** 200 with a body that never ends (headers sent, then nothing). */
  okEndless: string;
  /** 301 → `ok`. */
  redirect: string;
  /** 301 → a dead port. */
  redirectDead: string;
  /** 302 → itself, forever. */
  redirectLoop: string;
  /** 404. */
  notFound: string;
  /** 500. */
  serverError: string;
  /** Accepts the connection and never answers. */
  hang: string;
  /** A port where nothing listens (connection refused). */
  refused: string;
  /** Requests received, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/** A port that was free a moment ago and now refuses connections. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  const port = await listenPort(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startSites(): Promise<Sites> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const dead = await deadPort();
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, headers: Record<string, string> = {}, body = ''): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    switch (req.url) {
      case '/ok':
        return send(200, {}, 'hello\n');
      case '/ok-endless':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('this body never ends\n');
        hanging.add(res);
        return;
      case '/redirect':
        return send(301, { location: '/ok' });
      case '/redirect-dead':
        return send(301, { location: `http://127.0.0.1:${dead}/` });
      case '/redirect-loop':
        return send(302, { location: '/redirect-loop' });
      case '/not-found':
        return send(404, {}, 'not found\n');
      case '/server-error':
        return send(500, {}, 'oops\n');
      case '/hang':
        hanging.add(res);
        return;
      default:
        return send(404, {}, 'no such test path\n');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenPort(server);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    ok: `${base}/ok`,
    okEndless: `${base}/ok-endless`,
    redirect: `${base}/redirect`,
    redirectDead: `${base}/redirect-dead`,
    redirectLoop: `${base}/redirect-loop`,
    notFound: `${base}/not-found`,
    serverError: `${base}/server-error`,
    hang: `${base}/hang`,
    refused: `http://127.0.0.1:${dead}/`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback HTTP server standing in for webhook receivers: records every request, answers 200. */
export interface HookSink {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  base: string;
  /** Requests received, in order. */
  hits: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: string }>;
  close(): Promise<void>;
}

export async function startHookSink(): Promise<HookSink> {
  const hits: HookSink['hits'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  return {
    base: await listen(server),
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
