// start / success / fail on a directory and on S3 (s3rver behind the testkit proxy).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, failureKey, formatHeartbeat, heartbeatKey, readFailureRecord, readRunState, runStateKey, s3Store, type Store } from '@svcmon/store';
import { startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { beat, fail, start, success } from '../src/index.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3({ buckets: ['signals'] });
});
afterAll(async () => {
  await s3?.stop();
});

const stores: Record<string, () => Promise<Store>> = {
  directory: async () => dirStore(await mkdtemp(join(tmpdir(), 'svcmon-signals-'))),
  s3: async () =>
    s3Store({ bucket: 'signals', prefix: `p${Math.random().toString(36).slice(2, 8)}`, endpoint: s3.endpoint, credentials: s3.credentials, region: 'us-east-1' }),
};

describe.each(Object.keys(stores))('signals on a %s', (kind) => {
  test('success writes the very heartbeat beat() writes and clears its start', async () => {
    const store = await stores[kind]!();
    const now = new Date('2026-06-01T12:00:00Z');
    const run = await start(store, 'job', { now: new Date('2026-06-01T11:59:00Z') });
    expect((await readRunState(store, 'job'))!.state.running).toEqual([{ id: run.runId, started: Date.parse('2026-06-01T11:59:00Z') / 1000 }]);
    await success(store, 'job', { runId: run.runId, now });
    const ours = (await store.get(heartbeatKey('job')))!.body.toString('utf8');
    await beat(store, 'other', { now });
    expect(ours).toBe((await store.get(heartbeatKey('other')))!.body.toString('utf8'));
    expect(ours).toBe(formatHeartbeat(now));
    expect((await readRunState(store, 'job'))!.state).toEqual({ running: [] });
  });

  test('overlapping runs keep each other: each end clears only its own start', async () => {
    const store = await stores[kind]!();
    const [a, b, c] = await Promise.all([start(store, 'o'), start(store, 'o'), start(store, 'o')]);
    const ids = (await readRunState(store, 'o'))!.state.running.map((r) => r.id).sort();
    expect(ids).toEqual([a!.runId, b!.runId, c!.runId].sort());
    await success(store, 'o', { runId: b!.runId });
    await fail(store, 'o', { runId: a!.runId, exitCode: 1 });
    const state = (await readRunState(store, 'o'))!.state;
    expect(state.running.map((r) => r.id)).toEqual([c!.runId]);
    expect(state.failed).toMatchObject({ id: a!.runId, exit: 1 });
  });

  test('the end of a run supersedes the runs that started before it; a plain success all of them', async () => {
    const store = await stores[kind]!();
    const t = Date.parse('2026-06-01T00:00:00Z');
    const old = await start(store, 's', { now: new Date(t) });
    const mid = await start(store, 's', { now: new Date(t + 60_000) });
    const late = await start(store, 's', { now: new Date(t + 120_000) });
    await success(store, 's', { runId: mid.runId, now: new Date(t + 180_000) });
    expect((await readRunState(store, 's'))!.state.running.map((r) => r.id)).toEqual([late.runId]);
    expect(old.runId).not.toBe(late.runId);
    await success(store, 's', { now: new Date(t + 240_000) });
    expect((await readRunState(store, 's'))!.state.running).toEqual([]);
  });

  test('fail: the full record private, the summary in the run state; a later success supersedes it', async () => {
    const store = await stores[kind]!();
    const started = new Date('2026-06-01T00:00:00Z');
    const record = await fail(store, 'f', { started, now: new Date('2026-06-01T00:01:00Z'), message: 'no space left', exitCode: 28, output: 'tail\n', host: 'h1' });
    expect(record).toMatchObject({ task: 'f', exitCode: 28, durationMs: 60_000, host: 'h1', message: 'no space left', output: 'tail\n' });
    expect(await readFailureRecord(store, 'f')).toEqual(record);
    expect((await readRunState(store, 'f'))!.state.failed).toEqual({ id: record.runId, at: Date.parse('2026-06-01T00:01:00Z') / 1000, exit: 28 });
    if (kind === 's3') {
      const puts = s3.requests.filter((q) => q.method === 'PUT');
      expect(puts.find((q) => q.key.endsWith(failureKey('f')))!.headers['x-amz-acl']).toBeUndefined();
      expect(puts.find((q) => q.key.endsWith(runStateKey('f')))!.headers['x-amz-acl']).toBe('public-read');
    }
    await success(store, 'f', { now: new Date('2026-06-01T01:00:00Z') });
    expect((await readRunState(store, 'f'))!.state.failed).toBeUndefined();
  });
});
