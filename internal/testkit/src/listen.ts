// Where a test server listens: 127.0.0.1 only, on a port the system picks.
import type { AddressInfo, Server } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** Listens on 127.0.0.1 on a free port and resolves to that port (rejects if it cannot listen). */
export async function listenPort(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Listens on 127.0.0.1 on a free port and resolves to its base URL, `http://127.0.0.1:<port>` (`https:` for a TLS server). */
export async function listen(server: Server): Promise<string> {
  const port = await listenPort(server);
  return `${server instanceof TlsServer ? 'https' : 'http'}://127.0.0.1:${port}`;
}
