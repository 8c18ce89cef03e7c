import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { dirStore, isStoreError, openStore, StoreError } from '../src/index.js';

describe('openStore', () => {
  test.each([
    ['my-bucket', 's3', 's3://my-bucket/'],
    ['golden', 's3', 's3://golden/'],
    ['s3://my-bucket', 's3', 's3://my-bucket/'],
    ['s3://my-bucket/', 's3', 's3://my-bucket/'],
    ['s3://my-bucket/team/a', 's3', 's3://my-bucket/team/a/'],
    ['s3://my-bucket/team/a/', 's3', 's3://my-bucket/team/a/'],
    ['./state', 'dir', resolve('state')],
    ['.state', 'dir', resolve('.state')],
    ['/var/lib/svcmon', 'dir', '/var/lib/svcmon'],
    ['state/sub', 'dir', resolve('state/sub')],
    ['file:///tmp/svcmon%20state', 'dir', '/tmp/svcmon state'],
    ['~/svcmon', 'dir', join(homedir(), 'svcmon')],
  ])('%s → %s %s', (where, kind, location) => {
    const store = openStore(where);
    expect(store.kind).toBe(kind);
    expect(store.location).toBe(location);
  });

  test.each(['', '   ', 's3://', 's3:///prefix', 's3://bad bucket/x', 'http://example.com/bucket', 'bad bucket', 'a:b'])(
    '%j is E_BAD_WHERE',
    (where) => {
      const err = (() => {
        try {
          openStore(where);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'E_BAD_WHERE' });
      expect(isStoreError(err)).toBe(true);
    },
  );

  test('a store passes through unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-where-'));
    try {
      const store = dirStore(dir);
      expect(openStore(store)).toBe(store);
      await openStore(pathToFileURL(dir).href).put('x.txt', 'x', { contentType: 'text/plain' });
      expect((await store.get('x.txt'))?.body.toString()).toBe('x');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('isStoreError recognises an error from another copy of the library', () => {
    const foreign = Object.assign(new Error('x'), { name: 'StoreError', code: 'E_IO' });
    expect(isStoreError(foreign)).toBe(true);
    expect(isStoreError(new Error('x'))).toBe(false);
    expect(isStoreError(null)).toBe(false);
  });
});
