// config.rktd is read at most MAX_CONFIG_BYTES: an edit of a bigger one fails with a clear error
// naming the key and the bound and writes nothing, on a directory and on s3rver (the huge file a
// sparse one: the directory's, or s3rver's own through the testkit).
import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_KEY, dirStore, MAX_CONFIG_BYTES, s3Store, type Store } from '@svcmon/store';
import { startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTask, setTask } from '../src/index.js';

let s3: S3TestServer;
let dir: string;
beforeAll(async () => {
  s3 = await startS3({ buckets: ['huge'] });
  dir = await mkdtemp(path.join(tmpdir(), 'svcmon-config-bounds-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const targets: Array<[string, () => Promise<Store>]> = [
  [
    'directory',
    async () => {
      const store = dirStore(dir);
      await store.put(CONFIG_KEY, '', { contentType: 'application/data' });
      await truncate(path.join(dir, CONFIG_KEY), MAX_CONFIG_BYTES + 1);
      return store;
    },
  ],
  [
    's3rver',
    async () => {
      await s3.writeObjects('huge', [{ key: CONFIG_KEY, body: { zeros: MAX_CONFIG_BYTES + 1 }, contentType: 'application/data' }]);
      return s3Store({ bucket: 'huge', endpoint: s3.endpoint, credentials: s3.credentials });
    },
  ],
];

describe.each(targets)('a config.rktd over MAX_CONFIG_BYTES on a %s store', (_kind, open) => {
  it('set-task and get-task fail naming config.rktd and the bound; nothing is written', async () => {
    const store = await open();
    // Its etag from a listing (reading 32 MiB back is not the point).
    const etag = async () => {
      for await (const o of store.list(CONFIG_KEY)) if (o.key === CONFIG_KEY) return o.etag;
      return undefined;
    };
    const before = await etag();
    expect(before).toBeDefined();
    for (const attempt of [() => setTask(store, { name: 'new', period: 60 }), () => getTask(store, 'new')]) {
      const e = await attempt().catch((err: unknown) => err);
      expect(e).toMatchObject({ name: 'StoreError', code: 'E_BAD_CONFIG', key: CONFIG_KEY });
      expect((e as Error).message).toContain(`${MAX_CONFIG_BYTES + 1} bytes`);
      expect((e as Error).message).toContain(`at most ${MAX_CONFIG_BYTES / 1048576} MiB`);
    }
    expect(await etag()).toBe(before);
    expect(await store.get('index.html')).toBeNull();
  });
});

it('an edit that leaves the config as it is writes nothing, even from a file not in the canonical form', async () => {
  const store = dirStore(await mkdtemp(path.join(dir, 'same-')));
  const text = '#hash(  (tasks . (#hash((period . 60) (name . "a")))))\n';
  await store.put(CONFIG_KEY, text, { contentType: 'application/data' });
  const result = await setTask(store, { name: 'a', period: 60 });
  expect(result.changed).toBe(false);
  expect(await readFile(path.join(store.location, CONFIG_KEY), 'utf8')).toBe(text);
});
