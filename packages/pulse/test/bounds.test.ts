// Every object a pulse reads has a fixed bound (the store's MAX_*_BYTES): one over it is that
// object's error, named with its key and the bound, and the pulse goes on. On a directory store
// and on s3rver; the huge objects are sparse files (a directory's, or s3rver's own).
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dirStore,
  failureKey,
  formatHeartbeat,
  heartbeatKey,
  MAX_FAILURE_BYTES,
  MAX_STATE_BYTES,
  parseConfig,
  runStateKey,
  s3Store,
  writeConfig,
  type Store,
} from '@svcmon/store';
import { startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkPulse, MAX_EMAIL_CONFIG_BYTES, pulseReadsKey, pulseStateKey, readEmailConfig, takePulse } from '../src/index.js';

const T0 = 1_795_488_696;
const CONFIG = parseConfig('#hash((tasks . (#hash((name . "plain") (period . 600)) #hash((name . "job") (period . 600)))))\n', 'config.rktd');
const json = { contentType: 'application/json' };

interface Target {
  store: Store;
  /** Makes `key` an object of `size` zero bytes without writing them. */
  huge(key: string, size: number): Promise<void>;
}

let s3: S3TestServer;
let dir: string;
beforeAll(async () => {
  s3 = await startS3({ buckets: ['bounds'] });
  dir = await mkdtemp(join(tmpdir(), 'svcmon-bounds-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const targets: Array<[string, () => Target]> = [
  [
    'directory',
    () => ({
      store: dirStore(dir),
      async huge(key, size) {
        const file = join(dir, ...key.split('/'));
        await dirStore(dir).put(key, '', json);
        await truncate(file, size);
      },
    }),
  ],
  [
    's3rver',
    () => ({
      store: s3Store({ bucket: 'bounds', endpoint: s3.endpoint, credentials: s3.credentials }),
      async huge(key, size) {
        await s3.writeObjects('bounds', [{ key, body: { zeros: size }, contentType: 'application/json' }]);
      },
    }),
  ],
];

describe.each(targets)('bounds on a %s store', (_kind, open) => {
  test('a failure record over MAX_FAILURE_BYTES: that task fails naming the record and the bound; the others are judged', async () => {
    const { store, huge } = open();
    await writeConfig(store, CONFIG);
    await store.put(heartbeatKey('plain'), formatHeartbeat(new Date(T0 * 1000)), json);
    await store.put(runStateKey('job'), JSON.stringify({ running: [], failed: { id: 'r1', at: T0, exit: 2 } }), json);
    await huge(failureKey('job'), MAX_FAILURE_BYTES + 1);
    for (const listing of [true, false]) {
      const checks = await checkPulse({ store, config: CONFIG }, { now: new Date((T0 + 10) * 1000), listing });
      expect(checks.tasks[0]).toMatchObject({ name: 'plain', state: 'ok' });
      const job = checks.tasks[1]!;
      expect(job.ok).toBe(false);
      expect(job.state).toBe('failed');
      expect(job.reason).toContain(`failure details not read: ${JSON.stringify(failureKey('job'))}`);
      expect(job.reason).toContain(`at most ${MAX_FAILURE_BYTES} bytes`);
    }
    await store.delete(failureKey('job'));
    await store.delete(runStateKey('job'));
  });

  test('a pulse state over MAX_STATE_BYTES is not read: the state’s error names it, the checks and pulse.json go on', async () => {
    const { store, huge } = open();
    await writeConfig(store, CONFIG);
    await huge(pulseStateKey(), MAX_STATE_BYTES + 1);
    const result = await takePulse(store, { emailMode: 'none', now: () => new Date((T0 + 10) * 1000) });
    expect(result.tasks.map((t) => t.name)).toEqual(['plain', 'job']);
    expect(result.state).toMatchObject({ written: false, key: pulseStateKey() });
    expect(result.state?.error).toContain(JSON.stringify(pulseStateKey()));
    expect(result.state?.error).toContain(`at most ${MAX_STATE_BYTES} bytes`);
    expect(result.published).toEqual({ ok: true });
    await store.delete(pulseStateKey());
  });

  test('a remembered-reads object over MAX_STATE_BYTES is not used: one warning, every listed object read, the full read’s verdicts', async () => {
    const { store, huge } = open();
    await writeConfig(store, CONFIG);
    await store.put(heartbeatKey('plain'), formatHeartbeat(new Date(T0 * 1000)), json);
    await huge(pulseReadsKey(), MAX_STATE_BYTES + 1);
    const now = new Date((T0 + 10) * 1000);
    const listed = await checkPulse({ store, config: CONFIG }, { now });
    const full = await checkPulse({ store, config: CONFIG }, { now, listing: false });
    expect(listed.warnings).toHaveLength(1);
    expect(listed.warnings?.[0]).toMatchObject({ code: 'reads-not-used' });
    expect(listed.warnings?.[0]?.message).toContain(`at most ${MAX_STATE_BYTES} bytes`);
    const withoutMs = (ts: typeof full.tasks) => ts.map(({ ms: _ms, ...rest }) => rest);
    expect(withoutMs(listed.tasks)).toEqual(withoutMs(full.tasks));
    // What it read replaces the refused object.
    expect((await store.get(pulseReadsKey(), { maxBytes: 4096 }))?.body.length).toBeLessThan(4096);
  });
});

test(`an e-mail config over MAX_EMAIL_CONFIG_BYTES (${MAX_EMAIL_CONFIG_BYTES} bytes) is refused naming the file and the bound`, async () => {
  const file = join(dir, 'email.rktd');
  await writeFile(file, `#hash((server . "127.0.0.1"))${' '.repeat(MAX_EMAIL_CONFIG_BYTES)}`);
  const e = await readEmailConfig(file).catch((err: unknown) => err);
  expect(e).toMatchObject({ name: 'PulseError', code: 'E_EMAIL_CONFIG' });
  expect((e as Error).message).toContain(file);
  expect((e as Error).message).toContain(`${MAX_EMAIL_CONFIG_BYTES} bytes`);
  await writeFile(file, '#hash((server . "127.0.0.1"))');
  await expect(readEmailConfig(file)).resolves.toMatchObject({ server: '127.0.0.1' });
});
