// The `publishMetrics` step of persistPulse (takePulse's last stage) against s3rver (behind the
// testkit's checking proxy): the object beside pulse.json, its headers, its text, its event,
// and a refused upload.
import { openStore, writeHeartbeat } from '@svcmon/store';
import { parseExposition, startS3, startSites, type S3TestServer, type Sites } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPulse,
  evaluatePulse,
  notifyPulse,
  persistPulse,
  pulseExitCode,
  pulseResult,
  readPulseConfig,
  renderMetrics,
  takePulse,
  PULSE_METRICS_KEY,
  type PulseEvent,
} from '../src/index.js';

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
      const events: PulseEvent[] = [];
      const result = await takePulse(bucket(1), { ...opts(), publishMetrics: true, onEvent: (e) => events.push(e) });
      expect(result.published?.ok).toBe(false);
      expect(events.filter((e) => e.type === 'metrics-published')).toEqual([{ type: 'metrics-published', ...result.published }]);
      expect(result.published?.error).toMatch(/^cannot publish pulse-metrics\.prom: .*denied/i);
      expect(result.ok).toBe(true);
      expect(pulseExitCode(result)).toBe(0);
      expect((await s3.rawGet('metrics', 'pulse.json')).status).toBe(200);
    } finally {
      s3.clearFaults();
    }
  });
});

describe('persistPulse({ publishMetrics: true }): a monitor composing the stages publishes the metrics too', () => {
  it('after its own heartbeat, with a metrics-published event; the text is renderMetrics of the result', async () => {
    await setUp();
    s3.requests.length = 0;
    const events: PulseEvent[] = [];
    const onEvent = (e: PulseEvent) => events.push(e);
    const selfName = 'monitor-1';
    const input = await readPulseConfig(bucket(), { bucket: 'metrics' });
    if (!input.ok) throw new Error(input.error);
    const checks = await checkPulse(input, { now: NOW, selfName, onEvent });
    const verdict = await evaluatePulse(input, checks, { now: NOW, selfName, emailMode: 'none', onEvent });
    const notified = await notifyPulse(verdict, { onEvent });
    const persisted = await persistPulse(input, checks, verdict, notified, { publishMetrics: true, elapsedMs: () => 1234, beat: true, beatTime: NOW, onEvent });
    expect(persisted.published).toEqual({ ok: true });
    expect(events.map((e) => e.type).slice(-4)).toEqual(['state-result', 'published', 'beat-result', 'metrics-published']);
    expect(events.at(-1)).toEqual({ type: 'metrics-published', ok: true });
    const puts = s3.requests.filter((r) => r.method === 'PUT').map((r) => r.key);
    expect(puts.slice(-2)).toEqual([`${selfName}-beat.json`, PULSE_METRICS_KEY]);
    const result = pulseResult(verdict, notified, persisted, { startedAt: NOW, ms: 1234 });
    expect((await s3.rawGet('metrics', PULSE_METRICS_KEY)).body.toString('utf8')).toBe(renderMetrics(result, { monitor: selfName }));
  });

  it('off by default', async () => {
    await setUp();
    s3.requests.length = 0;
    const input = await readPulseConfig(bucket(), { bucket: 'metrics' });
    if (!input.ok) throw new Error(input.error);
    const checks = await checkPulse(input, { now: NOW });
    const verdict = await evaluatePulse(input, checks, { now: NOW, emailMode: 'none' });
    const persisted = await persistPulse(input, checks, verdict, await notifyPulse(verdict));
    expect(persisted.published).toEqual({ ok: true });
    expect(s3.requests.filter((r) => r.key === PULSE_METRICS_KEY)).toEqual([]);
  });
});
