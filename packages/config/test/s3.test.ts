// The same edits against a real S3-protocol server (s3rver behind the
// testkit proxy, which checks signatures and enforces conditional PUTs).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, s3Store, type Store } from '@svcmon/store';
import { startS3, type S3TestServer } from '@svcmon/testkit';
import { getTask, isConfigError, setHtml, setTask } from '../src/index.js';
import { FIXTURES } from './_helpers.js';
import { REPLAY } from './_replay.js';

let s3: S3TestServer;

function storeFor(bucket: string): Store {
  return s3Store({
    bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: s3.credentials,
  });
}

beforeAll(async () => {
  s3 = await startS3({ buckets: ['golden', 'fresh', { name: 'noacl', rejectAcl: true }] });
});
afterAll(() => s3?.stop());

describe('replay of the original edit sequence on s3rver', () => {
  let store: Store;
  beforeAll(async () => {
    store = storeFor('golden');
    await store.put('config.rktd', await readFile(path.join(FIXTURES, '00-seed.rktd')), { contentType: 'application/data' });
  });

  it.each(REPLAY.map(([file, step], i) => [i + 1, file, step] as const))('step %i → %s', async (_i, file, step) => {
    const result = await step(store);
    expect(result.changed).toBe(true);
    const expected = await readFile(path.join(FIXTURES, file));
    const actual = await s3.rawGet('golden', 'config.rktd');
    expect(actual.status).toBe(200);
    expect(actual.body.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual.headers['content-type']).toBe('application/data');
  });

  it('every config write was conditional (If-Match on the etag read)', () => {
    const puts = s3.requests.filter((r) => r.method === 'PUT' && r.bucket === 'golden' && r.key === 'config.rktd');
    expect(puts).toHaveLength(REPLAY.length + 1); // + the seed
    for (const put of puts.slice(1)) expect(put.headers['if-match']).toMatch(/^"[0-9a-f]+"$/);
  });

  it('uploaded the dashboard with content types and public-read', async () => {
    const types: Record<string, string> = {
      'index.html': 'text/html; charset=utf-8',
      'style.css': 'text/css',
      'script.js': 'text/javascript',
    };
    for (const [key, type] of Object.entries(types)) {
      const obj = await s3.rawGet('golden', key);
      expect(obj.status).toBe(200);
      expect(obj.headers['content-type']).toBe(type);
      const put = s3.requests.findLast((r) => r.method === 'PUT' && r.bucket === 'golden' && r.key === key);
      expect(put?.headers['x-amz-acl']).toBe('public-read');
    }
    const html = (await s3.rawGet('golden', 'index.html')).body.toString('utf8');
    expect(html).toContain('<title>Example Service Monitor</title>');
    expect(html).toContain('data-task="nightly-build"');
    expect(html).not.toContain('data-task="weekly-report"');
  });
});

describe('an empty bucket', () => {
  it('get/set fail without force; set-html with force creates config and dashboard', async () => {
    const store = storeFor('fresh');
    const e = await setHtml(store, { title: 'Example Service Monitor' }).catch((err: unknown) => err);
    expect(isConfigError(e) && e.code === 'E_NO_CONFIG' && e.fn === 'set-html').toBe(true);
    expect((await s3.rawGet('fresh', 'config.rktd')).status).toBe(404);

    const r = await setHtml(store, { title: 'Example Service Monitor' }, { force: true });
    expect(r.changed).toBe(true);
    const created = s3.requests.findLast((q) => q.method === 'PUT' && q.bucket === 'fresh' && q.key === 'config.rktd');
    expect(created?.headers['if-none-match']).toBe('*');
    expect((await s3.rawGet('fresh', 'config.rktd')).body.toString()).toBe(
      '#hash((html . #hash((title . "Example Service Monitor"))))\n',
    );
    expect((await s3.rawGet('fresh', 'index.html')).status).toBe(200);
  });

  it('a bucket that rejects ACLs still gets its dashboard (uploaded without ACL)', async () => {
    const warnings: string[] = [];
    const store = s3Store({
      bucket: 'noacl',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: s3.credentials,
      onWarning: (m) => warnings.push(m),
    });
    await setTask(store, { name: 'backup', period: 86400 }, { force: true });
    expect(await getTask(store, 'backup')).toEqual({ name: 'backup', period: 86400 });
    expect((await s3.rawGet('noacl', 'index.html')).status).toBe(200);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
  });

  it('a conditional write that keeps failing ends in E_CONFLICT, naming the function', async () => {
    const store = storeFor('fresh');
    const before = (await s3.rawGet('fresh', 'config.rktd')).body.toString();
    s3.injectFault({
      match: (r) => r.method === 'PUT' && r.bucket === 'fresh' && r.key === 'config.rktd',
      status: 412,
      code: 'PreconditionFailed',
    });
    try {
      const e = await setTask(store, { name: 'x' }, { editAttempts: 3 }).catch((err: unknown) => err);
      expect(isConfigError(e)).toBe(true);
      expect(e).toMatchObject({ code: 'E_CONFLICT', fn: 'set-task' });
      expect((e as Error).message).toContain('gave up after 3 tries');
      const conflict = (e as Error).cause as Error;
      expect(conflict).toMatchObject({ name: 'StoreError', code: 'E_CONFLICT', key: 'config.rktd' });
      expect(conflict.cause).toMatchObject({ name: 'StoreError', code: 'E_PRECONDITION' });
    } finally {
      s3.clearFaults();
    }
    expect((await s3.rawGet('fresh', 'config.rktd')).body.toString()).toBe(before);
  });

  it('takes a store that openStore opened with its options', async () => {
    const options = { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3.credentials };
    expect(await getTask(openStore('golden', options), 'nightly-build')).toEqual({ name: 'nightly-build', period: 86400 });
    expect(await getTask(openStore('s3://golden', options), 'weekly-report')).toBeNull();
  });
});
