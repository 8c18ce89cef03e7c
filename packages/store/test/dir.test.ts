import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, stat, symlink, truncate } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { dirStore, heartbeatKey, readHeartbeat, requireFolder, s3Store, updateObject, writeHeartbeat, type ListedObject } from '../src/index.js';
import { oneLevel, rolledUp, storeSuite } from './store-suite.js';

storeSuite('directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
  return { store: dirStore(dir), stop: () => rm(dir, { recursive: true, force: true }) };
});

describe('directory store', () => {
  test("a listing skips the store's own lock and temporary files, and folders outside the prefix", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      await writeHeartbeat(store, 'a', { now: new Date(1795488696000) });
      await writeHeartbeat(store, 'sub/b', { now: new Date(1795488696000) });
      await writeFile(join(dir, '.a-beat.json.lock'), '');
      await writeFile(join(dir, 'sub', '.b-beat.json.1234.0badcafe.tmp'), '{');
      await writeFile(join(dir, '.dotted key'), 'x');
      const keys = [];
      for await (const o of store.list('')) keys.push(o.unreadable === undefined ? o.key : `${o.key} (${o.unreadable})`);
      expect(keys).toEqual(['.dotted key', 'a-beat.json', 'sub (folder)', 'sub/b-beat.json']);
      const sub = [];
      for await (const o of store.list('sub/')) sub.push(o.key);
      expect(sub).toEqual(['sub/b-beat.json']);
      const none = [];
      for await (const o of dirStore(join(dir, 'never-made')).list('')) none.push(o);
      expect(none).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a key part of 225 bytes is written (with its lock and temporary files); 226 is refused before anything is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      const fits = `${'é'.repeat(112)}x`; // 225 bytes of UTF-8
      await store.put(fits, 'a', { contentType: 'text/plain' });
      await updateObject(store, fits, (o) => o?.body.toString() ?? '', (old) => ({ write: `${old}b`, result: null }), { put: { contentType: 'text/plain' } });
      expect((await store.get(fits))?.body.toString()).toBe('ab');
      expect(await readdir(dir)).toEqual([fits]);
      const tooLong = `sub/${fits}x`;
      await expect(store.put(tooLong, 'a', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'E_BAD_KEY', key: tooLong, location: dir });
      await expect(store.put(tooLong, 'a', { contentType: 'text/plain' })).rejects.toThrow(
        `invalid object key "sub/${'é'.repeat(76)}…" for ${dir}: the key has a part of 226 bytes (UTF-8) between "/", more than the 225 a directory store can hold`,
      );
      expect(await readdir(dir)).toEqual([fits]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a write never creates the store\'s own folder (E_NO_BUCKET naming it), only the folders under it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const typo = join(dir, 'bukcet');
      for (const key of ['t-beat.json', 'team/t-beat.json']) {
        const e = await dirStore(typo).put(key, '{}', { contentType: 'application/json' }).catch((err: unknown) => err);
        expect(e).toMatchObject({ name: 'StoreError', code: 'E_NO_BUCKET', kind: 'dir', key, location: typo });
        expect((e as Error).message).toBe(`cannot write "${key}": there is no folder ${typo}, and a directory store does not create its own folder`);
      }
      await writeFile(join(dir, 'a-file'), 'x');
      await expect(dirStore(join(dir, 'a-file')).put('k', 'x', { contentType: 'text/plain' })).rejects.toMatchObject({
        code: 'E_NO_BUCKET',
        message: `cannot write "k": ${join(dir, 'a-file')} is a file, not a folder`,
      });
      await expect(dirStore(join(dir, 'a-file', 'under')).put('k', 'x', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'E_NO_BUCKET' });
      expect((await readdir(dir)).sort()).toEqual(['a-file']);
      await writeHeartbeat(dirStore(dir), 'team/deep/t', { now: new Date(1795488696000) });
      expect(await readdir(join(dir, 'team', 'deep'))).toEqual(['t-beat.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('requireFolder: the error a first write would give, before any write; an S3 store is not asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const typo = join(dir, 'bukcet');
      const e = await requireFolder(dirStore(typo), 't-beat.json').catch((err: unknown) => err);
      expect(e).toMatchObject({ name: 'StoreError', code: 'E_NO_BUCKET', kind: 'dir', key: 't-beat.json', location: typo });
      const put = await dirStore(typo).put('t-beat.json', '{}', { contentType: 'application/json' }).catch((err: unknown) => err);
      expect((e as Error).message).toBe((put as Error).message);
      await writeFile(join(dir, 'a-file'), 'x');
      await expect(requireFolder(dirStore(join(dir, 'a-file')), 'k')).rejects.toMatchObject({ code: 'E_NO_BUCKET' });
      await expect(requireFolder(dirStore(dir), 'k')).resolves.toBeUndefined();
      expect(await readdir(dir)).toEqual(['a-file']);
      // No request: an endpoint where nothing listens would fail one.
      await expect(requireFolder(s3Store({ bucket: 'b', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 }), 'k')).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('objects are plain files with the object names; "/" makes folders; no temp or lock files stay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      expect(store.kind).toBe('dir');
      expect(store.location).toBe(dir);
      await writeHeartbeat(store, 'db backup', { now: new Date(1795488696000) });
      await writeHeartbeat(store, 'team/nightly', { now: new Date(1795488696000) });
      expect(await readFile(join(dir, 'db backup-beat.json'), 'utf8')).toBe(
        '{"date":"Tue, 24 Nov 2026 02:51:36 +0000","seconds":1795488696}',
      );
      expect((await readdir(dir)).sort()).toEqual(['db backup-beat.json', 'team']);
      expect(await readdir(join(dir, 'team'))).toEqual(['nightly-beat.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the etag comes from a stat (inode, size, mtime): put, get, list and conditional writes agree; the same bytes again give a new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      const { etag } = await store.put('x.txt', 'hello', { contentType: 'text/plain' });
      const st = await stat(join(dir, 'x.txt'), { bigint: true });
      expect(etag).toBe(`"${st.ino.toString(16)}-5-${st.mtimeNs.toString(16)}"`);
      expect((await store.get('x.txt'))?.etag).toBe(etag);
      const listed = [];
      for await (const o of store.list('x')) listed.push(o);
      expect(listed).toEqual([{ key: 'x.txt', etag, size: 5, lastModified: (await store.get('x.txt'))?.lastModified }]);
      const again = await store.put('x.txt', 'hello', { contentType: 'text/plain', ifMatch: etag });
      expect(again.etag).not.toBe(etag);
      expect((await store.get('x.txt'))?.etag).toBe(again.etag);
      await expect(store.put('x.txt', 'late', { contentType: 'text/plain', ifMatch: etag })).rejects.toMatchObject({ code: 'E_PRECONDITION' });
      // Many versions of one size in a row: never an etag seen before (a freed inode may come back).
      const seen = new Set([etag, again.etag]);
      let last = again.etag;
      for (let i = 0; i < 30; i++) {
        last = (await store.put('x.txt', 'hello', { contentType: 'text/plain', ifMatch: last })).etag;
        expect(seen.has(last)).toBe(false);
        seen.add(last);
      }
      await writeFile(join(dir, 'y.json'), '{}');
      expect((await store.get('y.json'))?.contentType).toBe('application/json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('links are followed as get follows them (files and folders), a link cycle ends, a dangling link is nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'svcmon-dir-real-'));
    try {
      const store = dirStore(dir);
      const now = { now: new Date(1795488696000) };
      await writeHeartbeat(dirStore(elsewhere), 'real', now);
      await writeHeartbeat(dirStore(elsewhere), 'team/inner', now);
      await symlink(join(elsewhere, 'real-beat.json'), join(dir, 'linked-beat.json'));
      await symlink(join(elsewhere, 'team'), join(dir, 'team'));
      await symlink(dir, join(dir, 'loop')); // a folder that holds itself
      await symlink(join(dir, 'nowhere'), join(dir, 'dangling-beat.json'));
      const listed = new Map<string, ListedObject>();
      for await (const o of store.list('')) listed.set(o.key, o);
      expect([...listed.keys()].filter((k) => !k.startsWith('loop'))).toEqual(['linked-beat.json', 'team', 'team/inner-beat.json']);
      expect(listed.get('team')?.unreadable).toBe('folder');
      // The cycle is walked once: its keys end.
      expect([...listed.keys()].filter((k) => k.startsWith('loop'))).toEqual(['loop']);
      for (const key of ['linked-beat.json', 'team/inner-beat.json']) {
        const obj = await store.get(key);
        expect(listed.get(key)).toMatchObject({ etag: obj?.etag, size: obj?.body.length });
      }
      expect(await readHeartbeat(store, 'linked')).toMatchObject({ seconds: 1795488696 });
      expect(await store.get('dangling-beat.json')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('with delimiter: linked folders, a link cycle, a FIFO, empty folders and folders of lock or temp files only, as the full listing rolled up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'svcmon-dir-real-'));
    try {
      const store = dirStore(dir);
      await writeHeartbeat(dirStore(elsewhere), 'team/inner', { now: new Date(1795488696000) });
      await symlink(join(elsewhere, 'team'), join(dir, 'team'));
      await symlink(dir, join(dir, 'loop'));
      await mkdir(join(dir, 'a/empty'), { recursive: true });
      await mkdir(join(dir, 'a/locks'));
      await writeFile(join(dir, 'a/locks/.x-beat.json.lock'), '');
      await writeFile(join(dir, 'a/locks/.x-beat.json.123.0123abcd.tmp'), '');
      await mkdir(join(dir, 'a/dangling'));
      await symlink(join(dir, 'nowhere'), join(dir, 'a/dangling/x-beat.json'));
      await mkdir(join(dir, 'a/pipes'));
      expect(spawnSync('mkfifo', [join(dir, 'a/pipes/p-beat.json')]).status).toBe(0);
      await mkdir(join(dir, 'a/nested/only-a-folder'), { recursive: true });
      await store.put('a/file-beat.json', '{}', { contentType: 'application/json' });
      const shown = async (prefix: string) => (await oneLevel(store, prefix)).map((e) => ('folder' in e ? e.key : e.unreadable === undefined ? e.key : `${e.key} (${e.unreadable})`));
      expect(await shown('')).toEqual(['a (folder)', 'a/', 'loop (folder)', 'team (folder)', 'team/']);
      expect(await shown('a/')).toEqual([
        'a/dangling (folder)',
        'a/empty (folder)',
        'a/file-beat.json',
        'a/locks (folder)',
        'a/nested (folder)',
        'a/nested/',
        'a/pipes (folder)',
        'a/pipes/',
      ]);
      expect(await shown('team/')).toEqual(['team/inner-beat.json']);
      // Through the link back up: what the full listing names there (nothing below the cycle).
      expect(await shown('loop/')).toEqual([]);
      for (const prefix of ['', 'a/', 'a/p', 'a/pipes/', 'a/nested/', 'team/', 'loop/', 'loop/a/', 'no/such/']) {
        expect(await oneLevel(store, prefix)).toEqual(await rolledUp(store, prefix));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('a listing only stats: a 3 GiB (sparse) file is listed with its size, and refused by a bounded get', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      await truncate(join(dir, 'huge.bin'), 3 * 1024 ** 3).catch(async () => {
        await writeFile(join(dir, 'huge.bin'), '');
        await truncate(join(dir, 'huge.bin'), 3 * 1024 ** 3);
      });
      const listed = [];
      for await (const o of store.list('')) listed.push(o);
      expect(listed).toMatchObject([{ key: 'huge.bin', size: 3 * 1024 ** 3 }]);
      await expect(store.get('huge.bin', { maxBytes: 65536 })).rejects.toMatchObject({ code: 'E_TOO_LARGE', key: 'huge.bin' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a FIFO, a socket or a folder at a key: get refuses it at once naming the path, the listing names it unreadable, a write refuses a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    const server = createServer();
    try {
      const store = dirStore(dir);
      expect(spawnSync('mkfifo', [join(dir, 'pipe-beat.json')]).status).toBe(0);
      await new Promise<void>((resolve) => server.listen(join(dir, 'sock-beat.json'), resolve));
      await mkdir(join(dir, 'folder-beat.json'));
      await expect(store.get('pipe-beat.json')).rejects.toMatchObject({
        code: 'E_IO',
        key: 'pipe-beat.json',
        message: `"pipe-beat.json" in ${dir} is a FIFO (named pipe), not a regular file (move it away)`,
      });
      await expect(store.get('sock-beat.json')).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('is a socket, not a regular file') });
      await expect(store.get('folder-beat.json')).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('is a directory, not a file (move it away') });
      await expect(store.put('folder-beat.json', '{}', { contentType: 'application/json' })).rejects.toMatchObject({
        code: 'E_IO',
        message: `"folder-beat.json" in ${dir} is a directory, not a file (move it away, or remove it if it is empty)`,
      });
      await expect(store.put('pipe-beat.json', '{}', { contentType: 'application/json', ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'E_IO' });
      const listed = [];
      for await (const o of store.list('')) listed.push([o.key, o.unreadable]);
      expect(listed).toEqual([
        ['folder-beat.json', 'folder'],
        ['pipe-beat.json', 'special'],
        ['sock-beat.json', 'special'],
      ]);
      expect(await readdir(dir)).toHaveLength(3); // no temp or lock file left behind
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a lock without a holder (an older svcmon) counts by its age: waited for, then E_LOCKED naming the file; broken once stale', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.a.txt.lock'), '');
      const patient = dirStore(dir, { staleLockMs: 60_000, lockTimeoutMs: 200 });
      const e = await patient.put('a.txt', 'x', { contentType: 'text/plain' }).catch((err: unknown) => err);
      expect(e).toMatchObject({ name: 'StoreError', code: 'E_LOCKED', key: 'a.txt', kind: 'dir' });
      expect((e as Error).message).toContain(`The lock is ${join(dir, '.a.txt.lock')}`);
      expect((e as Error).message).toMatch(/counts as abandoned at \d{4}-\d\d-\d\dT/);
      const breaker = dirStore(dir, { staleLockMs: 0 });
      await breaker.put('a.txt', 'x', { contentType: 'text/plain' });
      expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('x');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a lock names its holder; a live holder is waited for and named; a holder that is gone is taken over at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const lock = join(dir, '.a.txt.lock');
      await mkdir(dir, { recursive: true });
      // Live: this very process, on this host.
      await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-11-24T02:51:36.000Z' }));
      const e = await dirStore(dir, { lockTimeoutMs: 100 }).put('a.txt', 'x', { contentType: 'text/plain' }).catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 'E_LOCKED' });
      expect((e as Error).message).toContain(`locked by process ${process.pid} on ${hostname()}, since 2026-11-24T02:51:36.000Z`);
      expect((e as Error).message).toContain(`it is safe to delete once process ${process.pid} on ${hostname()} has ended`);
      // Gone: a process that ran and ended. Taken over although the lock is fresh and the wait is short.
      const ended = spawnSync(process.execPath, ['-e', '0']);
      await writeFile(lock, JSON.stringify({ pid: ended.pid, host: hostname(), since: new Date().toISOString() }));
      // What it was writing when it died goes with its lock; another object's or process's stays.
      const others = [`.b.txt.${ended.pid}.0123abcd.tmp`, `.a.txt.${process.pid}.0123abcd.tmp`];
      for (const f of [`.a.txt.${ended.pid}.89abcdef.tmp`, `.a.txt.lock.${ended.pid}.01234567.tmp`, ...others]) await writeFile(join(dir, f), 'half');
      await dirStore(dir, { lockTimeoutMs: 0, staleLockMs: 3_600_000 }).put('a.txt', 'y', { contentType: 'text/plain' });
      expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('y');
      expect((await readdir(dir)).sort()).toEqual([...others, 'a.txt'].sort());
      for (const f of others) await rm(join(dir, f));
      // Another host's live-looking lock cannot be checked: only its age counts.
      await writeFile(lock, JSON.stringify({ pid: ended.pid, host: 'elsewhere.example', since: new Date().toISOString() }));
      await expect(dirStore(dir, { lockTimeoutMs: 50 }).put('a.txt', 'z', { contentType: 'text/plain' })).rejects.toMatchObject({
        code: 'E_LOCKED',
        message: expect.stringContaining(`process ${ended.pid} on elsewhere.example`),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('while a write holds the lock, the lock file says who (pid, host, time)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const script = `
        const { dirStore } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
        const fs = process.getBuiltinModule('node:fs');
        const store = dirStore(process.argv[1]);
        const real = fs.rename;
        // Read the lock at the moment the write renames its temp file into place.
        fs.rename = (a, b, cb) => { process.stdout.write(fs.readFileSync(process.argv[1] + '/.seen.txt.lock', 'utf8')); real(a, b, cb); };
        await store.put('seen.txt', 'c', { contentType: 'text/plain' });`;
      const out = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dir]);
      const holder = JSON.parse(out.stdout) as { pid: number; host: string; since: string };
      expect(holder.host).toBe(hostname());
      expect(Number.isSafeInteger(holder.pid) && holder.pid !== process.pid).toBe(true);
      expect(Number.isNaN(Date.parse(holder.since))).toBe(false);
      expect(await readdir(dir)).toEqual(['seen.txt']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('kill -9 at random moments of edits never blocks the next edit by more than a second on this host', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-kill-'));
    const seed = Number(process.env.SVCMON_KILL_SEED ?? Date.now() % 100_000);
    let state = (seed % 2147483646) + 1;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    console.log(`kill -9 test: seed ${seed} (replay with SVCMON_KILL_SEED=${seed})`);
    const worker = new URL('./workers/count-worker.mjs', import.meta.url).pathname;
    const dist = new URL('../dist/index.js', import.meta.url).href;
    try {
      // A store that waits at most one second and counts a lock as stale only after an hour:
      // only taking over the dead writer's lock at once lets the next edit through.
      const next = dirStore(dir, { lockTimeoutMs: 1_000, staleLockMs: 3_600_000 });
      let lastN = 0;
      for (let round = 0; round < 12; round++) {
          const child = spawn(process.execPath, [worker, dist, dir, '100000', '{}', 'progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
        // Wait for the child's first edits, then kill it at a random moment of one.
        await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()).on('close', () => resolve()));
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('close', r));
        const r = await updateObject(
          next,
          'counter.json',
          (o) => (o === null ? { n: 0, by: [] as number[] } : (JSON.parse(o.body.toString('utf8')) as { n: number; by: number[] })),
          (c) => ({ write: JSON.stringify({ n: c.n + 1, by: c.by.slice(-3).concat(-round) }), result: c.n + 1 }),
          { put: { contentType: 'application/json' } },
        );
        expect(r.result, `round ${round} (seed ${seed})`).toBeGreaterThan(lastN);
        lastN = r.result;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('conditional writes are exact across processes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      const { etag } = await store.put('shared.txt', 'base', { contentType: 'text/plain' });
      const distIndex = new URL('../dist/index.js', import.meta.url).pathname;
      const script = `
        const { dirStore } = await import(${JSON.stringify(distIndex)});
        const store = dirStore(process.argv[1]);
        try { await store.put('shared.txt', 'writer ' + process.pid, { contentType: 'text/plain', ifMatch: process.argv[2] }); console.log('won'); }
        catch (e) { console.log(e.code); }`;
      const run = promisify(execFile);
      const outs = await Promise.all(
        Array.from({ length: 4 }, () => run(process.execPath, ['--input-type=module', '-e', script, dir, etag])),
      );
      const lines = outs.map((o) => o.stdout.trim()).sort();
      expect(lines).toEqual(['E_PRECONDITION', 'E_PRECONDITION', 'E_PRECONDITION', 'won']);
      expect((await store.get('shared.txt'))?.body.toString()).toMatch(/^writer \d+$/);
      expect(heartbeatKey('x')).toBe('x-beat.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000); // four Node processes starting at once on a loaded machine
});
