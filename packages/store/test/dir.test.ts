import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { dirStore, heartbeatKey, writeHeartbeat } from '../src/index.js';
import { storeSuite } from './store-suite.js';

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
      for await (const o of store.list('')) keys.push(o.key);
      expect(keys).toEqual(['.dotted key', 'a-beat.json', 'sub/b-beat.json']);
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

  test('the etag is the md5 of the content, as S3 computes it for a simple upload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      const store = dirStore(dir);
      const { etag } = await store.put('x.txt', 'hello', { contentType: 'text/plain' });
      expect(etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
      await writeFile(join(dir, 'y.json'), '{}');
      expect((await store.get('y.json'))?.contentType).toBe('application/json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a stale lock left by a crashed writer is broken; a live one makes writers wait, then time out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-dir-'));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.a.txt.lock'), '');
      const patient = dirStore(dir, { staleLockMs: 60_000, lockTimeoutMs: 200 });
      await expect(patient.put('a.txt', 'x', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
      const breaker = dirStore(dir, { staleLockMs: 0 });
      await breaker.put('a.txt', 'x', { contentType: 'text/plain' });
      expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('x');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

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
  });
});
