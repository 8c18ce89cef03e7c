// A pulse at S3's floor: requests, wall time and peak RSS of pulses that list the bucket and
// read only what changed, against today's reads (listing refused) as the baseline, in one run.
// s3rver on loopback behind the testkit proxy (which answers ListObjectsV2 and counts requests);
// each pulse runs in a child process (its peak RSS is the pulse's). Build first:
//   pnpm --filter @svcmon/pulse --filter @svcmon/testkit build
//   node bench/listing.bench.mjs [tasks ...]        # default: 1000 10000
// Sites: tasks / 20, of which a fifth hang (10,000 tasks: 500 sites, 100 hang); site timeout 2 s.
// Warm: 1 task in 12 beat since the previous pulse. The heartbeats are written straight into
// s3rver's files (the testkit's writeObjects: 100,000 PUTs would take minutes).
// Each pulse child limits V8's young generation as `svcmon pulse` does (limitYoungGeneration),
// and one more warm pulse runs with V8's default heap, for the comparison.
// BENCH_CPU_PROF=<dir>: the warm pulse writes a CPU profile there (node --cpu-prof).
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const storeOptions = (endpoint) => ({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, publicRead: false, onWarning: () => {} });
const TIMEOUT_MS = 2000;

if (process.argv[2] === '--child') {
  const { takePulse, limitYoungGeneration } = await import('@svcmon/pulse');
  if (process.argv[5] !== 'default-heap') limitYoungGeneration();
  const { openStore } = await import('@svcmon/store');
  const [, , , endpoint, bucket] = process.argv;
  const started = performance.now();
  // When each stage ended (ms from the start): where a pulse's time goes.
  const at = {};
  /** RSS (MiB) when each stage ended, from a sample every 50 ms (reading it costs: not once per event). */
  const rss = {};
  let sampled = process.memoryUsage.rss();
  setInterval(() => (sampled = process.memoryUsage.rss()), 50).unref();
  const mark = (what) => {
    at[what] = Math.round(performance.now() - started);
    rss[what] = Math.round(sampled / 1048576);
  };
  const onEvent = (e) => {
    if (e.type === 'checks-planned') mark('config');
    else if (e.type === 'task-checked') mark('tasks');
    else if (e.type === 'site-checked') mark('sites');
    else if (e.type === 'report') mark('evaluated');
    else if (e.type === 'state-result') mark('state');
    else if (e.type === 'published') mark('published');
  };
  const result = await takePulse(openStore(bucket, storeOptions(endpoint)), { emailMode: 'none', onEvent });
  const ms = performance.now() - started;
  process.stdout.write(
    JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, tasks: result.tasks.length, error: result.error, warnings: result.warnings?.length ?? 0, at, rss, down: result.sites.filter((s) => !s.ok).length }) + '\n',
  );
  process.exit(0);
}

// The testkit ships TypeScript; its S3 server is one file Node runs with its type stripping.
const { startS3 } = await import(new URL('../../../internal/testkit/src/s3.ts', import.meta.url).href);
const { formatHeartbeat, HEARTBEAT_CACHE_CONTROL, HEARTBEAT_CONTENT_TYPE, openStore, writeConfig } = await import('@svcmon/store');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(1000, 10000);

const s3 = await startS3({ buckets: sizes.map((n) => `bench-${n}`), record: false });
const hanging = new Set();
const web = createServer((req, res) => {
  if (req.url?.startsWith('/hang')) return void hanging.add(res);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
});
await new Promise((r) => web.listen(0, '127.0.0.1', r));
const siteBase = `http://127.0.0.1:${web.address().port}`;

const name = (i) => `task-${String(i).padStart(6, '0')}`;
async function beat(bucket, indexes, now) {
  const body = formatHeartbeat(now);
  await s3.writeObjects(bucket, (function* () {
    for (const i of indexes) yield { key: `${name(i)}-beat.json`, body, contentType: HEARTBEAT_CONTENT_TYPE, cacheControl: HEARTBEAT_CACHE_CONTROL };
  })());
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function pulse(bucket, { profile = false, heap = 'limited' } = {}) {
  s3.resetCounts();
  const flags = profile && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const args = [...flags, fileURLToPath(import.meta.url), '--child', s3.endpoint, bucket, heap === 'default' ? 'default-heap' : 'limited-heap'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const child = JSON.parse(stdout.trim().split('\n').at(-1));
  if (child.error) throw new Error(child.error);
  return { ...child, counts: { ...s3.counts } };
}

const fmt = (r) => {
  const c = r.counts;
  const total = c.LIST + c.GET + c.PUT + c.DELETE + c.HEAD + c.OTHER;
  return `${total} requests (LIST ${c.LIST}, GET ${c.GET}, PUT ${c.PUT}), ${(r.ms / 1000).toFixed(2)} s = ${(r.ms / TIMEOUT_MS).toFixed(2)}× the timeout, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB${r.warnings ? `, ${r.warnings} warning` : ''}; stages ended at (ms) ${JSON.stringify(r.at)}, RSS then (MiB) ${JSON.stringify(r.rss)}; load ${load()}`;
};
const monthly = (c) => ((c.GET * 0.0004 + (c.LIST + c.PUT) * 0.005) / 1000) * 12 * 24 * 30;

const rows = [];
console.log(`load average at the start: ${load()}`);
try {
  for (const n of sizes) {
    const bucket = `bench-${n}`;
    const store = openStore(bucket, storeOptions(s3.endpoint));
    const siteCount = Math.max(1, Math.round(n / 20));
    const sites = Array.from({ length: siteCount }, (_, i) => ({ url: i < siteCount / 5 ? `${siteBase}/hang/${i}` : `${siteBase}/ok/${i}` }));
    const t0 = performance.now();
    await writeConfig(store, { tasks: Array.from({ length: n }, (_, i) => ({ name: name(i), period: 3600 })), sites, timeout: TIMEOUT_MS / 1000 }, {});
    await beat(bucket, Array.from({ length: n }, (_, i) => i), new Date());
    console.log(`${n} tasks, ${siteCount} sites (${Math.ceil(siteCount / 5)} hang): filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    s3.resetCounts();
    const l0 = performance.now();
    let listed = 0;
    for await (const o of store.list('')) listed += o ? 1 : 0;
    const floorMs = performance.now() - l0;
    console.log(`  listing floor: ${listed} keys in ${s3.counts.LIST} LIST requests, ${(floorMs / 1000).toFixed(2)} s`);

    const cold = await pulse(bucket);
    console.log(`  cold (first ever):  ${fmt(cold)}`);
    const warmBeats = Array.from({ length: Math.ceil(n / 12) }, (_, i) => i * 12);
    await beat(bucket, warmBeats, new Date(Date.now() + 1000));
    const warmDefault = await pulse(bucket, { heap: 'default' });
    console.log(`  warm, V8's default heap: ${fmt(warmDefault)}`);
    await beat(bucket, warmBeats, new Date(Date.now() + 2000));
    const warm = await pulse(bucket, { profile: true });
    console.log(`  warm (1 in 12 beat): ${fmt(warm)}`);
    console.log(`  limited young generation against the default: peak RSS ${(warm.maxRssKiB / warmDefault.maxRssKiB).toFixed(2)}×, wall ${(warm.ms / warmDefault.ms).toFixed(2)}×`);
    // The test server's floor for that pulse: its listing and as many GETs (32 at a time) from
    // here, one after the other, and at once (the pulse overlaps them).
    const keys = Array.from({ length: warm.counts.GET }, (_, i) => `${name((i * 12) % n)}-beat.json`);
    const gets = async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < keys.length) await store.get(keys[next++]);
      }));
    };
    const g0 = performance.now();
    await gets();
    const getFloorMs = performance.now() - g0;
    const o0 = performance.now();
    await Promise.all([gets(), (async () => { for await (const o of store.list('')) listed += o ? 0 : 1; })()]);
    const overlapMs = performance.now() - o0;
    console.log(`  server floor of the warm pulse: listing ${(floorMs / 1000).toFixed(2)} s + ${keys.length} GETs ${(getFloorMs / 1000).toFixed(2)} s = ${((floorMs + getFloorMs) / TIMEOUT_MS).toFixed(2)}× the timeout one after the other, ${(overlapMs / 1000).toFixed(2)} s = ${(overlapMs / TIMEOUT_MS).toFixed(2)}× at once; load ${load()}`);
    s3.setBucketOptions(bucket, { denyList: true });
    const refused = await pulse(bucket);
    s3.setBucketOptions(bucket, { denyList: false });
    console.log(`  listing refused (today's reads): ${fmt(refused)}`);
    rows.push({ n, floorMs, cold, warm, refused, overlapMs });
  }
  console.log('\nmonthly S3 request cost of a 5-minute pulse (GET $0.0004, LIST/PUT $0.005 per 1,000):');
  for (const r of rows) {
    console.log(`  ${r.n} tasks: listing refused $${monthly(r.refused.counts).toFixed(2)}, warm with listing $${monthly(r.warm.counts).toFixed(2)}`);
  }
} finally {
  for (const res of hanging) res.destroy();
  web.closeAllConnections();
  web.close();
  await s3.stop();
}
