// A hanging site holds back nobody: hanging sites do not queue behind each other, and store
// reads never wait behind sites. Asserted on structure (what the server saw at once, the order
// of the pulse's events), never on wall time: the speed figure is in bench/hanging.bench.mjs.
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { openStore, writeHeartbeat } from '@svcmon/store';
import { listen, startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSites, takePulse, type PulseEvent } from '../src/index.js';

/** A loopback server that never answers, counting the requests it holds at once. */
interface HangingServer {
  url(i: number): string;
  /** Requests received. */
  arrived: number;
  /** The most requests open at the same time. */
  maxOpen: number;
  close(): Promise<void>;
}

async function startHanging(): Promise<HangingServer> {
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const stats = { arrived: 0, maxOpen: 0 };
  const server = createServer((_req, res) => {
    stats.arrived++;
    held.add(res);
    stats.maxOpen = Math.max(stats.maxOpen, held.size);
    res.on('close', () => held.delete(res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const base = await listen(server);
  return {
    url: (i) => `${base}/hang/${i}`,
    get arrived() {
      return stats.arrived;
    },
    get maxOpen() {
      return stats.maxOpen;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

let hanging: HangingServer;
let s3: S3TestServer;
beforeAll(async () => {
  [hanging, s3] = await Promise.all([startHanging(), startS3({ buckets: ['hang'] })]);
});
afterAll(async () => {
  await Promise.all([hanging?.close(), s3?.stop()]);
});

const HANGING = 100;

describe('hanging sites', () => {
  it(`${HANGING} hanging sites are all in flight before the first times out`, async () => {
    const before = hanging.arrived;
    const events: PulseEvent['type'][] = [];
    const timeout = 3;
    const verdicts = await checkSites(
      Array.from({ length: HANGING }, (_, i) => ({ url: hanging.url(i), timeout })),
      { onEvent: (e) => events.push(e.type) },
    );
    expect(verdicts.map((v) => v.reason)).toEqual(Array(HANGING).fill(`timed out after ${timeout} s`));
    // Every check started before any ended, and the server held all of them at once.
    expect(events.indexOf('site-checked')).toBe(HANGING);
    expect(events.slice(0, HANGING).every((t) => t === 'site-started')).toBe(true);
    expect(hanging.arrived - before).toBe(HANGING);
    expect(hanging.maxOpen).toBeGreaterThanOrEqual(HANGING);
  });

  it('the site bound holds: beyond it sites wait for a free slot', async () => {
    const server = await startHanging();
    try {
      const events: string[] = [];
      const verdicts = await checkSites(
        Array.from({ length: 5 }, (_, i) => ({ url: server.url(i), timeout: 0.2 })),
        { concurrency: 2, onEvent: (e) => events.push(e.type) },
      );
      expect(verdicts.every((v) => v.reason === 'timed out after 0.2 s')).toBe(true);
      expect(server.arrived).toBe(5);
      // Never more than two checks between their start and their end.
      let open = 0;
      let most = 0;
      for (const type of events) {
        open += type === 'site-started' ? 1 : -1;
        most = Math.max(most, open);
      }
      expect(most).toBe(2);
      expect(events.slice(0, 3)).toEqual(['site-started', 'site-started', 'site-checked']);
      // The server sees a freed slot's next request before the aborted one's close: at most one over.
      expect(server.maxOpen).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });
});

describe('takePulse with hanging sites, on S3', () => {
  it('reads every heartbeat while the sites hang: no store read waits behind a site', async () => {
    const store = openStore('hang', { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} });
    const tasks = Array.from({ length: 100 }, (_, i) => `task-${i}`);
    const sites = Array.from({ length: HANGING }, (_, i) => `#hash((url . "${hanging.url(1000 + i)}"))`).join(' ');
    await store.put('config.rktd', `#hash((timeout . 5) (sites . (${sites})) (tasks . (${tasks.map((t) => `#hash((name . "${t}"))`).join(' ')})))`, {
      contentType: 'application/data',
    });
    const now = new Date('2026-11-24T02:51:36Z');
    for (const name of tasks) await writeHeartbeat(store, name, { now });
    const events: PulseEvent[] = [];
    const result = await takePulse(store, { emailMode: 'none', now: () => now, publish: false, state: false, onEvent: (e) => events.push(e) });
    expect(result.error).toBeUndefined();
    expect(result.tasks.every((t) => t.state === 'ok')).toBe(true);
    expect(result.sites.every((s) => s.reason === 'timed out after 5 s')).toBe(true);
    const firstSiteDone = events.findIndex((e) => e.type === 'site-checked');
    const checkedBefore = events.slice(0, firstSiteDone);
    // All the sites were in flight, and all the tasks were read, before the first site timed out.
    expect(checkedBefore.filter((e) => e.type === 'site-started')).toHaveLength(HANGING);
    expect(checkedBefore.filter((e) => e.type === 'task-checked')).toHaveLength(tasks.length);
  });
});
