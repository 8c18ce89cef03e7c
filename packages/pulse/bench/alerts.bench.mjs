// What the alerting features cost a pulse (built dist: `pnpm --filter @svcmon/pulse build` first):
// state read + conditional write and pulse.json + badge, against s3rver on loopback, with a full
// 100-verdict history per check, compared with the same pulse with `state: false, publish: false`
// measured in the same run.
//
//   node bench/alerts.bench.mjs [tasks=1000] [rounds=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { takePulse, pulseStateKey } = await import('@svcmon/pulse');
const { openStore, writeConfig, writeHeartbeat } = await import('@svcmon/store');

const TASKS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
const SITES = 50;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const S3rver = createRequire(join(here, '../../../internal/testkit/package.json'))('s3rver');
const dir = mkdtempSync(join(tmpdir(), 'svcmon-alerts-bench-'));
const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bench' }] });
const { port } = await s3.run();
const storeOptions = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials, onWarning: () => {} };
const web = createServer((_req, res) => res.writeHead(200).end('ok\n'));
await new Promise((r) => web.listen(0, '127.0.0.1', r));
const siteBase = `http://127.0.0.1:${web.address().port}`;

const store = openStore('bench', storeOptions);
const tasks = Array.from({ length: TASKS }, (_, i) => ({ name: `task-${i}`, period: 3600 }));
await writeConfig(store, { tasks, sites: Array.from({ length: SITES }, (_, i) => ({ url: `${siteBase}/s${i}` })) }, {});
for (let i = 0; i < TASKS; i += 50) await Promise.all(tasks.slice(i, i + 50).map((t) => writeHeartbeat(store, t.name)));

// A full history: 100 verdicts per check.
await takePulse(store, { emailMode: 'none', bucket: 'bench' });
const state = JSON.parse((await store.get(pulseStateKey())).body.toString());
for (const c of Object.values(state.checks)) c.history = '1'.repeat(100);
await store.put(pulseStateKey(), JSON.stringify(state), { contentType: 'application/json', publicRead: false });

const variants = {
  base: { state: false, publish: false },
  withState: { publish: false },
  full: {},
  change: { emailMode: 'change' },
};
// Interleaved, after one warm-up round, so that warm-up and machine noise hit every variant alike.
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = -1; i < ROUNDS; i++) {
  for (const [name, options] of Object.entries(variants)) {
    const t = performance.now();
    const r = await takePulse(store, { emailMode: 'none', ...options });
    if (i >= 0) times[name].push(performance.now() - t);
    if (!r.ok) throw new Error(r.error ?? 'pulse failed');
  }
}
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const [base, withState, full, change] = ['base', 'withState', 'full', 'change'].map((k) => median(times[k]));
const stateBytes = (await store.get(pulseStateKey())).body.length;
const pulseBytes = (await store.get('pulse.json')).body.length;
const f = (n) => `${Math.round(n)} ms`;
console.log(`${TASKS} tasks + ${SITES} sites, median of ${ROUNDS} pulses, s3rver on loopback`);
console.log(`  baseline (state: false, publish: false)   ${f(base)}  1.00×`);
console.log(`  + state (read, conditional write)         ${f(withState)}  ${(withState / base).toFixed(2)}×`);
console.log(`  + pulse.json and badge (default)          ${f(full)}  ${(full / base).toFixed(2)}×`);
console.log(`  change mode (nothing changed)             ${f(change)}  ${(change / base).toFixed(2)}×`);
console.log(`  state object ${(stateBytes / 1024).toFixed(0)} KiB, pulse.json ${(pulseBytes / 1024).toFixed(0)} KiB`);
web.close();
await s3.close();
rmSync(dir, { recursive: true, force: true });
