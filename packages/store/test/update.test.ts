// The one compare-and-swap (updateObject), on every kind of store, within one process and
// across several processes.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runNode, startS3, type NodeRun, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dirStore, isStoreError, s3Store, updateObject, UPDATE_ATTEMPTS, type Store, type StoredObject } from '../src/index.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(PACKAGE_DIR, 'dist', 'index.js');
const WORKER = join(PACKAGE_DIR, 'test', 'workers', 'count-worker.mjs');

interface Counter {
  n: number;
  by: number[];
}
const readCounter = (obj: StoredObject | null): Counter => (obj === null ? { n: 0, by: [] } : (JSON.parse(obj.body.toString('utf8')) as Counter));
let writerNo = 0;
/** One increment, which records who made it (identical bytes from two writers would mean one change). */
const increment = (store: Store, options: { attempts?: number } = {}) => {
  const me = writerNo++;
  return updateObject(store, 'counter.json', readCounter, (c) => ({ write: JSON.stringify({ n: c.n + 1, by: [...c.by, me] }), result: c.n + 1 }), {
    put: { contentType: 'application/json' },
    ...options,
  });
};

/** The real store, with another writer that changes the object right after every read. */
function racing(store: Store): Store {
  let rival = 0;
  return {
    kind: store.kind,
    location: store.location,
    async get(key) {
      const obj = await store.get(key);
      await store.put(key, JSON.stringify({ n: 1000 + rival++, by: [] }), { contentType: 'application/json' });
      return obj;
    },
    put: (key, body, options) => store.put(key, body, options),
    delete: (key) => store.delete(key),
    list: (prefix, options) => store.list(prefix, options),
  };
}

function runWorker(where: string, times: number, options: object): Promise<NodeRun> {
  return runNode([WORKER, pathToFileURL(DIST).href, where, String(times), JSON.stringify(options)]);
}

interface Target {
  name: string;
  open(): Store;
  /** What a worker process passes to openStore. */
  where: string;
  options: object;
}

let s3: S3TestServer;
let dir: string;
let bucketNo = 0;
beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error(`build @svcmon/store first (pnpm --filter @svcmon/store build): ${DIST} is missing`);
  s3 = await startS3({ buckets: [] });
  dir = await mkdtemp(join(tmpdir(), 'svcmon-cas-'));
});
afterAll(async () => {
  await s3?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function fresh(kind: 'dir' | 'lite' | 'sdk'): Promise<Target> {
  const name = `cas-${kind}-${bucketNo++}`;
  if (kind === 'dir') {
    const where = join(dir, name);
    await mkdir(where);
    return { name, where, options: {}, open: () => dirStore(where) };
  }
  await s3.createBucket(name);
  const options = { endpoint: s3.endpoint, region: 'us-east-1', credentials: s3.credentials, useSdk: kind === 'sdk' };
  return { name, where: `s3://${name}`, options, open: () => s3Store({ bucket: name, ...options }) };
}

for (const kind of ['dir', 'lite', 'sdk'] as const) {
  describe(`updateObject on ${kind === 'dir' ? 'a directory' : `s3rver (${kind === 'sdk' ? 'AWS SDK' : 'light client'})`}`, () => {
    test('creates with If-None-Match, then changes with If-Match; no write when the change writes nothing', async () => {
      const t = await fresh(kind);
      const store = t.open();
      const first = await increment(store);
      expect(first).toMatchObject({ result: 1, written: true });
      const second = await increment(store);
      expect(second).toMatchObject({ result: 2, written: true });
      expect(second.etag).toBe((await store.get('counter.json'))?.etag);
      const before = s3.requests.length;
      const same = await updateObject(store, 'counter.json', readCounter, (c) => ({ result: c.n }), { put: { contentType: 'application/json' } });
      expect(same).toEqual({ result: 2, written: false, etag: second.etag });
      if (kind !== 'dir') {
        const puts = s3.requests.filter((r) => r.bucket === t.name && r.method === 'PUT');
        expect(puts.map((r) => [r.headers['if-none-match'] ?? null, r.headers['if-match'] ?? null])).toEqual([
          ['*', null],
          [null, first.etag],
        ]);
        expect(s3.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
      }
    });

    test('`known` spares the first read; a stale one costs one refused write, and the change is applied to what is there', async () => {
      const t = await fresh(kind);
      const store = t.open();
      const one = await increment(store);
      await increment(store); // moves on: `one` is stale now
      const before = s3.requests.length;
      const r = await updateObject(store, 'counter.json', readCounter, (c) => ({ write: JSON.stringify({ n: c.n + 10, by: c.by }), result: c.n + 10 }), {
        put: { contentType: 'application/json' },
        known: { value: { n: 1, by: [] }, etag: one.etag },
      });
      expect(r).toMatchObject({ result: 12, written: true });
      if (kind !== 'dir') {
        expect(s3.requests.slice(before).map((q) => `${q.method} ${q.status}`)).toEqual(['PUT 412', 'GET 200', 'PUT 200']);
      }
    });

    test('ten updates at once in one process: none is lost', async () => {
      const store = (await fresh(kind)).open();
      const results = await Promise.all(Array.from({ length: 10 }, () => increment(store)));
      expect(results.map((r) => r.result).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(readCounter(await store.get('counter.json')).n).toBe(10);
    });

    test('a rival that always writes first: E_CONFLICT naming the key after the given tries, and the rival\'s write stands', async () => {
      const store = (await fresh(kind)).open();
      await increment(store);
      const e = await increment(racing(store), { attempts: 3 }).catch((err: unknown) => err);
      expect(isStoreError(e)).toBe(true);
      expect(e).toMatchObject({ code: 'E_CONFLICT', key: 'counter.json', location: store.location });
      expect((e as Error).message).toContain('gave up after 3 tries');
      expect((e as Error).cause).toMatchObject({ code: 'E_PRECONDITION' });
      expect(readCounter(await store.get('counter.json')).n).toBe(1002);
    });

    test('two writers that want the very same bytes: both are done, one write', async () => {
      const store = (await fresh(kind)).open();
      const set = () =>
        updateObject(store, 'flag.json', (o) => o?.body.toString() ?? null, (v) => (v === 'on' ? { result: 'was on' } : { write: 'on', result: 'set' }), {
          put: { contentType: 'text/plain' },
        });
      const both = await Promise.all([set(), set()]);
      expect(both.every((r) => r.written || r.result === 'was on')).toBe(true);
      expect((await store.get('flag.json'))?.body.toString()).toBe('on');
    });

    test('a parse that refuses the object ends the update: its error, nothing written', async () => {
      const store = (await fresh(kind)).open();
      await store.put('counter.json', 'not json', { contentType: 'application/json' });
      await expect(increment(store)).rejects.toThrow(SyntaxError);
      expect((await store.get('counter.json'))?.body.toString()).toBe('not json');
    });

    test(`${6} processes × 5 updates of one object: every update counted once`, async () => {
      const t = await fresh(kind);
      const results = await Promise.all(Array.from({ length: 6 }, () => runWorker(t.where, 5, t.options)));
      for (const r of results) {
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.out)).toEqual({ written: 5 });
      }
      const final = readCounter(await t.open().get('counter.json'));
      expect(final.n).toBe(30);
      expect(final.by).toHaveLength(30);
      expect(new Set(final.by).size).toBe(6);
    }, 60_000);
  });
}

test('the default number of tries is UPDATE_ATTEMPTS', async () => {
  const store = (await fresh('dir')).open();
  await increment(store);
  const e = await increment(racing(store)).catch((err: unknown) => err);
  expect((e as Error).message).toContain(`gave up after ${UPDATE_ATTEMPTS} tries`);
}, 60_000);

for (const useSdk of [false, true]) {
  test(`a write that landed but whose answer was lost is not applied twice (${useSdk ? 'AWS SDK' : 'light client'})`, async () => {
    const t = await fresh(useSdk ? 'sdk' : 'lite');
    const store = t.open();
    await increment(store);
    // The PUT is carried out, then answered 412, as a retried conditional write whose first try landed.
    s3.injectFault({
      match: (r) => r.bucket === t.name && r.method === 'PUT',
      status: 412,
      code: 'PreconditionFailed',
      afterForward: true,
      times: 1,
    });
    const r = await increment(store);
    expect(r).toMatchObject({ result: 2, written: true });
    expect(r.etag).toBe((await store.get('counter.json'))?.etag);
    expect(readCounter(await store.get('counter.json')).n).toBe(2);
  });
}
