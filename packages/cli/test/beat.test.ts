import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRfc2822 } from '@svcmon/store';
import { deadPort, startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, s3Env, svcmon, tempDir } from './_run.js';

function expectHeartbeat(text: string, before: number): void {
  // The original's bytes: RFC 2822 with the day of the month unpadded (`Tue, 1 Dec 2026 …`).
  expect(text).toMatch(/^\{"date":"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000","seconds":\d+\}$/);
  const { date, seconds } = JSON.parse(text) as { date: string; seconds: number };
  expect(date).toBe(formatRfc2822(seconds));
  expect(seconds).toBeGreaterThanOrEqual(before - 1);
  expect(seconds).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
}

describe('svcmon beat against a directory', () => {
  it('writes <task>-beat.json as the original does; silent when not on a terminal', async () => {
    const dir = await tempDir();
    const before = Math.floor(Date.now() / 1000);
    const r = await svcmon(['beat', dir, 'nightly-build']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expectHeartbeat(await readFile(join(dir, 'nightly-build-beat.json'), 'utf8'), before);
  });

  it('accepts a relative ./path and a file: URL', async () => {
    const dir = await tempDir();
    for (const sub of ['mon', 'other']) await mkdir(join(dir, sub));
    const r1 = await svcmon(['beat', './mon', 'a'], { cwd: dir });
    expect(r1.code).toBe(0);
    await readFile(join(dir, 'mon', 'a-beat.json'), 'utf8');
    const r2 = await svcmon(['beat', `file://${dir}/other`, 'b']);
    expect(r2.code).toBe(0);
    await readFile(join(dir, 'other', 'b-beat.json'), 'utf8');
  });

  it('handles odd task names', async () => {
    const dir = await tempDir();
    const { readHeartbeat, dirStore } = await import('@svcmon/store');
    for (const name of ['db backup', 'zählwerk', 'a "quoted" ?#% name']) {
      const r = await svcmon(['beat', dir, name]);
      expect(r.code, r.stderr).toBe(0);
      expect(await readHeartbeat(dirStore(dir), name)).not.toBeNull();
    }
  });
});

describe('svcmon beat against S3 (s3rver)', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['test', { name: 'no-acl', rejectAcl: true }] });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('writes the heartbeat with the original content type, ACL and cache control', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await svcmon(['beat', 'test', 'nightly-build', '--endpoint', s3.endpoint], { env: s3Env(s3.credentials) });
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const got = await s3.rawGet('test', 'nightly-build-beat.json');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['cache-control']).toBe('max-age=60, public');
    expectHeartbeat(got.body.toString('utf8'), before);
    const put = s3.requests.find((q) => q.method === 'PUT' && q.key === 'nightly-build-beat.json');
    expect(put?.headers['x-amz-acl']).toBe('public-read');
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 and the bucket prefix from s3://', async () => {
    const env = { ...s3Env(s3.credentials), AWS_ENDPOINT_URL_S3: s3.endpoint };
    const r = await svcmon(['beat', 's3://test/team-a', 'backup'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect((await s3.rawGet('test', 'team-a/backup-beat.json')).status).toBe(200);
  });

  it('--no-acl sends no ACL', async () => {
    const r = await svcmon(['beat', 'test', 'quiet', '--endpoint', s3.endpoint, '--no-acl'], { env: s3Env(s3.credentials) });
    expect(r.code, r.stderr).toBe(0);
    const put = s3.requests.find((q) => q.method === 'PUT' && q.key === 'quiet-beat.json');
    expect(put).toBeDefined();
    expect(put?.headers['x-amz-acl']).toBeUndefined();
  });

  it('a bucket that rejects ACLs still gets the heartbeat, with one warning', async () => {
    const r = await svcmon(['beat', 'no-acl', 'job', '--endpoint', s3.endpoint], { env: s3Env(s3.credentials) });
    expect(r.code, r.stderr).toBe(0);
    expect((await s3.rawGet('no-acl', 'job-beat.json')).status).toBe(200);
    expect(r.stderr).toMatch(/ACL/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing bucket: exit 1, one line, no stack trace', async () => {
    const r = await svcmon(['beat', 'no-such-bucket', 'job', '--endpoint', s3.endpoint], { env: s3Env(s3.credentials) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^svcmon: error: .*no-such-bucket/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('wrong credentials: exit 1 with a hint; --debug adds the stack', async () => {
    const env = { ...s3Env(s3.credentials), AWS_SECRET_ACCESS_KEY: 'wrong-secret' };
    const r = await svcmon(['beat', 'test', 'job', '--endpoint', s3.endpoint], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^svcmon: error: /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
    const d = await svcmon(['--debug', 'beat', 'test', 'job', '--endpoint', s3.endpoint], { env });
    expect(d.code).toBe(1);
    expect(hasStack(d.stderr)).toBe(true);
  });

  it('an unreachable endpoint: exit 1', async () => {
    const port = await deadPort();
    const r = await svcmon(['beat', 'test', 'job', '--endpoint', `http://127.0.0.1:${port}`], {
      env: s3Env(s3.credentials),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^svcmon: error: /);
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('no credentials at all: exit 1 and a hint naming the variables', async () => {
    const r = await svcmon(['beat', 'test', 'job', '--endpoint', s3.endpoint], {
      env: cleanEnv({ AWS_REGION: 'us-east-1', HOME: await tempDir(), AWS_EC2_METADATA_DISABLED: 'true' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AWS_ACCESS_KEY_ID|AWS_PROFILE|credential/i);
  });
});
