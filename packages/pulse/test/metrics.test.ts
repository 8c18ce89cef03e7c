// The pulse's figures as Prometheus metrics, from hand-made results: names, values, escaping
// (a fast-check property reads every label back), the failed pulse, the atomic file.
import { mkdtempSync, rmSync, statSync, readdirSync, readFileSync, writeFileSync, openSync, readSync, closeSync, mkdirSync, chmodSync, lstatSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mustRunPromtoolTests, propertySeed, parseExposition, promtoolCheckMetrics, type ExpositionFamily } from '@svcmon/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { isPulseError, metricsTarget, renderMetrics, writeMetricsFile, type PulseResult, type SiteVerdict, type TaskVerdict } from '../src/index.js';
import { escapeHelp, escapeLabelValue } from '../src/metrics.js';

const SEED = propertySeed('METRICS_SEED', 'metrics escaping');
// In CI a missing promtool fails these tests; elsewhere they are skipped (apt-get install prometheus).
const PROMTOOL = mustRunPromtoolTests();

const site = (s: Partial<SiteVerdict> & Pick<SiteVerdict, 'url' | 'ok'>): SiteVerdict => ({ redirects: 0, timeout: 30, ms: 12, ...s });
const task = (t: Partial<TaskVerdict> & Pick<TaskVerdict, 'name' | 'ok' | 'state'>): TaskVerdict => ({ period: 86400, self: false, ms: 1, ...t });
const STARTED = new Date('2026-11-24T02:51:36.250Z');

function result(r: Partial<PulseResult> = {}): PulseResult {
  return { ok: true, bucket: 'my-bucket', startedAt: STARTED, ms: 1234, sites: [], tasks: [], recipients: [], report: '', ...r };
}

function family(text: string, name: string): ExpositionFamily {
  const f = parseExposition(text).get(name);
  if (!f) throw new Error(`no ${name} in:\n${text}`);
  return f;
}
const values = (text: string, name: string) => family(text, name).samples.map((s) => [s.labels, s.value]);

const SAMPLE = result({
  ok: false,
  sites: [
    site({ url: 'https://shop.example.com/', ok: false, status: 503, reason: 'HTTP 503', ms: 80, certExpiry: 1_800_000_000 }),
    site({ url: 'http://api.example.com/', ok: true, status: 200, ms: 1500, pending: { count: 1, of: 3 }, reason: 'timed out' }),
    site({ url: 'http://gone.example.com/', ok: false, reason: 'connection refused', ms: 3 }),
  ],
  tasks: [
    task({ name: 'backup', ok: true, state: 'ok', lastBeat: { seconds: 1795488600 }, period: 3600 }),
    task({ name: 'nightly', ok: false, state: 'late', lastBeat: { seconds: 1795300000 } }),
    task({ name: 'never', ok: false, state: 'missing', reason: 'no heartbeat recorded' }),
    task({ name: 'monitor-1', ok: true, state: 'ok', lastBeat: { seconds: 1795488696 }, self: true, period: 300 }),
  ],
});

describe('renderMetrics', () => {
  const text = renderMetrics(SAMPLE, { monitor: 'monitor-1' });
  const base = { bucket: 'my-bucket', monitor: 'monitor-1' };

  it('per monitor: success, healthy, time, duration in seconds, verdict counts', () => {
    expect(values(text, 'svcmon_pulse_success')).toEqual([[base, 1]]);
    expect(values(text, 'svcmon_pulse_healthy')).toEqual([[base, 0]]);
    expect(values(text, 'svcmon_pulse_timestamp_seconds')).toEqual([[base, 1795488696.25]]);
    expect(values(text, 'svcmon_pulse_duration_seconds')).toEqual([[base, 1.234]]);
    expect(values(text, 'svcmon_pulse_sites')).toEqual([
      [{ ...base, verdict: 'up' }, 0],
      [{ ...base, verdict: 'pending' }, 1],
      [{ ...base, verdict: 'down' }, 2],
    ]);
    expect(Object.fromEntries(family(text, 'svcmon_pulse_tasks').samples.map((s) => [s.labels['state'], s.value]))).toEqual({
      ok: 2, late: 1, missing: 1, malformed: 0, future: 0, error: 0, failed: 0, overrun: 0, paused: 0, invalid: 0,
    });
  });

  it('per site: up, status code, duration, certificate expiry (each only when known)', () => {
    const url = (u: string) => ({ ...base, url: u });
    expect(values(text, 'svcmon_site_up')).toEqual([
      [url('https://shop.example.com/'), 0],
      [url('http://api.example.com/'), 1],
      [url('http://gone.example.com/'), 0],
    ]);
    expect(values(text, 'svcmon_site_status_code')).toEqual([
      [url('https://shop.example.com/'), 503],
      [url('http://api.example.com/'), 200],
    ]);
    expect(values(text, 'svcmon_site_duration_seconds')).toEqual([
      [url('https://shop.example.com/'), 0.08],
      [url('http://api.example.com/'), 1.5],
      [url('http://gone.example.com/'), 0.003],
    ]);
    expect(values(text, 'svcmon_site_certificate_expiry_timestamp_seconds')).toEqual([[url('https://shop.example.com/'), 1_800_000_000]]);
  });

  it('per task: up, one-hot state over every state, last heartbeat, period', () => {
    const t = (name: string) => ({ ...base, task: name });
    expect(values(text, 'svcmon_task_up')).toEqual([[t('backup'), 1], [t('nightly'), 0], [t('never'), 0], [t('monitor-1'), 1]]);
    const states = family(text, 'svcmon_task_state').samples;
    expect(states).toHaveLength(4 * 10);
    expect(states.filter((s) => s.value === 1).map((s) => [s.labels['task'], s.labels['state']])).toEqual([
      ['backup', 'ok'],
      ['nightly', 'late'],
      ['never', 'missing'],
      ['monitor-1', 'ok'],
    ]);
    expect(values(text, 'svcmon_task_last_beat_timestamp_seconds')).toEqual([
      [t('backup'), 1795488600],
      [t('nightly'), 1795300000],
      [t('monitor-1'), 1795488696],
    ]);
    expect(values(text, 'svcmon_task_period_seconds')).toEqual([[t('backup'), 3600], [t('nightly'), 86400], [t('never'), 86400], [t('monitor-1'), 300]]);
  });

  it('every family has HELP and TYPE gauge, the svcmon_ prefix, and no sample timestamp', () => {
    const families = parseExposition(text);
    expect([...families.keys()]).toEqual([
      'svcmon_pulse_success', 'svcmon_pulse_healthy', 'svcmon_pulse_timestamp_seconds', 'svcmon_pulse_duration_seconds',
      'svcmon_pulse_sites', 'svcmon_pulse_tasks',
      'svcmon_site_up', 'svcmon_site_status_code', 'svcmon_site_duration_seconds', 'svcmon_site_certificate_expiry_timestamp_seconds',
      'svcmon_task_up', 'svcmon_task_state', 'svcmon_task_last_beat_timestamp_seconds', 'svcmon_task_period_seconds',
    ]);
    for (const f of families.values()) {
      expect(f.type).toBe('gauge');
      expect(f.help).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('the monitor is `default` without a name, as the state object', () => {
    expect(family(renderMetrics(result()), 'svcmon_pulse_success').samples[0]!.labels).toEqual({ bucket: 'my-bucket', monitor: 'default' });
  });

  it('a failed pulse still says so: success 0, its time and duration, no counts it cannot know', () => {
    const failed = renderMetrics(result({ ok: false, error: 'no config.rktd in ./monitor', errorCode: 'E_CONFIG_UNREADABLE' }));
    expect([...parseExposition(failed).keys()]).toEqual([
      'svcmon_pulse_success', 'svcmon_pulse_healthy', 'svcmon_pulse_timestamp_seconds', 'svcmon_pulse_duration_seconds',
    ]);
    expect(family(failed, 'svcmon_pulse_success').samples[0]!.value).toBe(0);
    // The store failed for every heartbeat: the checks ran, so the counts stand (and success is 0).
    const store = renderMetrics(result({ ok: false, error: 'no heartbeat could be read', errorCode: 'E_STORE', tasks: [task({ name: 'a', ok: false, state: 'error' })] }));
    expect(family(store, 'svcmon_pulse_success').samples[0]!.value).toBe(0);
    expect(family(store, 'svcmon_pulse_tasks').samples.find((s) => s.labels['state'] === 'error')!.value).toBe(1);
    // A failed mail: the checks are known, the job was not done.
    expect(family(renderMetrics(result({ mail: { sent: false, error: 'refused', delivery: [] } })), 'svcmon_pulse_success').samples[0]!.value).toBe(0);
  });

  it('a name listed twice in the config gives one series (the first), not a duplicate', () => {
    const twice = renderMetrics(result({ tasks: [task({ name: 'a', ok: true, state: 'ok', period: 60 }), task({ name: 'a', ok: false, state: 'late', period: 90 })] }));
    expect(values(twice, 'svcmon_task_period_seconds')).toEqual([[{ bucket: 'my-bucket', monitor: 'default', task: 'a' }, 60]]);
  });
});

describe('escaping', () => {
  it('label values: backslash, double quote, line feed; HELP: backslash and line feed', () => {
    expect(escapeLabelValue('a\\b"c\nd\re')).toBe('a\\\\b\\"c\\nd\re');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
    expect(escapeLabelValue('\uD800x\uDC00')).toBe('\uFFFDx\uFFFD');
    expect(escapeLabelValue('😀')).toBe('😀');
  });

  // Any text: quotes, backslashes, line feeds, control characters, astral and lone surrogates.
  const name = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('\\', '"', '\n', 'n', '\r', '\t', '\0', '{', '}', '=', ',', ' ', '#', 'ü', '😀', '\u2028'), maxLength: 20 }),
  );
  const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

  it(`any task name, URL and bucket survives and reads back (seed ${SEED}, METRICS_SEED replays)`, () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { maxLength: 6, selector: wellFormed }),
        fc.uniqueArray(name, { maxLength: 4, selector: wellFormed }),
        name,
        (tasks, urls, bucket) => {
          const text = renderMetrics(
            result({
              bucket,
              tasks: tasks.map((n) => task({ name: n, ok: true, state: 'ok', lastBeat: { seconds: 1795488600 } })),
              sites: urls.map((u) => site({ url: u, ok: true, status: 200 })),
            }),
            { monitor: bucket },
          );
          // Written as UTF-8 and read back, as the collector would.
          const back = parseExposition(Buffer.from(text, 'utf8').toString('utf8'));
          expect(back.get('svcmon_task_up')?.samples.map((s) => s.labels['task']) ?? []).toEqual(tasks.map(wellFormed));
          expect(back.get('svcmon_site_up')?.samples.map((s) => s.labels['url']) ?? []).toEqual(urls.map(wellFormed));
          for (const f of back.values()) for (const s of f.samples) expect([s.labels['bucket'], s.labels['monitor']]).toEqual([wellFormed(bucket), wellFormed(bucket)]);
          expect(back.get('svcmon_task_state')?.samples.length ?? 0).toBe(tasks.length * 10);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it.skipIf(!PROMTOOL)('promtool check metrics accepts hostile names (skipped only outside CI without promtool)', async () => {
    const hostile = ['db "prod" backup', 'C:\\jobs\\nightly', 'two\nlines', 'zählwerk 😀', '', '\\n literally', 'tab\there', 'x}{y="z"'];
    const text = renderMetrics(
      result({
        bucket: 'bucket "with" \\ quotes\n',
        tasks: hostile.map((n) => task({ name: n, ok: false, state: 'missing' })),
        sites: hostile.map((n) => site({ url: `http://127.0.0.1:9/${n}`, ok: false, reason: 'connection refused' })),
      }),
      { monitor: 'mon\\"itor' },
    );
    const check = await promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    expect(parseExposition(text).get('svcmon_task_up')!.samples.map((s) => s.labels['task'])).toEqual(hostile);
  });
});

describe('writeMetricsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the file by a rename (a reader of the old file sees it whole), mode 0644 whatever the umask, no temp file left', async () => {
    const file = join(dir, 'svcmon.prom');
    writeFileSync(file, 'old\n');
    const fd = openSync(file, 'r');
    const old = process.umask(0o077);
    try {
      await writeMetricsFile(file, renderMetrics(SAMPLE));
    } finally {
      process.umask(old);
    }
    const buffer = Buffer.alloc(16);
    const n = readSync(fd, buffer, 0, 16, 0);
    closeSync(fd);
    expect(buffer.subarray(0, n).toString()).toBe('old\n');
    expect(readFileSync(file, 'utf8')).toBe(renderMetrics(SAMPLE));
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['svcmon.prom']);
  });

  it('a missing directory: PulseError E_METRICS naming the file, nothing written', async () => {
    const file = join(dir, 'nope', 'svcmon.prom');
    const error = await writeMetricsFile(file, 'x 1\n').catch((e: unknown) => e);
    expect(isPulseError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'E_METRICS', file, message: `cannot write the metrics file ${file}: no such directory` });
  });

  it.skipIf(process.getuid?.() === 0)('a directory it may not write: permission denied, the old file intact, no temp file (skipped as root, who may write anywhere)', async () => {
    const sub = join(dir, 'locked');
    mkdirSync(sub);
    writeFileSync(join(sub, 'svcmon.prom'), 'old\n');
    chmodSync(sub, 0o555);
    try {
      await expect(writeMetricsFile(join(sub, 'svcmon.prom'), 'new 1\n')).rejects.toThrow(/: permission denied$/);
      expect(readFileSync(join(sub, 'svcmon.prom'), 'utf8')).toBe('old\n');
      expect(readdirSync(sub)).toEqual(['svcmon.prom']);
    } finally {
      chmodSync(sub, 0o755);
    }
  });

  it('a FIFO, or a link to one, is refused and left as it was; a link to a file is written through and stays a link', async () => {
    const fifo = join(dir, 'pipe.prom');
    execFileSync('mkfifo', [fifo]);
    await expect(writeMetricsFile(fifo, 'x 1\n')).rejects.toMatchObject({ code: 'E_METRICS', message: `cannot write the metrics file ${fifo}: it is a FIFO, not a file (the metrics file is replaced whole)` });
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const toFifo = join(dir, 'to-pipe.prom');
    symlinkSync(fifo, toFifo);
    await expect(writeMetricsFile(toFifo, 'x 1\n')).rejects.toMatchObject({ code: 'E_METRICS' });
    expect(lstatSync(toFifo).isSymbolicLink()).toBe(true);
    const real = join(dir, 'real.prom');
    writeFileSync(real, 'old\n');
    const link = join(dir, 'link.prom');
    symlinkSync(real, link);
    await writeMetricsFile(link, 'new 1\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new 1\n');
    const dangling = join(dir, 'dangling.prom');
    symlinkSync(join(dir, 'nothing-here'), dangling);
    await expect(writeMetricsFile(dangling, 'x 1\n')).rejects.toThrow(/: it is a symbolic link to nothing$/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a device is never replaced: /dev/null stays a device', async () => {
    await expect(metricsTarget('/dev/null')).resolves.toEqual({ why: 'it is a device, not a file (the metrics file is replaced whole)' });
    await expect(writeMetricsFile('/dev/null', 'x 1\n')).rejects.toMatchObject({ code: 'E_METRICS' });
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a target that is a directory: the temporary file is removed', async () => {
    const target = join(dir, 'adir.prom');
    mkdirSync(target);
    await expect(writeMetricsFile(target, 'x 1\n')).rejects.toMatchObject({ code: 'E_METRICS' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
