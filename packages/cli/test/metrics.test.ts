// `svcmon pulse --metrics FILE` and `--publish-metrics`, end to end: the built CLI takes real
// pulses (a directory store, and s3rver behind the testkit's checking proxy; sites are loopback
// HTTP and HTTPS servers) with hostile task names and URLs, and failed pulses; Prometheus's own
// promtool judges every file and object.
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { lstat, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirStore, openStore, writeHeartbeat, type Store } from '@svcmon/store';
import {
  deadPort,
  listen,
  mustRunPromtoolTests,
  parseExposition,
  promtoolCheckMetrics,
  startS3,
  startSites,
  TEST_CERT_FILE,
  TEST_KEY_FILE,
  type ExpositionFamily,
  type S3TestServer,
  type Sites,
} from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, s3Env, svcmon, tempDir } from './_run.js';

const execFileAsync = promisify(execFile);

// promtool is the judge: in CI a missing promtool fails these tests (scripts/test.sh installs
// Debian's prometheus); elsewhere, without it, they are skipped.
const RUN = mustRunPromtoolTests();

const HOSTILE = ['db "prod" backup', 'C:\\jobs\\nightly', 'zählwerk 😀', 'x}{y="z",', '\\n not a line feed'];

let sites: Sites;
let tls: Server;
let secure = '';
let s3: S3TestServer;
beforeAll(async () => {
  [sites, s3] = await Promise.all([startSites(), startS3({ buckets: ['metrics'] })]);
  // HTTPS with the testkit's certificate, trusted by the child through NODE_EXTRA_CA_CERTS.
  tls = createServer({ key: readFileSync(TEST_KEY_FILE), cert: readFileSync(TEST_CERT_FILE) }, (_req, res) => res.writeHead(200).end('ok'));
  secure = `${await listen(tls)}/`;
});
afterAll(async () => {
  await Promise.all([sites?.close(), s3?.stop(), new Promise((r) => (tls ? tls.close(r) : r(undefined)))]);
});

const CERT_EXPIRY = Math.floor(new Date(new X509Certificate(readFileSync(TEST_CERT_FILE)).validTo).getTime() / 1000);

/** The checks of every test: good, late, missing and hostile tasks; up, 500, refused, https and hostile sites. */
function config(): { text: string; sites: string[] } {
  // The last two are hostile to the exposition format's escaping: quotes and a backslash in a URL
  // the pulse checks, and a line feed in one config.rktd holds by hand (refused: down, unchecked).
  const urls = [sites.ok, sites.serverError, sites.refused, secure, `${sites.ok}#"quoted"\\back`, `${sites.ok}#line\nfeed`];
  const task = (name: string, period?: number) => `#hash((name . ${JSON.stringify(name)})${period ? ` (period . ${period})` : ''})`;
  const tasks = [task('backup'), task('late', 3600), task('never'), task('monitor-1', 300), ...HOSTILE.map((n) => task(n))];
  const siteList = urls.map((u) => `#hash((url . ${JSON.stringify(u)}) (timeout . 5))`);
  return { text: `#hash((sites . (${siteList.join(' ')})) (tasks . (${tasks.join(' ')})))\n`, sites: urls };
}

async function fill(store: Store): Promise<{ sites: string[]; beats: Record<string, number> }> {
  const { text, sites: urls } = config();
  await store.put('config.rktd', text, { contentType: 'application/data' });
  const now = Date.now();
  const beats: Record<string, number> = { backup: now - 60_000, late: now - 3 * 3600_000 };
  for (const name of HOSTILE) beats[name] = now - 5_000;
  for (const [name, at] of Object.entries(beats)) await writeHeartbeat(store, name, { now: new Date(at) });
  return { sites: urls, beats: Object.fromEntries(Object.entries(beats).map(([k, v]) => [k, Math.floor(v / 1000)])) };
}

const env = (extra: Record<string, string> = {}) => cleanEnv({ NODE_EXTRA_CA_CERTS: TEST_CERT_FILE, ...extra });

async function judged(text: string): Promise<Map<string, ExpositionFamily>> {
  const check = await promtoolCheckMetrics(text);
  expect(check.output, text).toBe('');
  expect(check.code).toBe(0);
  return parseExposition(text);
}

function byLabel(families: Map<string, ExpositionFamily>, name: string, label: string): Record<string, number> {
  return Object.fromEntries((families.get(name)?.samples ?? []).map((s) => [s.labels[label]!, s.value]));
}

function expectFigures(families: Map<string, ExpositionFamily>, urls: string[], beats: Record<string, number>, bucket: string): void {
  const one = (name: string) => families.get(name)!.samples.map((s) => [s.labels, s.value]);
  const base = { bucket, monitor: 'monitor-1' };
  expect(one('svcmon_pulse_success')).toEqual([[base, 1]]);
  expect(one('svcmon_pulse_healthy')).toEqual([[base, 0]]);
  expect(byLabel(families, 'svcmon_pulse_sites', 'verdict')).toEqual({ up: 3, pending: 0, down: 3 });
  expect(byLabel(families, 'svcmon_pulse_tasks', 'state')).toMatchObject({ ok: 2 + HOSTILE.length, late: 1, missing: 1 });
  const [ok, serverError, refused, https, hostile, lineFeed] = urls as [string, string, string, string, string, string];
  expect(byLabel(families, 'svcmon_site_up', 'url')).toEqual({ [ok]: 1, [serverError]: 0, [refused]: 0, [https]: 1, [hostile]: 1, [lineFeed]: 0 });
  expect(byLabel(families, 'svcmon_site_status_code', 'url')).toEqual({ [ok]: 200, [serverError]: 500, [https]: 200, [hostile]: 200 });
  expect(byLabel(families, 'svcmon_site_certificate_expiry_timestamp_seconds', 'url')).toEqual({ [https]: CERT_EXPIRY });
  expect(Object.keys(byLabel(families, 'svcmon_site_duration_seconds', 'url'))).toEqual(urls);
  const up = byLabel(families, 'svcmon_task_up', 'task');
  expect(up).toEqual({ backup: 1, late: 0, never: 0, 'monitor-1': 1, ...Object.fromEntries(HOSTILE.map((n) => [n, 1])) });
  const lastBeat = byLabel(families, 'svcmon_task_last_beat_timestamp_seconds', 'task');
  expect(lastBeat).toMatchObject(beats);
  expect(Object.keys(lastBeat).sort()).toEqual([...Object.keys(beats), 'monitor-1'].sort()); // never beat: no series
  expect(byLabel(families, 'svcmon_task_period_seconds', 'task')).toMatchObject({ backup: 86400, late: 3600, 'monitor-1': 300 });
  const late = families.get('svcmon_task_state')!.samples.filter((s) => s.labels['task'] === 'late');
  expect(late.filter((s) => s.value === 1).map((s) => s.labels['state'])).toEqual(['late']);
  expect(late).toHaveLength(10);
}

describe.skipIf(!RUN)('svcmon pulse --metrics (judged by promtool check metrics)', () => {
  it('a directory store: tasks, sites, hostile names; the file is whole, 0644, and says what the pulse saw', async () => {
    const dir = join(await tempDir(), 'mon');
    await mkdir(dir);
    const { sites: urls, beats } = await fill(dirStore(dir));
    const out = await tempDir();
    const file = join(out, 'svcmon.prom');
    const before = Date.now() / 1000;
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', 'monitor-1', '--metrics', file], { env: env() });
    expect(r.code, r.stderr).toBe(1);
    const families = await judged(await readFile(file, 'utf8'));
    expectFigures(families, urls, beats, dir);
    const at = families.get('svcmon_pulse_timestamp_seconds')!.samples[0]!.value;
    expect(at).toBeGreaterThanOrEqual(Math.floor(before));
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(out)).toEqual(['svcmon.prom']);
  });

  it('S3: --metrics writes the file, --publish-metrics the object pulse-metrics.prom (public-read, text/plain; version=0.0.4)', async () => {
    const options = { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} };
    const { sites: urls, beats } = await fill(openStore('metrics', options));
    const file = join(await tempDir(), 'svcmon.prom');
    const r = await svcmon(['pulse', 'metrics', '--no-email', '--beat', 'monitor-1', '--endpoint', s3.endpoint, '--metrics', file, '--publish-metrics'], {
      env: { ...s3Env(s3.credentials), NODE_EXTRA_CA_CERTS: TEST_CERT_FILE },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expectFigures(await judged(await readFile(file, 'utf8')), urls, beats, 'metrics');
    const put = s3.requests.filter((q) => q.method === 'PUT' && q.key === 'pulse-metrics.prom');
    expect(put.map((q) => [q.headers['x-amz-acl'], q.headers['content-type'], q.headers['cache-control']])).toEqual([
      ['public-read', 'text/plain; version=0.0.4; charset=utf-8', 'max-age=60, public'],
    ]);
    const object = await s3.rawGet('metrics', 'pulse-metrics.prom');
    expect(object.status).toBe(200);
    expect(object.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expectFigures(await judged(object.body.toString('utf8')), urls, beats, 'metrics');
  });

  it('without --publish-metrics no object is written', async () => {
    const store = openStore('metrics', { endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} });
    await store.put('config.rktd', '#hash((tasks . ()))\n', { contentType: 'application/data' });
    s3.requests.length = 0;
    const r = await svcmon(['pulse', 'metrics', '--no-email', '--endpoint', s3.endpoint], { env: s3Env(s3.credentials) });
    expect(r.code, r.stderr).toBe(0);
    expect(s3.requests.filter((q) => q.key === 'pulse-metrics.prom')).toEqual([]);
  });

  it('failed pulses still write a file that says so: no config (exit 2), an unreachable store (exit 3)', async () => {
    const out = await tempDir();
    const empty = await tempDir();
    const noConfig = await svcmon(['pulse', empty, '--no-email', '--metrics', join(out, 'a.prom')], { env: env() });
    expect(noConfig.code).toBe(2);
    const dead = await deadPort();
    const unreachable = await svcmon(
      ['pulse', 'metrics', '--no-email', '--beat', 'monitor-1', '--endpoint', `http://127.0.0.1:${dead}`, '--metrics', join(out, 'b.prom')],
      { env: s3Env(s3.credentials) },
    );
    expect(unreachable.code, unreachable.stderr).toBe(3);
    for (const [name, monitor, bucket] of [['a.prom', 'default', empty], ['b.prom', 'monitor-1', 'metrics']] as const) {
      const families = await judged(await readFile(join(out, name), 'utf8'));
      expect([...families.keys()]).toEqual(['svcmon_pulse_success', 'svcmon_pulse_healthy', 'svcmon_pulse_timestamp_seconds', 'svcmon_pulse_duration_seconds']);
      expect(families.get('svcmon_pulse_success')!.samples).toEqual([{ labels: { bucket, monitor }, value: 0 }]);
    }
  });
});

describe('svcmon pulse --metrics: mistakes', () => {
  it('a directory that does not exist: usage error before the pulse, no stack trace', async () => {
    const dir = await tempDir();
    const file = join(dir, 'nope', 'svcmon.prom');
    const r = await svcmon(['pulse', dir, '--no-email', '--metrics', file], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`svcmon: error: --metrics ${file}: no such directory`);
    expect(hasStack(r.stderr)).toBe(false);
  });

  it('a directory, or no name at all: usage error before the pulse (no heartbeat recorded), no stack trace', async () => {
    const dir = join(await tempDir(), 'mon');
    await mkdir(dir);
    await dirStore(dir).put('config.rktd', '#hash((tasks . (#hash((name . "monitor-1")))))\n', { contentType: 'application/data' });
    const target = join(await tempDir(), 'svcmon.prom');
    await mkdir(target);
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', 'monitor-1', '--metrics', target], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`svcmon: error: --metrics ${target}: it is a directory, not a file`);
    expect(hasStack(r.stderr)).toBe(false);
    const empty = await svcmon(['pulse', dir, '--no-email', '--metrics', ''], { env: env() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('svcmon: error: --metrics needs a file name');
    expect(await dirStore(dir).get('monitor-1-beat.json')).toBeNull();
  });

  it('a device or a FIFO: usage error before the pulse, and it is left as it was (/dev/null stays /dev/null)', async () => {
    const dir = await tempDir();
    const fifo = join(dir, 'pipe.prom');
    await execFileAsync('mkfifo', [fifo]);
    for (const [target, kind] of [['/dev/null', 'a device'], [fifo, 'a FIFO']] as const) {
      const r = await svcmon(['pulse', dir, '--no-email', '--metrics', target], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`svcmon: error: --metrics ${target}: it is ${kind}, not a file`);
      expect(hasStack(r.stderr)).toBe(false);
    }
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('--beat with a name no heartbeat can have: usage error before the pulse', async () => {
    const dir = await tempDir();
    await dirStore(dir).put('config.rktd', '#hash((tasks . (#hash((name . "a")))))\n', { contentType: 'application/data' });
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', '../x'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('svcmon: error: --beat "../x": the task name has a "." or ".." segment');
  });

  it('--publish-metrics with --no-publish: usage error', async () => {
    const r = await svcmon(['pulse', await tempDir(), '--no-publish', '--publish-metrics'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--publish-metrics' cannot be used with option '--no-publish'");
  });
});
