// One behavioural suite, run against every kind of store (directory, S3 via s3rver).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CONFIG_KEY,
  failureKey,
  formatHeartbeat,
  heartbeatKey,
  isStoreError,
  MAX_CONFIG_BYTES,
  MAX_FAILURE_BYTES,
  MAX_RECORD_BYTES,
  parseConfig,
  readConfig,
  readFailureRecord,
  readHeartbeat,
  readRunState,
  runStateKey,
  writeConfig,
  writeHeartbeat,
  compareKeys,
  type ListedFolder,
  type ListedObject,
  type Store,
} from '../src/index.js';
import { fixture, fixtureBeats, fixtureConfigs } from './_fixtures.js';

const ODD_NAMES = [
  'db backup',
  'zählwerk',
  'a"b',
  'what?',
  '#1',
  '100%',
  'a/b',
  'emoji 🫀 beat',
  "it's & <ok>",
  'plus+sign=eq',
  'semi;colon',
  '%2F not a slash',
];

type Entry = ListedObject | ListedFolder;

/** What a listing with `delimiter` must name: the full listing, each key with a `/` after the prefix rolled up into its folder. */
export async function rolledUp(store: Store, prefix: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const o of store.list(prefix)) {
    const slash = o.key.indexOf('/', prefix.length);
    if (slash === -1) out.push(o);
    else if (out.at(-1)?.key !== o.key.slice(0, slash + 1)) out.push({ key: o.key.slice(0, slash + 1), folder: true });
  }
  // Rolled up, a folder sorts by its own key (`a/` after `a-b`), as S3 sorts CommonPrefixes.
  return out.sort((a, b) => compareKeys(a.key, b.key)).filter((e, i, all) => i === 0 || all[i - 1]!.key !== e.key);
}

export async function oneLevel(store: Store, prefix: string, pageSize?: number): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const o of store.list(prefix, { delimiter: '/', ...(pageSize === undefined ? {} : { pageSize }) })) out.push(o);
  return out;
}

export interface SuiteTarget {
  store: Store;
  stop?: () => Promise<void>;
}

export function storeSuite(kind: string, open: () => Promise<SuiteTarget>): void {
  describe(`store suite: ${kind}`, () => {
    let target: SuiteTarget;
    let store: Store;
    beforeAll(async () => {
      target = await open();
      store = target.store;
    });
    afterAll(async () => {
      await target?.stop?.();
    });

    test('a listing names every object under a prefix, page by page, in key order, with the etag and size get answers', async () => {
      const names = [...ODD_NAMES.map((n) => `listing/${n}.json`), 'listing/sub/deeper/x.json', 'listing-not/under.json'];
      for (const [i, key] of names.entries()) await store.put(key, 'x'.repeat(i + 1), { contentType: 'application/json' });
      const listed = [];
      // A directory store also names its folders (`unreadable`); the objects are the same on both.
      for await (const o of store.list('listing/', { pageSize: 3 })) if (o.unreadable === undefined) listed.push(o);
      const expected = names.filter((k) => k.startsWith('listing/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(listed.map((o) => o.key)).toEqual(expected);
      for (const o of listed) {
        const obj = await store.get(o.key);
        expect(o.etag).toBe(obj?.etag);
        expect(o.size).toBe(obj?.body.length);
        expect(o.lastModified).toBeInstanceOf(Date);
        expect(Number.isNaN(o.lastModified.getTime())).toBe(false);
      }
      const one = [];
      for await (const o of store.list('listing/what?')) one.push(o.key);
      expect(one).toEqual(['listing/what?.json']);
      const none = [];
      for await (const o of store.list('no-such-prefix/')) none.push(o);
      expect(none).toEqual([]);
      for (const key of names) await store.delete(key);
      const after = [];
      for await (const o of store.list('listing')) if (o.unreadable === undefined) after.push(o);
      expect(after).toEqual([]);
    });

    test('a listing with delimiter names one level: each folder once (pages of 1 and 2 included), the same as the full listing rolled up', async () => {
      const names = [
        ...ODD_NAMES.map((n) => `tree/${n}.json`),
        ...ODD_NAMES.map((n) => `tree/sub/${n}-beat.json`),
        'tree/sub/deeper/x.json',
        'tree/zählwerk/a b/c?.json',
        'tree/%2F/#.json',
        'tree-not/under.json',
        'tree/sub-beat.json',
      ];
      for (const key of names) await store.put(key, key, { contentType: 'application/json' });
      const level = await oneLevel(store, 'tree/');
      expect(level.filter((e) => !('unreadable' in e && e.unreadable !== undefined)).map((e) => e.key)).toEqual(
        [
          ...ODD_NAMES.filter((n) => !n.includes('/')).map((n) => `tree/${n}.json`),
          'tree/%2F/',
          'tree/a/',
          'tree/sub-beat.json',
          'tree/sub/',
          'tree/zählwerk/',
        ].sort(compareKeys),
      );
      for (const prefix of ['', 'tree/', 'tree', 'tree/sub', 'tree/sub/', 'tree/sub/what?', 'tree/zählwerk/a b/', 'tree/%2F/', 'tree/a"', 'nothing/']) {
        const expected = await rolledUp(store, prefix);
        for (const pageSize of [1, 2, undefined]) expect(await oneLevel(store, prefix, pageSize)).toEqual(expected);
      }
      expect(await oneLevel(store, 'tree/sub/', 1)).toContainEqual({ key: 'tree/sub/deeper/', folder: true });
      for (const key of names) await store.delete(key);
      expect(await oneLevel(store, 'tree/')).toEqual(await rolledUp(store, 'tree/'));
    });

    test('put then get returns the same bytes and the etag put returned', async () => {
      const { etag } = await store.put('round-trip.txt', 'hello\n', { contentType: 'text/plain' });
      expect(etag).toMatch(/^".+"$/);
      const obj = await store.get('round-trip.txt');
      expect(obj?.body.toString('utf8')).toBe('hello\n');
      expect(obj?.etag).toBe(etag);
      const bin = new Uint8Array([0, 255, 1, 254]);
      await store.put('bytes.bin', bin, { contentType: 'application/octet-stream' });
      expect([...((await store.get('bytes.bin'))?.body ?? [])]).toEqual([0, 255, 1, 254]);
    });

    test('an overwrite replaces the object and changes the etag', async () => {
      const a = await store.put('over.txt', 'one', { contentType: 'text/plain' });
      const b = await store.put('over.txt', 'two', { contentType: 'text/plain' });
      expect(b.etag).not.toBe(a.etag);
      expect((await store.get('over.txt'))?.body.toString()).toBe('two');
    });

    test('maxBytes: an object over the bound is E_TOO_LARGE naming the key and the bound; at the bound it reads', async () => {
      const big = Buffer.alloc(256 * 1024, 'x');
      await store.put('big.bin', big, { contentType: 'application/octet-stream' });
      const e = await store.get('big.bin', { maxBytes: 1024 }).catch((err: unknown) => err);
      expect(isStoreError(e)).toBe(true);
      expect(e).toMatchObject({ code: 'E_TOO_LARGE', key: 'big.bin', location: store.location, kind: store.kind });
      expect((e as Error).message).toContain('"big.bin"');
      expect((e as Error).message).toContain('at most 1024 bytes');
      expect((await store.get('big.bin', { maxBytes: big.length }))?.body.length).toBe(big.length);
      expect(await store.get('no-such.bin', { maxBytes: 1 })).toBeNull();
      // The store stays usable after a refused read.
      await store.put('small.txt', 'ok', { contentType: 'text/plain' });
      expect((await store.get('small.txt', { maxBytes: 2 }))?.body.toString()).toBe('ok');
    });

    test('size bounds: a heartbeat or run state over MAX_RECORD_BYTES, a failure record over MAX_FAILURE_BYTES is E_TOO_LARGE naming the key; at the bound they are read', async () => {
      const json = { contentType: 'application/json' };
      const padded = (text: string, size: number) => text + ' '.repeat(size - Buffer.byteLength(text));
      const beat = formatHeartbeat(new Date(1_795_488_696_000));
      const cases = [
        { key: heartbeatKey('big'), bound: MAX_RECORD_BYTES, text: beat, read: () => readHeartbeat(store, 'big') },
        { key: runStateKey('big'), bound: MAX_RECORD_BYTES, text: '{"running":[]}', read: () => readRunState(store, 'big') },
        { key: failureKey('big'), bound: MAX_FAILURE_BYTES, text: '{"task":"big","runId":"r","ended":"2026-11-24T02:51:36Z"}', read: () => readFailureRecord(store, 'big') },
      ];
      for (const c of cases) {
        await store.put(c.key, padded(c.text, c.bound), json);
        expect(await c.read()).not.toBeNull();
        await store.put(c.key, padded(c.text, c.bound + 1), json);
        const e = await c.read().catch((err: unknown) => err);
        expect(e).toMatchObject({ name: 'StoreError', code: 'E_TOO_LARGE', key: c.key });
        expect((e as Error).message).toContain(`at most ${c.bound} bytes`);
        await store.delete(c.key);
      }
    });

    test(`a config.rktd over MAX_CONFIG_BYTES (${MAX_CONFIG_BYTES / 1048576} MiB) is E_BAD_CONFIG naming the key and the bound, not read`, async () => {
      await store.put(CONFIG_KEY, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20), { contentType: 'application/data' });
      const e = await readConfig(store).catch((err: unknown) => err);
      expect(e).toMatchObject({ name: 'StoreError', code: 'E_BAD_CONFIG', key: CONFIG_KEY, location: store.location });
      expect((e as Error).message).toContain(`${MAX_CONFIG_BYTES + 1} bytes`);
      expect((e as Error).message).toContain('MAX_CONFIG_BYTES');
      await store.delete(CONFIG_KEY);
    });

    test('a missing object is null, and delete makes an object missing', async () => {
      expect(await store.get('never-written.json')).toBeNull();
      expect(await store.get('no/such/folder.json')).toBeNull();
      await store.put('doomed.txt', 'x', { contentType: 'text/plain' });
      await store.delete('doomed.txt');
      expect(await store.get('doomed.txt')).toBeNull();
      await store.delete('doomed.txt'); // deleting nothing is fine
    });

    test.each(ODD_NAMES)('the odd task name %j beats and reads back', async (name) => {
      const now = new Date(Date.UTC(2026, 10, 24, 2, 51, 36));
      await writeHeartbeat(store, name, { now });
      expect(await readHeartbeat(store, name)).toEqual({ seconds: 1795488696, date: 'Tue, 24 Nov 2026 02:51:36 +0000' });
      const obj = await store.get(heartbeatKey(name));
      expect(obj?.body.toString('utf8')).toBe(formatHeartbeat(now));
    });

    test('odd names stay distinct objects', async () => {
      await Promise.all(ODD_NAMES.map((n, i) => store.put(`distinct/${n}`, String(i), { contentType: 'text/plain' })));
      for (const [i, n] of ODD_NAMES.entries()) {
        expect((await store.get(`distinct/${n}`))?.body.toString()).toBe(String(i));
      }
    });

    test('keys that would escape the store are refused', async () => {
      for (const key of ['../escape', 'a/../../b', '/abs', '', 'a//b']) {
        await expect(store.put(key, 'x', { contentType: 'text/plain' })).rejects.toSatisfy(isStoreError);
      }
    });

    test('ifNoneMatch "*" creates once, then fails with E_PRECONDITION', async () => {
      const first = await store.put('create-once.txt', 'first', { contentType: 'text/plain', ifNoneMatch: '*' });
      expect(first.etag).toMatch(/^".+"$/);
      await expect(
        store.put('create-once.txt', 'second', { contentType: 'text/plain', ifNoneMatch: '*' }),
      ).rejects.toMatchObject({ name: 'StoreError', code: 'E_PRECONDITION', key: 'create-once.txt' });
      expect((await store.get('create-once.txt'))?.body.toString()).toBe('first');
    });

    test('ifMatch writes only over the version it names', async () => {
      const v1 = await store.put('cas.txt', 'v1', { contentType: 'text/plain' });
      const v2 = await store.put('cas.txt', 'v2', { contentType: 'text/plain', ifMatch: v1.etag });
      expect((await store.get('cas.txt'))?.body.toString()).toBe('v2');
      await expect(store.put('cas.txt', 'v3', { contentType: 'text/plain', ifMatch: v1.etag })).rejects.toMatchObject({
        code: 'E_PRECONDITION',
      });
      await expect(
        store.put('cas-missing.txt', 'x', { contentType: 'text/plain', ifMatch: v1.etag }),
      ).rejects.toMatchObject({ code: 'E_PRECONDITION' });
      const v3 = await store.put('cas.txt', 'v3', { contentType: 'text/plain', ifMatch: v2.etag });
      expect(v3.etag).toBe((await store.get('cas.txt'))?.etag);
    });

    test('of concurrent writes that all name the same etag, exactly one wins', async () => {
      const base = await store.put('race.txt', 'base', { contentType: 'text/plain' });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          store.put('race.txt', `writer ${i}`, { contentType: 'text/plain', ifMatch: base.etag }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'E_PRECONDITION' });
      }
    });

    test('heartbeats are byte-identical to the ones the original wrote', async () => {
      for (const { file, text, now } of fixtureBeats()) {
        const task = file.replace(/-beat(\.stale)?\.json$/, '');
        const hb = await writeHeartbeat(store, task, { now });
        expect(hb).toEqual(JSON.parse(text));
        expect((await store.get(heartbeatKey(task)))?.body.toString('utf8')).toBe(text);
        expect(await readHeartbeat(store, task)).toEqual(JSON.parse(text));
      }
    });

    test('a heartbeat written by the original reads back; a malformed one is E_BAD_HEARTBEAT', async () => {
      await store.put('orig-beat.json', fixture('backup-beat.stale.json'), { contentType: 'application/json' });
      expect(await readHeartbeat(store, 'orig')).toEqual({ seconds: 1795304799, date: 'Sat, 21 Nov 2026 23:46:39 +0000' });
      await store.put('extra-beat.json', '{"seconds":5,"date":"x","host":"h"}', { contentType: 'application/json' });
      expect(await readHeartbeat(store, 'extra')).toEqual({ seconds: 5, date: 'x' });
      expect(await readHeartbeat(store, 'never-beat')).toBeNull();
      for (const bad of ['not json', '{"date":"x"}', '{"seconds":"12"}', '{"seconds":1.5}', '[1]']) {
        await store.put('bad-beat.json', bad, { contentType: 'application/json' });
        await expect(readHeartbeat(store, 'bad')).rejects.toMatchObject({
          code: 'E_BAD_HEARTBEAT',
          key: 'bad-beat.json',
        });
      }
    });

    test('every fixture config round-trips through the store byte for byte', async () => {
      expect(await readConfig(store)).toBeNull();
      let etag: string | undefined;
      for (const file of fixtureConfigs()) {
        const text = fixture(file);
        const written = await writeConfig(
          store,
          parseConfig(text, file),
          etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        );
        const obj = await store.get(CONFIG_KEY);
        expect(obj?.body.toString('utf8')).toBe(text);
        const read = await readConfig(store);
        expect(read?.etag).toBe(written.etag);
        etag = read?.etag;
      }
      await expect(writeConfig(store, {}, { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'E_PRECONDITION' });
    });

    test('a malformed config.rktd is E_BAD_CONFIG with line and column', async () => {
      await store.put(CONFIG_KEY, '#hash((tasks . (#hash((name . "a")))\n  (sites . "unterminated))\n', {
        contentType: 'application/data',
      });
      const err = await readConfig(store).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'StoreError', code: 'E_BAD_CONFIG', key: CONFIG_KEY, line: 2 });
      expect(String((err as Error).message)).toContain('config.rktd');
      await store.delete(CONFIG_KEY);
    });
  });
}
