// The pulse reads only what changed (a listing plus what it remembered), and its verdicts are
// exactly the full read's: a property over random histories of beats, runs, deletions and
// rewrites, with an injected clock, on a directory store and on s3rver.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dirStore, formatHeartbeat, heartbeatKey, parseConfig, runStateKey, s3Store, type Config, type Store } from '@svcmon/store';
import { propertySeed, startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkPulse, MAX_OBJECT_BYTES, pulseReadsKey, type PulseEvent, type TaskVerdict } from '../src/index.js';
import { fixture } from './_fixtures.js';

const NAMES = ['plain', 'a b', 'ü?#%"', 'dir/nested', 'runner'];
const CONFIG: Config = parseConfig(
  `#hash((period . 600) (tasks . (${NAMES.map((n, i) =>
    i === 4 ? `#hash((name . ${JSON.stringify(n)}) (max-duration . 900))` : `#hash((name . ${JSON.stringify(n)}) (period . ${60 * (i + 1)}))`,
  ).join(' ')})))\n`,
  'config.rktd',
);
const T0 = 1_795_488_696;

type Step =
  | { op: 'beat'; task: number; at: number }
  | { op: 'same'; task: number }
  | { op: 'junk'; task: number }
  | { op: 'run'; task: number; running: number; failed: boolean; at: number }
  | { op: 'unbeat'; task: number }
  | { op: 'unrun'; task: number }
  | { op: 'tick'; seconds: number }
  | { op: 'pulse' };

const task = fc.nat({ max: NAMES.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('beat' as const), task, at: fc.integer({ min: -400, max: 400 }) }),
  fc.record({ op: fc.constant('same' as const), task }),
  fc.record({ op: fc.constant('junk' as const), task }),
  fc.record({ op: fc.constant('run' as const), task, running: fc.nat({ max: 2 }), failed: fc.boolean(), at: fc.integer({ min: -2000, max: 0 }) }),
  fc.record({ op: fc.constant('unbeat' as const), task }),
  fc.record({ op: fc.constant('unrun' as const), task }),
  fc.record({ op: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 1500 }) }),
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
        await store.put(heartbeatKey(NAMES[s.task]!), body, json);
        break;
      }
      case 'same': // a rewrite with the same content: same etag
        await store.put(heartbeatKey(NAMES[s.task]!), last.get(s.task) ?? formatHeartbeat(new Date(now * 1000)), json);
        break;
      case 'junk':
        last.delete(s.task);
        await store.put(heartbeatKey(NAMES[s.task]!), '{"seconds": "soon"}', json);
        break;
      case 'run': {
        const state = {
          running: Array.from({ length: s.running }, (_, i) => ({ id: `r${i}`, started: now + s.at - i })),
          ...(s.failed ? { failed: { id: 'f', at: now + s.at, exit: 2 } } : {}),
        };
        await store.put(runStateKey(NAMES[s.task]!), JSON.stringify(state), json);
        break;
      }
      case 'unbeat':
        last.delete(s.task);
        await store.delete(heartbeatKey(NAMES[s.task]!));
        break;
      case 'unrun':
        await store.delete(runStateKey(NAMES[s.task]!));
        break;
      case 'tick':
        now += s.seconds;
        break;
      case 'pulse': {
        const at = new Date(now * 1000);
        const full = await checkPulse({ store, config: CONFIG }, { now: at, listing: false });
        const listed = await checkPulse({ store, config: CONFIG }, { now: at });
        expect(listed.warnings).toBeUndefined();
        expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
        break;
      }
    }
  }
}

async function clear(store: Store): Promise<void> {
  const keys = [];
  for await (const o of store.list('')) keys.push(o.key);
  for (const k of keys) await store.delete(k);
}

const SEED = propertySeed('LISTING_SEED', 'listed reads = full reads');

describe('a pulse from a listing gives the full read’s verdicts', () => {
  let s3: S3TestServer;
  let dir: string;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['prop', 'counted', 'refused', 'golden', 'big'] });
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
  });

  test('property: s3rver', async () => {
    const store = s3Of('prop');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        await clear(store);
        await play(store, steps);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

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

  test('a bucket that refuses listing: every object is read, one warning, the same verdicts', async () => {
    const store = s3Of('refused');
    await store.put(heartbeatKey('plain'), formatHeartbeat(new Date(T0 * 1000)), json);
    const events: PulseEvent[] = [];
    s3.resetCounts();
    const listed = await checkPulse({ store, config: CONFIG }, { now: new Date((T0 + 10) * 1000), onEvent: (e) => events.push(e) });
    expect(s3.counts.LIST).toBe(1);
    expect(s3.counts.GET).toBe(2 * NAMES.length);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'listing-refused' });
    expect(listed.warnings?.[0]).toContain('s3:ListBucket');
    const full = await checkPulse({ store, config: CONFIG }, { now: new Date((T0 + 10) * 1000), listing: false });
    expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
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

  test(`a heartbeat bigger than ${MAX_OBJECT_BYTES} bytes fails its task with a reason, and is not read whole`, async () => {
    const store = s3Of('big');
    await store.put(heartbeatKey('plain'), Buffer.alloc(8 * 1024 * 1024, 0x20), json);
    for (const listing of [true, false]) {
      const checks = await checkPulse({ store, config: CONFIG }, { now: new Date(T0 * 1000), listing });
      expect(checks.tasks[0]).toMatchObject({ state: 'malformed', ok: false });
      expect(checks.tasks[0]?.reason).toContain(`larger than ${MAX_OBJECT_BYTES} bytes`);
      expect(checks.tasks[1]?.state).toBe('missing');
    }
  });
});
