// takePulse's `publishMetrics` step against s3rver (behind the testkit's checking proxy): the
// object beside pulse.json, its headers, its text, and a refused upload.
import { openStore, writeHeartbeat } from '@svcmon/store';
import { parseExposition, startS3, startSites, type S3TestServer, type Sites } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulseExitCode, renderMetrics, takePulse, PULSE_METRICS_KEY } from '../src/index.js';

let s3: S3TestServer;
let sites: Sites;
beforeAll(async () => {
  [s3, sites] = await Promise.all([startS3({ buckets: ['metrics'] }), startSites()]);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), sites?.close()]);
});

const NOW = new Date('2026-11-24T02:51:36Z');
const bucket = (maxAttempts?: number) =>
  openStore('metrics', { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {}, ...(maxAttempts ? { maxAttempts } : {}) });
const opts = () => ({ bucket: 'metrics', now: () => NOW, emailMode: 'none' as const, selfName: 'monitor-1' });

async function setUp(): Promise<void> {
  const store = bucket();
  await store.put('config.rktd', `#hash((sites . (#hash((url . "${sites.ok}")))) (tasks . (#hash((name . "backup")) #hash((name . "monitor-1")))))\n`, {
    contentType: 'application/data',
  });
  await writeHeartbeat(store, 'backup', { now: new Date(NOW.getTime() - 60_000) });
}

/** The figures without the pulse's duration (the object is rendered a moment before the result's final `ms`). */
const figures = (text: string) => [...parseExposition(text)].filter(([name]) => name !== 'svcmon_pulse_duration_seconds');

describe('takePulse({ publishMetrics: true })', () => {
  it('writes pulse-metrics.prom beside pulse.json: public-read, text/plain; version=0.0.4, the result as renderMetrics renders it', async () => {
    await setUp();
    s3.requests.length = 0;
    const result = await takePulse(bucket(), { ...opts(), publishMetrics: true });
    expect(result.published).toEqual({ ok: true });
    const put = s3.requests.filter((r) => r.method === 'PUT' && r.key === PULSE_METRICS_KEY);
    expect(put.map((r) => [r.headers['x-amz-acl'], r.headers['content-type'], r.headers['cache-control']])).toEqual([
      ['public-read', 'text/plain; version=0.0.4; charset=utf-8', 'max-age=60, public'],
    ]);
    const object = await s3.rawGet('metrics', PULSE_METRICS_KEY);
    const text = object.body.toString('utf8');
    expect(figures(text)).toEqual(figures(renderMetrics(result, { monitor: 'monitor-1' })));
    expect(parseExposition(text).get('svcmon_task_last_beat_timestamp_seconds')!.samples.map((s) => [s.labels['task'], s.value])).toEqual([
      ['backup', NOW.getTime() / 1000 - 60],
      ['monitor-1', NOW.getTime() / 1000],
    ]);
  });

  it('off by default, and with publish: false', async () => {
    await setUp();
    s3.requests.length = 0;
    await takePulse(bucket(), opts());
    await takePulse(bucket(), { ...opts(), publish: false, publishMetrics: true });
    expect(s3.requests.filter((r) => r.key === PULSE_METRICS_KEY)).toEqual([]);
  });

  it('a refused upload is a warning in result.published, as for pulse.json; the verdict stands', async () => {
    await setUp();
    s3.injectFault({ match: (r) => r.method === 'PUT' && r.key === PULSE_METRICS_KEY, status: 403, code: 'AccessDenied' });
    try {
      const result = await takePulse(bucket(1), { ...opts(), publishMetrics: true });
      expect(result.published?.ok).toBe(false);
      expect(result.published?.error).toMatch(/^cannot publish pulse-metrics\.prom: .*denied/i);
      expect(result.ok).toBe(true);
      expect(pulseExitCode(result)).toBe(0);
      expect((await s3.rawGet('metrics', 'pulse.json')).status).toBe(200);
    } finally {
      s3.clearFaults();
    }
  });
});
