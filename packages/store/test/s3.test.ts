import { startS3, type S3TestServer } from '@svcmon/testkit';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CONFIG_KEY,
  heartbeatKey,
  maxTimeoutMs,
  openStore,
  readHeartbeat,
  s3Store,
  writeConfig,
  writeHeartbeat,
  type Store,
  type StoreOptions,
} from '../src/index.js';
import { storeSuite } from './store-suite.js';

// Both ways of talking to S3: the built-in light client (static credentials)
// and the AWS SDK.
for (const useSdk of [false, true]) {
const via = useSdk ? 'AWS SDK' : 'light client';

storeSuite(`s3 via ${via} (s3rver behind a SigV4-checking proxy)`, async () => {
  const s3 = await startS3({ buckets: ['suite'] });
  return {
    store: s3Store({ bucket: 'suite', endpoint: s3.endpoint, credentials: s3.credentials, useSdk }),
    stop: () => s3.stop(),
  };
});

storeSuite(`s3 via ${via} with a key prefix, region EU`, async () => {
  const s3 = await startS3({ buckets: [{ name: 'shared', location: 'EU' }] });
  return {
    store: openStore('s3://shared/monitors/team a/', { endpoint: s3.endpoint, credentials: s3.credentials, useSdk }),
    stop: () => s3.stop(),
  };
});

describe(`s3 store via ${via}`, () => {
  let s3: S3TestServer;
  let opts: StoreOptions;
  beforeAll(async () => {
    s3 = await startS3({
      buckets: [
        'plain',
        { name: 'europe', location: 'EU' },
        { name: 'frankfurt', location: 'eu-central-1' },
        { name: 'owner-enforced', rejectAcl: true },
        { name: 'prefixed' },
      ],
    });
    opts = { endpoint: s3.endpoint, credentials: s3.credentials, useSdk };
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const locationRequests = (bucket: string) =>
    s3.requests.filter((r) => r.bucket === bucket && r.key === '' && 'location' in r.query).length;

  test('region discovery: empty → us-east-1, EU → eu-west-1, else the constraint; asked once per bucket', async () => {
    for (const [bucket, region] of [
      ['plain', 'us-east-1'],
      ['europe', 'eu-west-1'],
      ['frankfurt', 'eu-central-1'],
    ] as const) {
      const before = s3.requests.length;
      const store = openStore(bucket, opts);
      await writeHeartbeat(store, 'discover');
      await readHeartbeat(store, 'discover');
      // a second store for the same bucket reuses the answer
      await readHeartbeat(openStore(bucket, opts), 'discover');
      expect(locationRequests(bucket)).toBe(1);
      const data = s3.requests.slice(before).filter((r) => r.key !== '');
      expect(data.length).toBeGreaterThanOrEqual(3);
      for (const r of data) expect(r.signingRegion).toBe(region);
    }
  });

  test('an explicit region skips discovery; a wrong one with a custom endpoint is E_WRONG_REGION naming the right one', async () => {
    await s3.createBucket('explicit', { location: 'eu-central-1' });
    await writeHeartbeat(openStore('explicit', { ...opts, region: 'eu-central-1' }), 'x');
    expect(locationRequests('explicit')).toBe(0);
    const before = s3.requests.length;
    const wrong = openStore('explicit', { ...opts, region: 'us-west-2' });
    const err = await writeHeartbeat(wrong, 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'E_WRONG_REGION', region: 'eu-central-1', kind: 's3' });
    expect((err as Error).message).toContain('the bucket is in region eu-central-1, not us-west-2');
    expect((err as { cause?: { name?: string } }).cause?.name).toBe('AuthorizationHeaderMalformed');
    // Not retried: one refused request.
    const sent = s3.requests.slice(before);
    expect(sent.map((r) => [r.status, r.signingRegion])).toEqual([[400, 'us-west-2']]);
  });

  test('a key prefix puts every object under it', async () => {
    const store = openStore('s3://prefixed/team-a', opts);
    expect(store.location).toBe('s3://prefixed/team-a/');
    await writeHeartbeat(store, 'backup');
    await writeConfig(store, { tasks: [{ name: 'backup' }] });
    expect((await s3.rawGet('prefixed', 'team-a/backup-beat.json')).status).toBe(200);
    expect((await s3.rawGet('prefixed', `team-a/${CONFIG_KEY}`)).body.toString()).toBe(
      '#hash((tasks . (#hash((name . "backup")))))\n',
    );
    expect((await s3.rawGet('prefixed', 'backup-beat.json')).status).toBe(404);
    expect(await readHeartbeat(openStore('s3://prefixed/team-b/', opts), 'backup')).toBeNull();
  });

  test('a listing keeps to the store prefix and answers keys without it; one LIST request per page, counted', async () => {
    await s3.createBucket('listed');
    const inner = openStore('s3://listed/team a/', opts);
    const outer = openStore('listed', opts);
    for (const n of ['b', 'a b', 'ü?#%"', 'x/y']) await writeHeartbeat(inner, n);
    await writeHeartbeat(outer, 'outside');
    await writeHeartbeat(outer, 'team ab');
    s3.resetCounts();
    const keys = [];
    for await (const o of inner.list('', { pageSize: 2 })) keys.push(o.key);
    expect(keys).toEqual(['a b-beat.json', 'b-beat.json', 'x/y-beat.json', 'ü?#%"-beat.json']);
    expect(s3.counts.LIST).toBe(2);
    expect(s3.counts.GET).toBe(0);
    const all = [];
    for await (const o of outer.list('')) all.push(o.key);
    expect(all).toEqual(['outside-beat.json', 'team a/a b-beat.json', 'team a/b-beat.json', 'team a/x/y-beat.json', 'team a/ü?#%"-beat.json', 'team ab-beat.json']);
  });

  test('a listing refused (a policy without s3:ListBucket: 403 AccessDenied) is E_LIST_DENIED, not retried', async () => {
    await s3.createBucket('no-list', { denyList: true });
    const store = openStore('no-list', opts);
    await writeHeartbeat(store, 'still readable');
    const before = s3.requests.length;
    const err = await (async () => {
      for await (const o of store.list('')) void o;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'E_LIST_DENIED', kind: 's3' });
    expect((err as Error).message).toContain('s3:ListBucket');
    expect(s3.requests.slice(before).map((r) => r.status)).toEqual([403]);
    expect(await readHeartbeat(store, 'still readable')).not.toBeNull();
    // As on AWS without s3:ListBucket, a missing key is a 403 too, not a 404.
    const at = s3.requests.length;
    await expect(store.get('never-beat.json')).rejects.toMatchObject({ code: 'E_ACCESS_DENIED', key: 'never-beat.json' });
    expect(s3.requests.slice(at).map((r) => [r.method, r.status])).toEqual([['GET', 403]]);
  });

  test('get with maxBytes stops reading a big object: E_TOO_LARGE, not retried', async () => {
    const store = openStore('plain', opts);
    await store.put('huge.json', Buffer.alloc(5 * 1024 * 1024, 0x20), { contentType: 'application/json' });
    const before = s3.requests.length;
    const err = await store.get('huge.json', { maxBytes: 4096 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'E_TOO_LARGE', key: 'huge.json' });
    expect((err as Error).message).toContain('at most 4096 bytes');
    expect(s3.requests.slice(before)).toHaveLength(1);
  });

  test('a heartbeat is application/json, public-read, Cache-Control max-age=60, public', async () => {
    const before = s3.requests.length;
    await writeHeartbeat(openStore('plain', opts), 'headers check');
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT');
    expect(put?.headers['x-amz-acl']).toBe('public-read');
    expect(put?.headers['content-type']).toBe('application/json');
    expect(put?.headers['cache-control']).toBe('max-age=60, public');
    const raw = await s3.rawGet('plain', heartbeatKey('headers check'));
    expect(raw.headers['content-type']).toBe('application/json');
    expect(raw.headers['cache-control']).toBe('max-age=60, public');
  });

  test('the config is application/data with no ACL', async () => {
    const before = s3.requests.length;
    await writeConfig(openStore('plain', opts), {});
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT');
    expect(put?.headers['x-amz-acl']).toBeUndefined();
    expect(put?.headers['content-type']).toBe('application/data');
  });

  test('a bucket that rejects ACLs still gets the heartbeat; the user is told once; later puts skip the ACL', async () => {
    const warnings: string[] = [];
    const store = openStore('owner-enforced', { ...opts, onWarning: (m) => warnings.push(m) });
    const before = s3.requests.length;
    await writeHeartbeat(store, 'first', { now: new Date(1795488696000) });
    await writeHeartbeat(store, 'second');
    await writeHeartbeat(store, 'third');
    expect((await s3.rawGet('owner-enforced', 'first-beat.json')).body.toString()).toBe(
      '{"date":"Tue, 24 Nov 2026 02:51:36 +0000","seconds":1795488696}',
    );
    expect(await readHeartbeat(store, 'third')).not.toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/owner-enforced/);
    expect(warnings[0]).toMatch(/AccessControlListNotSupported/);
    expect(warnings[0]).toMatch(/WITHOUT the public-read ACL/);
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.key, r.headers['x-amz-acl'] ?? null, r.status])).toEqual([
      ['first-beat.json', 'public-read', 400],
      ['first-beat.json', null, 200],
      ['second-beat.json', null, 200],
      ['third-beat.json', null, 200],
    ]);
  });

  test('concurrent uploads share the first refusal: one refused ACL request, one warning', async () => {
    await s3.createBucket(`no-acl-${useSdk}`, { rejectAcl: true });
    const warnings: string[] = [];
    const store = openStore(`no-acl-${useSdk}`, { ...opts, region: 'us-east-1', onWarning: (m) => warnings.push(m) });
    const before = s3.requests.length;
    await Promise.all(['pulse.json', 'pulse-badge.svg', 'index.html'].map((k) => store.put(k, 'x', { contentType: 'text/plain', publicRead: true })));
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts.filter((r) => r.headers['x-amz-acl'] !== undefined)).toHaveLength(1);
    expect(puts.map((r) => r.status).sort()).toEqual([200, 200, 200, 400]);
    expect(warnings).toHaveLength(1);
  });

  test('Block Public Access (403 AccessDenied to a public ACL): written without the ACL, warned once, later puts skip it', async () => {
    await s3.createBucket(`bpa-${useSdk}`, { blockPublicAcls: true });
    const warnings: string[] = [];
    const store = openStore(`bpa-${useSdk}`, { ...opts, region: 'us-east-1', onWarning: (m) => warnings.push(m) });
    const before = s3.requests.length;
    await Promise.all([writeHeartbeat(store, 'one'), writeHeartbeat(store, 'two')]);
    await writeHeartbeat(store, 'three');
    for (const t of ['one', 'two', 'three']) expect(await readHeartbeat(store, t)).not.toBeNull();
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.headers['x-amz-acl'] ?? null, r.status])).toEqual([
      ['public-read', 403],
      [null, 200],
      [null, 200],
      [null, 200],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refused the public-read ACL \(403 AccessDenied: Block Public Access/);
  });

  test('a 403 that is not about the ACL (the write is denied without it too) is E_ACCESS_DENIED, and no warning', async () => {
    const warnings: string[] = [];
    const store = openStore('plain', { ...opts, region: 'us-east-1', onWarning: (m) => warnings.push(m) });
    s3.injectFault({ match: (r) => r.bucket === 'plain' && r.key === 'locked-beat.json', status: 403, code: 'AccessDenied', times: 2 });
    await expect(writeHeartbeat(store, 'locked')).rejects.toMatchObject({ code: 'E_ACCESS_DENIED', key: 'locked-beat.json' });
    expect(warnings).toEqual([]);
    // The next upload tries the ACL again: nothing was learnt of the bucket.
    const before = s3.requests.length;
    await writeHeartbeat(store, 'open');
    expect(s3.requests.slice(before).map((r) => r.headers['x-amz-acl'] ?? null)).toEqual(['public-read']);
  });

  test('the default warning is one line on stderr', async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const store = openStore('owner-enforced', opts);
      await writeHeartbeat(store, 'a');
      await writeHeartbeat(store, 'b');
    } finally {
      process.stderr.write = write;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^svcmon: warning: .*public-read.*\n$/);
    expect(lines[0]?.split('\n')).toHaveLength(2);
  });

  test('publicRead: false sends no ACL at all', async () => {
    const warnings: string[] = [];
    const before = s3.requests.length;
    await writeHeartbeat(openStore('owner-enforced', { ...opts, publicRead: false, onWarning: (m) => warnings.push(m) }), 'quiet');
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.headers['x-amz-acl']).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  test('a missing bucket is E_NO_BUCKET naming the bucket', async () => {
    for (const store of [openStore('no-such-bucket', opts), openStore('plain-missing', { ...opts, region: 'us-east-1' })]) {
      const err = await writeHeartbeat(store, 'x').catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'StoreError', code: 'E_NO_BUCKET' });
      expect((err as Error).message).toMatch(/s3:\/\/(no-such-bucket|plain-missing)\//);
    }
    await expect(openStore('plain-missing', { ...opts, region: 'us-east-1' }).get('x')).rejects.toMatchObject({
      code: 'E_NO_BUCKET',
    });
  });

  test('wrong credentials are E_CREDENTIALS', async () => {
    const badSecret = openStore('plain', { ...opts, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'nope' } });
    const e1 = await badSecret.get('x').catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'E_CREDENTIALS' });
    expect((e1 as { cause?: { name?: string } }).cause?.name).toBe('SignatureDoesNotMatch');
    const badKey = openStore('plain', { ...opts, region: 'us-east-1', credentials: { accessKeyId: 'WHO', secretAccessKey: 'S3RVER' } });
    const e2 = await writeHeartbeat(badKey, 'x').catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'E_CREDENTIALS' });
    expect((e2 as { cause?: { name?: string } }).cause?.name).toBe('InvalidAccessKeyId');
    // region discovery with bad credentials fails the same way
    await expect(
      openStore('europe', { ...opts, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'nope' } }).get('x'),
    ).rejects.toMatchObject({ code: 'E_CREDENTIALS' });
  });

  test('a key no store can hold is refused before any request: 1024 bytes with the prefix, 225 a part', async () => {
    const store = openStore(`s3://prefixed/${'p'.repeat(100)}/`, { ...opts, region: 'us-east-1' });
    const part = 'k'.repeat(225);
    await store.put(`${part}/x`, 'fits', { contentType: 'text/plain' });
    expect((await store.get(`${part}/x`))?.body.toString()).toBe('fits');
    const before = s3.requests.length;
    // S3 takes a 226-byte part, but a directory the bucket is mirrored to cannot.
    await expect(store.put(`${part}k`, 'x', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'E_BAD_KEY', key: `${part}k` });
    const long = `${part}/`.repeat(4) + 'k'.repeat(1024 - 101 - 4 * 226 + 1);
    await expect(store.put(long, 'x', { contentType: 'text/plain' })).rejects.toThrow(/takes 1025 bytes \(UTF-8, with the prefix\), more than the 1024 an S3 key may take/);
    await expect(store.get(long)).rejects.toMatchObject({ code: 'E_BAD_KEY' });
    expect(s3.requests.length).toBe(before);
  });

  test('access denied, network failure and timeouts map to their codes', async () => {
    s3.injectFault({ match: (r) => r.bucket === 'plain' && r.key === 'denied', status: 403, code: 'AccessDenied', times: 1 });
    await expect(openStore('plain', opts).get('denied')).rejects.toMatchObject({ code: 'E_ACCESS_DENIED', key: 'denied' });
    const closed = openStore('plain', { ...opts, endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 });
    await expect(closed.get('x')).rejects.toMatchObject({ code: 'E_NETWORK' });
    s3.injectFault({ match: (r) => r.key === 'slow', delayMs: 1500, times: 1 });
    const impatient = openStore('plain', { ...opts, region: 'us-east-1', timeoutMs: 300, maxAttempts: 1 });
    await expect(impatient.get('slow')).rejects.toMatchObject({ code: 'E_TIMEOUT' });
  });

  test('the largest timeoutMs (maxTimeoutMs) still times each operation: a Node timer, not one that fires at once', async () => {
    // An operation's deadline is tries × timeoutMs + 5 s to connect, one setTimeout of at most 2147483647 ms.
    expect(maxTimeoutMs(3) * 3 + 5000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect((maxTimeoutMs(3) + 1) * 3 + 5000).toBeGreaterThan(2 ** 31 - 1);
    expect(maxTimeoutMs()).toBe(maxTimeoutMs(3));
    expect(maxTimeoutMs(1)).toBe(2 ** 31 - 1 - 5000);
    const patient = openStore('plain', { ...opts, region: 'us-east-1', timeoutMs: maxTimeoutMs(3), maxAttempts: 3 });
    await writeHeartbeat(patient, 'patient');
    expect(await readHeartbeat(patient, 'patient')).not.toBeNull();
  });

  test(`requests go through the ${via}`, async () => {
    const before = s3.requests.length;
    await writeHeartbeat(openStore('plain', opts), 'which client');
    const sent = s3.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent) expect(/aws-sdk-js/.test(String(r.headers['user-agent'] ?? ''))).toBe(useSdk);
  });

  test('a GET right after a PUT reads the whole object (the test server writes it before it answers)', async () => {
    const store: Store = openStore('plain', { ...opts, region: 'us-east-1' });
    // Sixteen keys at once keep the file system busy, so a write still under way would show.
    await Promise.all(
      Array.from({ length: 16 }, async (_, k) => {
        for (let i = 0; i < 8; i++) {
          // A different size and fill each time: a short read, an empty one or the previous object all differ.
          const body = Buffer.alloc(512 * 1024 + k * 4099 + i * 997, (k * 8 + i) % 251);
          await store.put(`whole-${k}.bin`, body, { contentType: 'application/octet-stream' });
          const got = await store.get(`whole-${k}.bin`);
          expect(got?.body.length).toBe(body.length);
          expect(got?.body.equals(body)).toBe(true);
        }
      }),
    );
  });

  test('a transient 503 is retried', async () => {
    const store: Store = openStore('plain', { ...opts, region: 'us-east-1' });
    await store.put('retry.txt', 'ok', { contentType: 'text/plain' });
    s3.injectFault({ match: (r) => r.key === 'retry.txt' && r.method === 'GET', status: 503, code: 'SlowDown', times: 1 });
    expect((await store.get('retry.txt'))?.body.toString()).toBe('ok');
  });
});
}

describe('s3 store with credentials from the standard chain', () => {
  test('AWS_PROFILE with a shared credentials file goes through the SDK', async () => {
    const s3 = await startS3({ buckets: ['profiled'] });
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-aws-'));
    const saved = { ...process.env };
    try {
      await writeFile(
        join(dir, 'credentials'),
        `[monitor]\naws_access_key_id = ${s3.credentials.accessKeyId}\naws_secret_access_key = ${s3.credentials.secretAccessKey}\n`,
      );
      await writeFile(join(dir, 'config'), '');
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION']) delete process.env[k];
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      process.env.AWS_PROFILE = 'monitor';
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
      const store = openStore('profiled');
      await writeHeartbeat(store, 'via profile', { now: new Date(1795488696000) });
      expect(await readHeartbeat(store, 'via profile')).toEqual({ seconds: 1795488696, date: 'Tue, 24 Nov 2026 02:51:36 +0000' });
      expect(s3.requests.every((r) => /aws-sdk-js/.test(String(r.headers['user-agent'] ?? '')))).toBe(true);
      process.env.AWS_PROFILE = 'nobody';
      await expect(openStore('profiled', { region: 'us-east-1' }).get('x')).rejects.toMatchObject({ code: 'E_CREDENTIALS' });
    } finally {
      process.env = saved;
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
