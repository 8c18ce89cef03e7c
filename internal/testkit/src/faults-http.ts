// Misbehaving web sites for reliability tests, on 127.0.0.1 and free ports:
// a server that trickles its answer one byte per second (status line and
// headers, or only the body), one that floods an endless body as fast as the
// socket takes it (counting the bytes it got rid of), and a self-signed HTTPS
// site. Every socket is destroyed on close().
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { listenPort } from './listen.js';
import { TEST_CERT_FILE, TEST_KEY_FILE } from './smtp.js';

export interface FaultySites {
  /** Sends `HTTP/1.1 200 OK\r\n…` one byte per second: the answer never completes within a short timeout. */
  trickleHeaders: string;
  /** Sends the headers at once, then the body one byte per second, forever. */
  trickleBody: string;
  /** 200, then an endless body written as fast as the client reads it. */
  flood: string;
  /** HTTPS with the testkit's self-signed certificate (not trusted by Node). */
  selfSigned: string;
  /** Bytes of body the flood server managed to write (to all clients). */
  floodBytes(): number;
  /** Requests received, as `METHOD path`. */
  requests: string[];
  /** The most connections the trickling server (trickleHeaders, trickleBody) held open at once. */
  trickleMaxOpen(): number;
  close(): Promise<void>;
}

function track(server: Server | NetServer, sockets: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
}

export async function startFaultySites(): Promise<FaultySites> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];
  let flooded = 0;

  // Raw TCP so the status line itself can be trickled.
  const trickle = createNetServer((socket) => {
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const [method = '', path = ''] = head.split(' ');
      requests.push(`${method} ${path}`);
      const answer =
        path === '/trickle-body'
          ? null
          : Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello', 'latin1');
      if (answer === null) socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n');
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) {
          clearInterval(timer);
          timers.delete(timer);
          return;
        }
        if (answer === null) socket.write('.');
        else if (i < answer.length) socket.write(answer.subarray(i, ++i));
      }, 1000);
      timers.add(timer);
    });
  });
  track(trickle, sockets);
  let open = 0;
  let maxOpen = 0;
  trickle.on('connection', (socket: Socket) => {
    maxOpen = Math.max(maxOpen, ++open);
    socket.on('close', () => open--);
  });
  const tricklePort = await listenPort(trickle);

  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const flood = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (!res.destroyed && !res.writableEnded) {
        flooded += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    res.on('error', () => undefined);
    pump();
  });
  track(flood, sockets);
  const floodPort = await listenPort(flood);

  const tls = createHttpsServer({ key: readFileSync(TEST_KEY_FILE), cert: readFileSync(TEST_CERT_FILE) }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello over self-signed TLS\n');
  });
  track(tls, sockets);
  const tlsPort = await listenPort(tls);

  return {
    trickleHeaders: `http://127.0.0.1:${tricklePort}/trickle-headers`,
    trickleBody: `http://127.0.0.1:${tricklePort}/trickle-body`,
    flood: `http://127.0.0.1:${floodPort}/flood`,
    selfSigned: `https://127.0.0.1:${tlsPort}/`,
    floodBytes: () => flooded,
    requests,
    trickleMaxOpen: () => maxOpen,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await Promise.all(
        [trickle, flood, tls].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

export interface HangingSmtp {
  port: number;
  /** Connections accepted (never greeted). */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections on 127.0.0.1 and never sends the SMTP greeting. */
export async function startHangingSmtp(): Promise<HangingSmtp> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count++;
    socket.on('error', () => undefined);
  });
  track(server, sockets);
  const port = await listenPort(server);
  return {
    port,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
