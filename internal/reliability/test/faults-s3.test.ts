// S3 misbehaving, end to end: the built CLI against s3rver behind the testkit's
// fault-injecting proxy. For every scenario: the exit code, a line naming
// what failed, the run ending by itself (its time recorded, never asserted), and config.rktd byte-for-byte unchanged
// (or, for an edit that succeeded after retries, exactly the edit).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadPort, startS3, type S3Request, type S3TestServer } from '@svcmon/testkit';
import { takePulse } from '@svcmon/pulse';
import { openStore } from '@svcmon/store';
import { hasStack, record, s3Env, svcmon } from './_helpers.js';

const FILE = 'faults-s3';
const GROUP = 'Faults: S3';
const BUCKET = 'faults';

let s3: S3TestServer;
let env: Record<string, string>;

async function configBytes(): Promise<Buffer> {
  const got = await s3.rawGet(BUCKET, 'config.rktd');
  expect(got.status).toBe(200);
  return got.body;
}

async function seed(): Promise<void> {
  s3.clearFaults();
  const put = await svcmon(['config', 'set-task', BUCKET, 'nightly', '--period', '86400', '--force', '--skip-html'], { env });
  expect(put.code, put.stderr).toBe(0);
  const beat = await svcmon(['beat', BUCKET, 'nightly'], { env });
  expect(beat.code, beat.stderr).toBe(0);
}

const on = (method: string, key: string) => (r: S3Request) => r.method === method && r.key === key;
const count = (method: string, key: string, from: number) =>
  s3.requests.slice(from).filter((r) => r.method === method && r.key === key).length;

beforeAll(async () => {
  s3 = await startS3({ buckets: [BUCKET] });
  env = s3Env(s3.credentials, s3.endpoint);
  await seed();
});
afterAll(async () => {
  await s3?.stop();
});
beforeEach(() => s3.clearFaults());

describe('S3 errors are retried within bounds, then succeed', () => {
  it('pulse: 500 twice on config.rktd → retried, exit 0', async () => {
    const before = await configBytes();
    const from = s3.requests.length;
    s3.injectFault({ match: on('GET', 'config.rktd'), status: 500, code: 'InternalError', times: 2 });
    const r = await svcmon(['pulse', BUCKET, '--no-email'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('All sites and tasks appear healthy');
    const gets = count('GET', 'config.rktd', from);
    expect(gets).toBe(3);
    expect(r.killed).toBe(false);
    expect(await configBytes()).toEqual(before);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 500 InternalError ×2 on GET config.rktd',
      how: 'CLI pulse',
      ms: r.ms,
      exitCode: r.code,
      reported: `healthy report after ${gets} GETs of config.rktd`,
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('pulse: 503 SlowDown twice on a heartbeat → retried, exit 0', async () => {
    // A pulse reads only what changed since the last one: forget what earlier pulses read.
    await openStore(BUCKET, { endpoint: s3.endpoint, credentials: s3.credentials }).delete('svcmon-pulse-state/reads/default.json');
    const from = s3.requests.length;
    s3.injectFault({ match: on('GET', 'nightly-beat.json'), status: 503, code: 'SlowDown', times: 2 });
    const r = await svcmon(['pulse', BUCKET, '--no-email'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nightly: ok/);
    const gets = count('GET', 'nightly-beat.json', from);
    expect(gets).toBe(3);
    expect(r.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 503 SlowDown ×2 on GET <task>-beat.json',
      how: 'CLI pulse',
      ms: r.ms,
      exitCode: r.code,
      reported: `nightly: ok after ${gets} GETs`,
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('beat: 503 SlowDown twice on the PUT → retried, heartbeat recorded', async () => {
    const before = await s3.rawGet(BUCKET, 'nightly-beat.json');
    const from = s3.requests.length;
    s3.injectFault({ match: on('PUT', 'nightly-beat.json'), status: 503, code: 'SlowDown', times: 2 });
    await new Promise((r) => setTimeout(r, 1100)); // a new second, so the heartbeat visibly changes
    const r = await svcmon(['beat', BUCKET, 'nightly'], { env });
    expect(r.code, r.stderr).toBe(0);
    const puts = count('PUT', 'nightly-beat.json', from);
    expect(puts).toBe(3);
    const after = await s3.rawGet(BUCKET, 'nightly-beat.json');
    expect(after.status).toBe(200);
    expect(after.body.toString()).not.toBe(before.body.toString());
    expect(JSON.parse(after.body.toString()).seconds).toBeGreaterThan(JSON.parse(before.body.toString()).seconds);
    expect(r.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 503 SlowDown ×2 on PUT <task>-beat.json',
      how: 'CLI beat',
      ms: r.ms,
      exitCode: r.code,
      reported: `heartbeat recorded after ${puts} PUTs`,
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('config set-task: 503 SlowDown twice on the PUT of config.rktd → retried, the edit is written once', async () => {
    const from = s3.requests.length;
    s3.injectFault({ match: on('PUT', 'config.rktd'), status: 503, code: 'SlowDown', times: 2 });
    const r = await svcmon(['config', 'set-task', BUCKET, 'weekly', '--period', '604800', '--skip-html'], { env });
    expect(r.code, r.stderr).toBe(0);
    const text = (await configBytes()).toString();
    expect(text).toContain('"weekly"');
    expect(text).toContain('"nightly"');
    const puts = count('PUT', 'config.rktd', from);
    expect(puts).toBe(3);
    // Undo, so later scenarios see the seed config.
    const undo = await svcmon(['config', 'remove-task', BUCKET, 'weekly', '--skip-html'], { env });
    expect(undo.code, undo.stderr).toBe(0);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 503 SlowDown ×2 on PUT config.rktd',
      how: 'CLI config set-task',
      ms: r.ms,
      exitCode: r.code,
      reported: `edit written after ${puts} PUTs (conditional), other entries kept`,
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('pulse: the connection dropped once (no answer) → retried, exit 0', async () => {
    s3.injectFault({ match: on('GET', 'config.rktd'), destroy: true, times: 1 });
    const r = await svcmon(['pulse', BUCKET, '--no-email'], { env });
    expect(r.code, r.stderr).toBe(0);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 drops the connection once (GET config.rktd)',
      how: 'CLI pulse',
      ms: r.ms,
      exitCode: r.code,
      reported: 'healthy report after a retry',
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });
});

describe('S3 errors that persist end in a clear error, in bounded time', () => {
  it('pulse: 503 SlowDown on every request → exit 3 naming S3, bounded attempts', async () => {
    const before = await configBytes();
    const from = s3.requests.length;
    s3.injectFault({ status: 503, code: 'SlowDown' });
    const r = await svcmon(['pulse', BUCKET, '--no-email', '--beat', 'monitor'], { env });
    s3.clearFaults();
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/svcmon: error: .*config\.rktd/);
    expect(r.stderr).toMatch(/SlowDown|503/);
    expect(r.stderr).toContain('not recording the heartbeat of monitor');
    expect(hasStack(r.stderr)).toBe(false);
    const attempts = s3.requests.length - from;
    expect(attempts).toBeLessThanOrEqual(3);
    expect(r.killed).toBe(false);
    expect(await configBytes()).toEqual(before);
    expect((await s3.rawGet(BUCKET, 'monitor-beat.json')).status).toBe(404);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 503 SlowDown on every request',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: `${r.stderr.split('\n')[0]} (${attempts} requests)`,
      lost: 'nothing (config unchanged, monitor heartbeat not recorded)',
      bound: '≤ 3 requests, ends by itself',
    });
  });

  it('config set-task: 500 on every PUT of config.rktd → exit 1, config.rktd unchanged', async () => {
    const before = await configBytes();
    s3.injectFault({ match: on('PUT', 'config.rktd'), status: 500, code: 'InternalError' });
    const r = await svcmon(['config', 'set-task', BUCKET, 'weekly', '--period', '604800'], { env });
    s3.clearFaults();
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/svcmon: error: .*config\.rktd/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    expect(await configBytes()).toEqual(before);
    expect((await s3.rawGet(BUCKET, 'index.html')).status).toBe(404);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 500 on every PUT of config.rktd',
      how: 'CLI config set-task',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing (config.rktd bytes unchanged, no dashboard written)',
      bound: 'ends by itself',
    });
  });

  it('S3 slower than the request deadline → takePulse gives up in bounded time with a clear error', async () => {
    const before = await configBytes();
    const from = s3.requests.length;
    s3.injectFault({ delayMs: 4_000 });
    const started = performance.now();
    const store = openStore(BUCKET, { endpoint: s3.endpoint, region: 'us-east-1', credentials: s3.credentials, timeoutMs: 1_000, maxAttempts: 2 });
    const result = await takePulse(store, { bucket: BUCKET, emailMode: 'none' });
    const ms = Math.round(performance.now() - started);
    s3.clearFaults();
    expect(result.ok).toBe(false);
    expect(result.errorCode).toBe('E_STORE');
    expect(result.error).toMatch(/config\.rktd/);
    expect(result.error).toMatch(/in time|timed? ?out/i);
    expect(s3.requests.length - from).toBeLessThanOrEqual(2);
    expect(await configBytes()).toEqual(before);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 answers after 4 s, deadline 1 s × 2 attempts',
      how: 'takePulse({ timeoutMs: 1000, maxAttempts: 2 })',
      ms,
      exitCode: 'E_STORE (CLI: 3)',
      reported: result.error ?? '',
      lost: 'nothing',
      bound: 'ended by the 1 s deadline, ≤ 2 requests',
    });
  });

  it('S3 slower than the default deadline (15 s) on every request → CLI pulse exit 3 with a clear line, bounded', async () => {
    const before = await configBytes();
    const from = s3.requests.length;
    s3.injectFault({ delayMs: 20_000 });
    const r = await svcmon(['pulse', BUCKET, '--no-email', '--beat', 'monitor'], { env, timeoutMs: 90_000 });
    s3.clearFaults();
    expect(r.killed).toBe(false);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/svcmon: error: .*config\.rktd.*(did not answer in time|timed? ?out)/i);
    expect(r.stderr).toContain('not recording the heartbeat of monitor');
    expect(hasStack(r.stderr)).toBe(false);
    // Ended by the store's own deadline (the line says S3 did not answer in time), not by the
    // helper's 90 s guard: at most maxAttempts (3) × 15 s plus backoff, the store's overall signal is 50 s.
    const attempts = count('GET', 'config.rktd', from);
    await new Promise((res) => setTimeout(res, 100));
    expect(await configBytes()).toEqual(before);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 answers after 20 s, every request (default deadline 15 s)',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: `${r.stderr.split('\n')[0]} (${attempts} GET)`,
      lost: 'nothing (config unchanged, monitor heartbeat not recorded)',
      bound: 'ended by the 15 s deadline (not the 90 s guard)',
    });
  }, 100_000);
});

describe('S3 unreachable (closed port)', () => {
  let deadEnv: Record<string, string>;
  beforeAll(async () => {
    deadEnv = s3Env(s3.credentials, `http://127.0.0.1:${await deadPort()}`);
  });

  it('pulse → exit 3 with a clear line', async () => {
    const before = await configBytes();
    const r = await svcmon(['pulse', BUCKET, '--no-email', '--beat', 'monitor'], { env: deadEnv });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/svcmon: error: .*(cannot reach S3|ECONNREFUSED|connect)/i);
    expect(r.stderr).toContain('config.rktd');
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    expect(await configBytes()).toEqual(before);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 endpoint refuses connections',
      how: 'CLI pulse --beat monitor',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('beat → exit 1 with a clear line', async () => {
    const r = await svcmon(['beat', BUCKET, 'nightly'], { env: deadEnv });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/svcmon: error: .*nightly-beat\.json/);
    expect(r.stderr).toMatch(/cannot reach S3|ECONNREFUSED|connect/i);
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 endpoint refuses connections',
      how: 'CLI beat',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing',
      bound: 'ends by itself',
    });
  });

  it('config set-task → exit 1, nothing written', async () => {
    const before = await configBytes();
    const r = await svcmon(['config', 'set-task', BUCKET, 'weekly', '--period', '604800'], { env: deadEnv });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/svcmon: error: .*config\.rktd/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.killed).toBe(false);
    expect(await configBytes()).toEqual(before);
    record(FILE, {
      group: GROUP,
      scenario: 'S3 endpoint refuses connections',
      how: 'CLI config set-task',
      ms: r.ms,
      exitCode: r.code,
      reported: r.stderr.split('\n')[0] ?? '',
      lost: 'nothing (config.rktd bytes unchanged)',
      bound: 'ends by itself',
    });
  });
});
