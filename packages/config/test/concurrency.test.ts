// No lost edits: 20 separate processes each add their own task at the same
// time, to a directory store and to s3rver; every one must survive.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, readConfig, s3Store, type Store } from '@svcmon/store';
import { runNode, startS3, type NodeRun, type S3TestServer } from '@svcmon/testkit';
import { PACKAGE_DIR, tempDir } from './_helpers.js';

const WRITERS = 20;
const DIST = path.join(PACKAGE_DIR, 'dist', 'index.js');
const WORKER = path.join(PACKAGE_DIR, 'test', 'workers', 'edit-worker.mjs');

/** `options`: the edit's own and, under `store`, what the worker passes to openStore. */
function runWorker(where: string, name: string, options: object): Promise<NodeRun> {
  return runNode([WORKER, pathToFileURL(DIST).href, where, name, JSON.stringify(options)]);
}

async function runAll(where: string, options: object): Promise<void> {
  const names = Array.from({ length: WRITERS }, (_, i) => `job-${String(i).padStart(2, '0')}`);
  const results = await Promise.all(names.map((n) => runWorker(where, n, options)));
  for (const r of results) {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ changed: true });
  }
}

async function expectAll(store: Store, indexHtml: string): Promise<void> {
  const found = await readConfig(store);
  const names = (found?.config.tasks ?? []).map((t) => t.name).sort();
  expect(names).toEqual(Array.from({ length: WRITERS }, (_, i) => `job-${String(i).padStart(2, '0')}`));
  // The dashboard converged on the final config too.
  for (const name of names) expect(indexHtml).toContain(`data-task="${name}"`);
}

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error(`build @svcmon/config first (pnpm --filter @svcmon/config build): ${DIST} is missing`);
});

describe(`${WRITERS} concurrent edits from separate processes`, () => {
  it('directory store: all present', async () => {
    const { dir, cleanup } = await tempDir('svcmon-race-');
    try {
      await runAll(dir, { force: true });
      await expectAll(dirStore(dir), await readFile(path.join(dir, 'index.html'), 'utf8'));
    } finally {
      await cleanup();
    }
  }, 120_000);

  describe('s3rver', () => {
    let s3: S3TestServer;
    beforeAll(async () => {
      s3 = await startS3({ buckets: ['race'] });
    });
    afterAll(() => s3?.stop());

    it('all present, with conflicts detected and retried', async () => {
      const storeOptions = { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3.credentials };
      await runAll('s3://race', { force: true, store: storeOptions });
      const store = s3Store({ bucket: 'race', ...storeOptions });
      await expectAll(store, (await s3.rawGet('race', 'index.html')).body.toString('utf8'));
      const conflicts = s3.requests.filter((r) => r.method === 'PUT' && r.key === 'config.rktd' && r.status === 412);
      expect(conflicts.length).toBeGreaterThan(0);
      console.log(`s3rver: ${conflicts.length} conditional writes lost a race and were retried`);
    }, 120_000);
  });
});
