// The pulse reads only what changed (a listing plus what it remembered), and its verdicts are
// exactly the full read's: a property over random histories of beats, runs, deletions and
// rewrites, with an injected clock, on a directory store and on s3rver.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dirStore, formatHeartbeat, heartbeatKey, parseConfig, runStateKey, s3Store, type Config, type Store } from '@svcmon/store';
import { listen, propertySeed, startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkPulse, MAX_OBJECT_BYTES, PULSE_LEDGER_KEY, pulseExitCode, pulseReadsKey, pulseStateKey, takePulse, type PulseEvent, type PulseResult, type TaskVerdict } from '../src/index.js';
import { fixture } from './_fixtures.js';

const NAMES = ['plain', 'a b', 'ü?#%"', 'dir/nested', 'runner'];
const CONFIG: Config = parseConfig(
  `#hash((period . 600) (tasks . (${NAMES.map((n, i) =>
    i === 4 ? `#hash((name . ${JSON.stringify(n)}) (max-duration . 900))` : `#hash((name . ${JSON.stringify(n)}) (period . ${60 * (i + 1)}))`,
  ).join(' ')})))\n`,
  'config.rktd',
);
const T0 = 1_795_488_696;

/**
 * The property's tasks: the ones above, and names with `/` one and two folders deep, beside
 * other objects, and in the folder of the monitor's own memo.
 */
const PROP_NAMES = [...NAMES, 'dir/deeper/x y', 'team-a/ü?/job', 'svcmon-pulse-state/reads/task'];
const PROP_CONFIG: Config = parseConfig(
  `#hash((period . 600) (tasks . (${PROP_NAMES.map((n, i) =>
    i === 4 ? `#hash((name . ${JSON.stringify(n)}) (max-duration . 900))` : `#hash((name . ${JSON.stringify(n)}) (period . ${60 * (i + 1)}))`,
  ).join(' ')})))\n`,
  'config.rktd',
);
/** Objects no task has: other teams' monitors, archives, neighbours of the tasks' keys. */
const UNRELATED = [
  'archive/2026/11/a.json',
  'team-b/svcmon-pulse-state/reads/default.json',
  'team-b/plain-beat.json',
  'dir/deeper/x y-beat.json.bak',
  'dir/deeper/more/z-beat.json',
  'dir/nested-run.json.old',
  'team-a/ü?/job-failure.json',
  'team-a/other/job-beat.json',
  'svcmon-pulse-state/reads/other monitor.json',
  'svcmon-pulse-state/default.json',
  'plain-beat.json.tmp',
];

type Step =
  | { op: 'beat'; task: number; at: number }
  | { op: 'same'; task: number }
  | { op: 'junk'; task: number }
  | { op: 'run'; task: number; running: number; failed: boolean; at: number }
  | { op: 'unbeat'; task: number }
  | { op: 'unrun'; task: number }
  | { op: 'tick'; seconds: number }
  | { op: 'other'; key: number }
  | { op: 'unother'; key: number }
  | { op: 'pulse' };

const task = fc.nat({ max: PROP_NAMES.length - 1 });
const other = fc.nat({ max: UNRELATED.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('beat' as const), task, at: fc.integer({ min: -400, max: 400 }) }),
  fc.record({ op: fc.constant('same' as const), task }),
  fc.record({ op: fc.constant('junk' as const), task }),
  fc.record({ op: fc.constant('run' as const), task, running: fc.nat({ max: 2 }), failed: fc.boolean(), at: fc.integer({ min: -2000, max: 0 }) }),
  fc.record({ op: fc.constant('unbeat' as const), task }),
  fc.record({ op: fc.constant('unrun' as const), task }),
  fc.record({ op: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 1500 }) }),
  fc.record({ op: fc.constant('other' as const), key: other }),
  fc.record({ op: fc.constant('unother' as const), key: other }),
  fc.constant({ op: 'pulse' as const }),
  fc.constant({ op: 'pulse' as const }),
);

const json = { contentType: 'application/json' };
const withoutMs = (ts: TaskVerdict[]) => ts.map(({ ms: _ms, ...rest }) => rest);

/** Play the steps; at each pulse both ways of reading must give the same verdicts. */
async function play(store: Store, steps: Step[]): Promise<void> {
  let now = T0;
  const last = new Map<number, string>();
  for (const s of [...steps, { op: 'pulse' as const }]) {
    switch (s.op) {
      case 'beat': {
        const body = formatHeartbeat(new Date((now + s.at) * 1000));
        last.set(s.task, body);
        await store.put(heartbeatKey(PROP_NAMES[s.task]!), body, json);
        break;
      }
      case 'same': // a rewrite with the same content: same etag
        await store.put(heartbeatKey(PROP_NAMES[s.task]!), last.get(s.task) ?? formatHeartbeat(new Date(now * 1000)), json);
        break;
      case 'junk':
        last.delete(s.task);
        await store.put(heartbeatKey(PROP_NAMES[s.task]!), '{"seconds": "soon"}', json);
        break;
      case 'run': {
        const state = {
          running: Array.from({ length: s.running }, (_, i) => ({ id: `r${i}`, started: now + s.at - i })),
          ...(s.failed ? { failed: { id: 'f', at: now + s.at, exit: 2 } } : {}),
        };
        await store.put(runStateKey(PROP_NAMES[s.task]!), JSON.stringify(state), json);
        break;
      }
      case 'unbeat':
        last.delete(s.task);
        await store.delete(heartbeatKey(PROP_NAMES[s.task]!));
        break;
      case 'unrun':
        await store.delete(runStateKey(PROP_NAMES[s.task]!));
        break;
      case 'tick':
        now += s.seconds;
        break;
      case 'other':
        await store.put(UNRELATED[s.key]!, formatHeartbeat(new Date(now * 1000)), json);
        break;
      case 'unother':
        await store.delete(UNRELATED[s.key]!);
        break;
      case 'pulse': {
        const at = new Date(now * 1000);
        const full = await checkPulse({ store, config: PROP_CONFIG }, { now: at, listing: false });
        const listed = await checkPulse({ store, config: PROP_CONFIG }, { now: at });
        expect(listed.warnings).toBeUndefined();
        expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
        break;
      }
    }
  }
}

async function clear(store: Store): Promise<void> {
  const keys = [];
  for await (const o of store.list('')) if (o.unreadable === undefined) keys.push(o.key);
  for (const k of keys) await store.delete(k);
}

const SEED = propertySeed('LISTING_SEED', 'listed reads = full reads');

describe('a pulse from a listing gives the full read’s verdicts', () => {
  let s3: S3TestServer;
  let dir: string;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['prop', 'counted', 'refused', 'golden', 'big', 'remember', 'flaky'] });
    s3.setBucketOptions('refused', { denyList: true });
    dir = await mkdtemp(join(tmpdir(), 'svcmon-listing-'));
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const s3Of = (bucket: string) => s3Store({ bucket, endpoint: s3.endpoint, credentials: s3.credentials });

  test('property: directory store', async () => {
    const store = dirStore(dir);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        await clear(store);
        await play(store, steps);
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, 120_000); // dozens of pulses: minutes on a loaded machine

  test('property: s3rver', async () => {
    const store = s3Of('prop');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        await clear(store);
        await play(store, steps);
      }),
      { seed: SEED, numRuns: 25 },
    );
  }, 300_000); // hundreds of requests per run: minutes on a loaded machine

  test('one LIST per page; a missing object needs no GET; an unchanged one is not read again; a remembered beat still goes late', async () => {
    const store = s3Of('counted');
    const at = (s: number) => new Date(s * 1000);
    await store.put(heartbeatKey('plain'), formatHeartbeat(at(T0)), json);
    await store.put(heartbeatKey('a b'), formatHeartbeat(at(T0)), json);
    await store.put(runStateKey('runner'), JSON.stringify({ running: [{ id: 'x', started: T0 }] }), json);
    s3.resetCounts();
    const first = await checkPulse({ store, config: CONFIG }, { now: at(T0 + 30) });
    // Cold: the listing, one GET per existing object (no memory yet), and what it remembers.
    expect(s3.counts).toMatchObject({ LIST: 1, GET: 3, PUT: 1 });
    expect(first.tasks.map((t) => t.state)).toEqual(['ok', 'ok', 'missing', 'missing', 'missing']);
    s3.resetCounts();
    const second = await checkPulse({ store, config: CONFIG }, { now: at(T0 + 100) });
    // Warm, nothing changed: the listing and the memory only; nothing to write.
    expect(s3.counts).toMatchObject({ LIST: 1, GET: 1, PUT: 0 });
    expect(second.tasks.map((t) => t.state)).toEqual(['late', 'ok', 'missing', 'missing', 'missing']);
    await store.put(heartbeatKey('a b'), formatHeartbeat(at(T0 + 1000)), json);
    s3.resetCounts();
    const third = await checkPulse({ store, config: CONFIG }, { now: at(T0 + 1001) });
    expect(s3.counts).toMatchObject({ LIST: 1, GET: 2, PUT: 1 });
    expect(third.tasks.map((t) => t.state)).toEqual(['late', 'ok', 'missing', 'missing', 'overrun']);
    const memo = await store.get(pulseReadsKey());
    expect(memo).not.toBeNull();
    expect(s3.requests.find((r) => r.key === pulseReadsKey() && r.method === 'PUT')?.headers['x-amz-acl']).toBeUndefined();
  });

  test('a root monitor beside 5,000 objects under another prefix lists one level: one LIST, not one per 1,000 keys; tasks in folders cost one LIST per folder', async () => {
    const bucket = 'shared';
    await s3.createBucket(bucket);
    const store = s3Of(bucket);
    const at = (sec: number) => new Date(sec * 1000);
    for (const name of NAMES) await store.put(heartbeatKey(name), formatHeartbeat(at(T0)), json);
    const archive = Array.from({ length: 5000 }, (_, i) => ({ key: `team-b/archive/${String(i).padStart(5, '0')}.json`, body: '{}' }));
    await s3.writeObjects(bucket, archive);
    // What listing the whole bucket costs (the pulse's listing before it listed one level).
    s3.resetCounts();
    let all = 0;
    for await (const _ of store.list('')) all++;
    expect(s3.counts.LIST).toBe(Math.ceil(all / 1000));
    expect(s3.counts.LIST).toBe(6);
    await checkPulse({ store, config: CONFIG }, { now: at(T0 + 1) }); // cold: writes the memo
    s3.resetCounts();
    const warm = await checkPulse({ store, config: CONFIG }, { now: at(T0 + 2) });
    // The root (its keys, and team-b/, dir/, svcmon-pulse-state/ as one entry each), then dir/ for
    // "dir/nested"; the memo is read (a GET) since its folder is listed; nothing changed, no other GET.
    expect(s3.counts).toMatchObject({ LIST: 2, GET: 1, PUT: 0 });
    const lists = s3.requests.filter((r) => r.bucket === bucket && r.key === '' && r.query['list-type'] === '2').slice(-2);
    expect(lists.map((r) => [r.query.prefix, r.query.delimiter])).toEqual([
      ['', '/'],
      ['dir/nested-', '/'],
    ]);
    const full = await checkPulse({ store, config: CONFIG }, { now: at(T0 + 2), listing: false });
    expect(withoutMs(warm.tasks)).toEqual(withoutMs(full.tasks));
    expect(warm.tasks.map((t) => t.state)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  test('tasks each in their own folder (more than ten in one folder): those folders are listed in one listing, not one LIST each', async () => {
    const bucket = 'hosts';
    await s3.createBucket(bucket);
    const store = s3Of(bucket);
    const names = Array.from({ length: 30 }, (_, i) => `host-${i}/backup`);
    const config = parseConfig(`#hash((period . 600) (tasks . (${names.map((n) => `#hash((name . ${JSON.stringify(n)}))`).join(' ')})))\n`, 'config.rktd');
    const at = new Date(T0 * 1000);
    for (const name of names.slice(0, 20)) await store.put(heartbeatKey(name), formatHeartbeat(at), json);
    await store.put('host-3/other-beat.json', formatHeartbeat(at), json);
    s3.resetCounts();
    const listed = await checkPulse({ store, config }, { now: at });
    // The root, then host-… flat: 41 keys, one page.
    expect(s3.counts).toMatchObject({ LIST: 2, GET: 20 });
    const full = await checkPulse({ store, config }, { now: at, listing: false });
    expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
    expect(listed.tasks.filter((t) => t.state === 'ok')).toHaveLength(20);
  });

  test('a bucket that refuses listing (and so answers 403 for a missing object, as AWS does): every object is read, one warning, the verdicts of a full read', async () => {
    const store = s3Of('refused');
    await store.put(heartbeatKey('plain'), formatHeartbeat(new Date(T0 * 1000)), json);
    await store.put(runStateKey('runner'), JSON.stringify({ running: [{ id: 'r', started: T0 - 2000 }] }), json);
    const now = new Date((T0 + 10) * 1000);
    const events: PulseEvent[] = [];
    s3.resetCounts();
    const listed = await checkPulse({ store, config: CONFIG }, { now, onEvent: (e) => events.push(e) });
    expect(s3.counts.LIST).toBe(1);
    expect(s3.counts.GET).toBe(2 * NAMES.length);
    expect(s3.requests.filter((r) => r.bucket === 'refused' && r.method === 'GET' && r.key !== '').map((r) => r.status)).toContain(403);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'listing-refused' });
    expect(listed.warnings).toEqual([{ code: 'listing-refused', message: expect.stringContaining('s3:ListBucket') }]);
    // What reading every object gives where S3 says 404 for a missing one.
    s3.setBucketOptions('refused', { denyList: false });
    const full = await checkPulse({ store, config: CONFIG }, { now, listing: false });
    s3.setBucketOptions('refused', { denyList: true });
    expect(full.tasks.map((t) => t.state)).toEqual(['ok', 'missing', 'missing', 'missing', 'overrun']);
    expect(listed.tasks.map((t) => t.state)).toEqual(full.tasks.map((t) => t.state));
    for (const [i, t] of listed.tasks.entries()) {
      const f = full.tasks[i]!;
      if (t.state !== 'missing') expect(withoutMs([t])).toEqual(withoutMs([f]));
      // A missing heartbeat says why a 403 was read as "not found".
      else expect(t.reason).toBe(`${f.reason!.slice(0, -1)}: S3 answered 403 AccessDenied, which is how it says "no such object" to credentials without s3:ListBucket)`);
    }
  });

  test('a bucket that refuses listing: the state, the ledger and the failure records not written yet (403s, not 404s) count as none, and pulses go on as where listing works', async () => {
    const site = createServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const siteUrl = `${await listen(site)}/down`;
    const config = `#hash((tasks . (#hash((name . "job") (period . 600)) #hash((name . "mon") (period . 600)))) (sites . (#hash((url . ${JSON.stringify(siteUrl)}) (failures . 2)))))\n`;
    /** Three pulses of monitor "mon" in change mode, a minute apart, on a fresh bucket. */
    const pulses = async (bucket: string, denyList: boolean): Promise<PulseResult[]> => {
      await s3.createBucket(bucket, { denyList });
      const store = s3Of(bucket);
      await store.put('config.rktd', config, { contentType: 'text/plain' });
      await store.put(heartbeatKey('job'), formatHeartbeat(new Date(T0 * 1000)), json);
      // A failed run whose failure record (job-failure.json) was never written.
      await store.put(runStateKey('job'), JSON.stringify({ running: [], failed: { id: 'r1', at: T0 + 1, exit: 3 } }), json);
      const results: PulseResult[] = [];
      for (let i = 0; i < 3; i++) {
        results.push(await takePulse(store, { emailMode: 'change', selfName: 'mon', beat: true, publish: false, now: () => new Date((T0 + 10 + 60 * i) * 1000) }));
      }
      // What the pulses left: the monitor's state and the ledger exist.
      expect(await store.get(pulseStateKey('mon'))).not.toBeNull();
      expect(await store.get(PULSE_LEDGER_KEY)).not.toBeNull();
      return results;
    };
    try {
      const refused = await pulses('refused-state', true);
      const listed = await pulses('listed-state', false);
      const shown = (r: PulseResult) => ({
        code: pulseExitCode(r),
        error: r.error,
        state: r.state?.written,
        ledger: r.ledger?.written,
        beat: r.beat?.written,
        sites: r.sites.map((v) => [v.ok, v.reason, v.pending]),
        tasks: r.tasks.map((v) => [v.state, v.reason]),
      });
      // The site fails once (1 of 2: the pulse stays healthy), then counts as down.
      expect(refused.map((r) => [r.sites[0]?.ok, r.sites[0]?.pending])).toEqual([[true, { count: 1, of: 2 }], [false, undefined], [false, undefined]]);
      expect(refused.map(pulseExitCode)).toEqual([1, 1, 1]); // the failed run of "job"
      expect(refused.map((r) => r.tasks[0]?.reason)).toEqual(Array(3).fill(expect.not.stringContaining('failure details')));
      expect(refused.map((r) => r.warnings?.map((w) => w.code))).toEqual(Array(3).fill(['listing-refused']));
      expect(refused.map(shown)).toEqual(listed.map(shown));
    } finally {
      site.closeAllConnections();
      site.close();
    }
  });

  test('a bucket that refuses listing and has no config.rktd: the error says the 403 may mean there is none', async () => {
    await s3.createBucket('refused-empty', { denyList: true });
    const result = await takePulse(s3Of('refused-empty'), { emailMode: 'none', publish: false });
    expect(pulseExitCode(result)).toBe(3);
    expect(result.error).toBe(
      'reading s3://refused-empty/config.rktd failed: access denied (AccessDenied: Access Denied): these credentials may not read it, or there is none (S3 answered 403 AccessDenied, which is how it says "no such object" to credentials without s3:ListBucket)',
    );
  });

  test('bad objects are remembered by etag like good ones; one the listing shows too large is never read; an unchanged memo is not written again', async () => {
    const store = s3Of('remember');
    await store.put(heartbeatKey('plain'), '{"seconds": "soon"}', json);
    await store.put(heartbeatKey('a b'), Buffer.alloc(MAX_OBJECT_BYTES + 1, 0x20), json);
    await store.put(runStateKey('runner'), 'not json', json);
    const at = new Date(T0 * 1000);
    const gets = () => s3.requests.filter((r) => r.bucket === 'remember' && r.method === 'GET' && r.key !== '' && r.key !== pulseReadsKey()).map((r) => r.key);
    const memoPuts = () => s3.requests.filter((r) => r.bucket === 'remember' && r.method === 'PUT' && r.key === pulseReadsKey()).length;
    const first = await checkPulse({ store, config: CONFIG }, { now: at });
    expect(gets().sort()).toEqual([heartbeatKey('plain'), runStateKey('runner')]);
    expect(memoPuts()).toBe(1);
    const full = await checkPulse({ store, config: CONFIG }, { now: at, listing: false });
    expect(withoutMs(first.tasks)).toEqual(withoutMs(full.tasks));
    expect(first.tasks[0]).toMatchObject({ state: 'malformed', reason: 'malformed heartbeat "plain-beat.json": "seconds" is not an integer: "soon"' });
    expect(first.tasks[1]).toMatchObject({ state: 'malformed', reason: `malformed heartbeat "a b-beat.json": larger than ${MAX_OBJECT_BYTES} bytes, not read` });
    expect(first.tasks[4]).toMatchObject({ state: 'malformed', reason: expect.stringContaining('"runner-run.json"') });
    s3.requests.length = 0;
    const second = await checkPulse({ store, config: CONFIG }, { now: at });
    expect(gets()).toEqual([]);
    expect(memoPuts()).toBe(0);
    expect(withoutMs(second.tasks)).toEqual(withoutMs(full.tasks));
    // Once it changes, it is read again.
    await store.put(heartbeatKey('plain'), formatHeartbeat(at), json);
    s3.requests.length = 0;
    const third = await checkPulse({ store, config: CONFIG }, { now: at });
    expect(gets()).toEqual([heartbeatKey('plain')]);
    expect(third.tasks[0]?.state).toBe('ok');
  });

  test('a listing that fails for another reason: one warning that says what failed once, with a hint; every object is read', async () => {
    const store = s3Of('flaky');
    await store.put(heartbeatKey('plain'), formatHeartbeat(new Date(T0 * 1000)), json);
    s3.injectFault({ match: (r) => r.bucket === 'flaky' && r.method === 'GET' && r.key === '' && r.query['list-type'] === '2', status: 500, code: 'InternalError' });
    try {
      const checks = await checkPulse({ store, config: CONFIG }, { now: new Date(T0 * 1000) });
      expect(checks.warnings).toHaveLength(1);
      const w = checks.warnings![0]!;
      expect(w.code).toBe('listing-failed');
      expect(w.message).toMatch(/^listing s3:\/\/flaky\/ failed: S3 request failed \(InternalError/);
      expect(w.message.match(/listing|list /g)).toHaveLength(1);
      expect(w.message).toContain('reading every heartbeat and run state instead, this pulse (if it lasts, check that the endpoint answers ListObjectsV2)');
      expect(checks.tasks[0]?.state).toBe('ok');
    } finally {
      s3.clearFaults();
    }
  });

  test('a bucket the original wrote, with no svcmon state yet: the first pulse gives the full read’s verdicts', async () => {
    const store = s3Of('golden');
    const config = parseConfig(fixture('config.rktd'), 'config.rktd');
    await store.put('config.rktd', fixture('config.rktd'), { contentType: 'application/data' });
    await store.put('nightly-build-beat.json', fixture('nightly-build-beat.json'), json);
    await store.put('backup-beat.json', fixture('backup-beat.stale.json'), json);
    const now = new Date('2026-11-24T02:55:00Z');
    s3.resetCounts();
    const listed = await checkPulse({ store, config }, { now });
    expect(s3.counts).toMatchObject({ LIST: 1, GET: 2 });
    const full = await checkPulse({ store, config }, { now, listing: false });
    expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
    expect(listed.tasks.find((t) => t.name === 'nightly-build')?.lastBeat).toBeDefined();
  });

  test('a directory store: linked heartbeats and folders, a FIFO and a folder at a key give the full read’s verdicts; a reads file that is a folder is said, read and write', async () => {
    const root = await mkdtemp(join(tmpdir(), 'svcmon-listing-odd-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'svcmon-listing-real-'));
    try {
      const store = dirStore(root);
      const at = new Date(T0 * 1000);
      await dirStore(elsewhere).put(heartbeatKey('plain'), formatHeartbeat(at), json);
      await dirStore(elsewhere).put('nested-beat.json', formatHeartbeat(at), json);
      await symlink(join(elsewhere, heartbeatKey('plain')), join(root, heartbeatKey('plain')));
      await symlink(elsewhere, join(root, 'dir')); // dir/nested-beat.json, through a linked folder
      expect(spawnSync('mkfifo', [join(root, heartbeatKey('a b'))]).status).toBe(0);
      await mkdir(join(root, heartbeatKey('ü?#%"')));
      await mkdir(join(root, pulseReadsKey()), { recursive: true });
      const full = await checkPulse({ store, config: CONFIG }, { now: at, listing: false });
      expect(full.tasks.map((t) => t.state)).toEqual(['ok', 'error', 'error', 'ok', 'missing']);
      expect(full.tasks[1]?.reason).toBe(`cannot read heartbeat: "a b-beat.json" in ${root} is a FIFO (named pipe), not a regular file (move it away)`);
      expect(full.tasks[2]?.reason).toBe(`cannot read heartbeat: "ü?#%\\"-beat.json" in ${root} is a directory, not a file (move it away, or remove it if it is empty)`);
      for (let i = 0; i < 2; i++) {
        const listed = await checkPulse({ store, config: CONFIG }, { now: at });
        expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
        // Its folder is listed at the root, not the folder it is in: it is read, and that says what is wrong.
        expect(listed.warnings).toEqual([
          {
            code: 'reads-not-used',
            message: `cannot use what this monitor remembered: "${pulseReadsKey()}" in ${root} is a directory, not a file (move it away, or remove it if it is empty); reading every listed object`,
          },
          {
            code: 'reads-not-saved',
            message: `cannot remember what this pulse read: "${pulseReadsKey()}" in ${root} is a directory, not a file (move it away, or remove it if it is empty)`,
          },
        ]);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test(`a heartbeat bigger than ${MAX_OBJECT_BYTES} bytes fails its task with a reason, and is not read whole`, async () => {
    const store = s3Of('big');
    await store.put(heartbeatKey('plain'), Buffer.alloc(8 * 1024 * 1024, 0x20), json);
    for (const listing of [true, false]) {
      s3.resetCounts();
      const checks = await checkPulse({ store, config: CONFIG }, { now: new Date(T0 * 1000), listing });
      expect(checks.tasks[0]).toMatchObject({ state: 'malformed', ok: false });
      expect(checks.tasks[0]?.reason).toBe(`malformed heartbeat "plain-beat.json": larger than ${MAX_OBJECT_BYTES} bytes, not read`);
      expect(checks.tasks[1]?.state).toBe('missing');
      // The listing's size says it is too large: not even a GET (a full read asks for every object).
      expect(s3.counts.GET).toBe(listing ? 0 : 2 * NAMES.length);
    }
  });
});
