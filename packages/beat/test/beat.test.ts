import { clockEnv, FIXTURES, startS3, type S3TestServer } from '@svcmon/testkit';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '@svcmon/store';
import { beat } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../dist/bin.js');

const beats = readdirSync(FIXTURES)
  .filter((f) => /-beat(\.stale)?\.json$/.test(f))
  .map((file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    return { file, text, seconds: (JSON.parse(text) as { seconds: number }).seconds };
  });

function runBin(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...clockEnv(), ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

let s3: S3TestServer;
let dir: string;
beforeAll(async () => {
  s3 = await startS3({ buckets: ['golden', { name: 'locked-down', rejectAcl: true }] });
  dir = await mkdtemp(join(tmpdir(), 'svcmon-beat-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('beat()', () => {
  test.each(beats)('$file: the same bytes as the original for the same time', async ({ text, seconds }) => {
    const now = new Date(seconds * 1000);
    const hb = await beat(dir, 'fixture', { now });
    expect(hb).toEqual(JSON.parse(text));
    expect(await readFile(join(dir, 'fixture-beat.json'), 'utf8')).toBe(text);
    await beat(openStore('golden', { endpoint: s3.endpoint, credentials: s3.credentials }), 'fixture', { now });
    expect((await s3.rawGet('golden', 'fixture-beat.json')).body.toString()).toBe(text);
  });

  test('any task name works', async () => {
    for (const task of ['db backup', 'zählwerk', 'a"b', 'what?', '#1', '100%', 'a/b']) {
      await beat(openStore('s3://golden/odd', { endpoint: s3.endpoint, credentials: s3.credentials }), task);
      expect((await s3.rawGet('golden', `odd/${task}-beat.json`)).status).toBe(200);
    }
  });

  test('store errors come out as StoreError', async () => {
    await expect(
      beat(openStore('missing-bucket', { endpoint: s3.endpoint, credentials: s3.credentials, region: 'us-east-1' }), 'x'),
    ).rejects.toMatchObject({ name: 'StoreError', code: 'E_NO_BUCKET' });
  });
});

describe('svcmon-beat (a real process)', () => {
  const s3env = () => ({
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });

  test('beats into a directory', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await runBin([dir, 'nightly build']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const hb = JSON.parse(await readFile(join(dir, 'nightly build-beat.json'), 'utf8')) as { seconds: number };
    expect(hb.seconds).toBeGreaterThanOrEqual(before);
  });

  test('beats into s3rver with --endpoint, discovering the region', async () => {
    const r = await runBin(['golden', 'zählwerk', '--endpoint', s3.endpoint], s3env());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const raw = await s3.rawGet('golden', 'zählwerk-beat.json');
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/json');
    expect(raw.headers['cache-control']).toBe('max-age=60, public');
  });

  test('honours AWS_ENDPOINT_URL_S3 and AWS_REGION', async () => {
    const before = s3.requests.length;
    const r = await runBin(['golden', 'env'], { ...s3env(), AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(s3.requests.slice(before).map((q) => q.method)).toEqual(['PUT']);
  });

  test('an ACL-less bucket: written, one warning line, exit 0', async () => {
    const r = await runBin(['locked-down', 'job', '--endpoint', s3.endpoint, '--region', 'us-east-1'], s3env());
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^svcmon: warning: .*AccessControlListNotSupported/);
    expect((await s3.rawGet('locked-down', 'job-beat.json')).status).toBe(200);
  });

  test('store failures: exit 1, one line, no stack trace', async () => {
    const wrong = await runBin(['golden', 'x', '--endpoint', s3.endpoint, '--region', 'eu-west-1'], s3env());
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^svcmon-beat: .*s3:\/\/golden\/x-beat\.json.*the bucket is in region us-east-1, not eu-west-1/);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await runBin(['nope', 'x', '--endpoint', s3.endpoint], s3env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/bucket does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  test('usage errors: exit 2', async () => {
    for (const args of [[], ['only-bucket'], ['a', 'b', 'c'], ['--bogus', 'a', 'b'], ['s3://', 'x']]) {
      const r = await runBin(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^svcmon-beat: /);
    }
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: svcmon-beat/);
  });
});
