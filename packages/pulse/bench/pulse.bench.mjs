// Benchmark of takePulse against s3rver on loopback (built dist: run `pnpm --filter @svcmon/pulse build` first).
//
//   node bench/pulse.bench.mjs            # full run
//   node bench/pulse.bench.mjs --quick    # smaller contrast run
//
// 1. 1,000 tasks + 50 sites of which 10 hang, site timeout 2 s: wall time as a ratio to the
//    2 s timeout (goal ≤ 1.5×), with the default bounds and with one check at a time.
// 2. Peak RSS of a child process taking a pulse of 10,000 tasks (goal ≤ 150 MiB).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { takePulse } = await import('@svcmon/pulse');
const { openStore, writeConfig, writeHeartbeat } = await import('@svcmon/store');

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const storeOptions = (endpoint) => ({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, publicRead: false, onWarning: () => {} });

async function childRss(endpoint, bucket) {
  // Child mode: take one pulse, report peak RSS (process.resourceUsage().maxRSS is in KiB).
  const peak = { heapTotal: 0, heapUsed: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], Math.round(m[k] / 1048576));
  }, 50);
  const started = performance.now();
  const concurrency = process.argv[5] ? Number(process.argv[5]) : undefined;
  const result = await takePulse(bucket, { ...storeOptions(endpoint), emailMode: 'none', ...(concurrency ? { concurrency } : {}) });
  const ms = performance.now() - started;
  clearInterval(sampler);
  const mem = process.memoryUsage();
  process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, heapMiB: Math.round(mem.heapUsed / 1048576), peakMiB: peak, ms, tasks: result.tasks.length, ok: result.ok, error: result.error }) + '\n');
}

if (process.argv[2] === '--child-rss') {
  await childRss(process.argv[3], process.argv[4]);
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const rssOnly = process.argv.includes('--rss-only');
const S3rver = createRequire(join(here, '../../../internal/testkit/package.json'))('s3rver');
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-'));
const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bench' }, { name: 'bench10k' }] });
const { port: s3port } = await s3.run();
const endpoint = `http://127.0.0.1:${s3port}`;

const hanging = new Set();
const web = createServer((req, res) => {
  if (req.url?.startsWith('/hang')) { hanging.add(res); return; }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
});
await new Promise((r) => web.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${web.address().port}`;

async function fill(bucket, taskCount, siteCount, hangCount) {
  const store = openStore(bucket, storeOptions(endpoint));
  const tasks = Array.from({ length: taskCount }, (_, i) => ({ name: `task-${String(i).padStart(5, '0')}` }));
  const sites = Array.from({ length: siteCount }, (_, i) => ({ url: i < hangCount ? `${base}/hang/${i}` : `${base}/ok/${i}` }));
  await writeConfig(store, { tasks, sites, timeout: 2 }, {});
  const now = new Date();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < tasks.length) await writeHeartbeat(store, tasks[next++].name, { now });
  }));
}

async function time(bucket, concurrency) {
  const peak = { heapTotal: 0, heapUsed: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], Math.round(m[k] / 1048576));
  }, 50);
  const started = performance.now();
  // `concurrency` bounds the store reads, `siteConcurrency` the sites: both, for one check at a time.
  const result = await takePulse(openStore(bucket, storeOptions(endpoint)), { bucket, emailMode: 'none', ...(concurrency ? { concurrency, siteConcurrency: concurrency } : {}) });
  const ms = performance.now() - started;
  const down = result.sites.filter((s) => !s.ok).length;
  if (result.error) throw new Error(result.error);
  return { ms, down, tasksOk: result.tasks.filter((t) => t.ok).length };
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
try {
  if (!rssOnly) {
  console.log('filling 1,000 tasks + 50 sites (10 hang)…');
  await fill('bench', 1000, 50, 10);
  const warm = await time('bench'); // warm-up (JIT, sockets)
  void warm;
  const a = await time('bench');
  console.log(`default bounds (store reads 32, sites 1024): ${fmt(a.ms)} = ${(a.ms / 2000).toFixed(2)}× the 2 s site timeout (goal ≤ 1.5×); ${a.down} sites down, ${a.tasksOk} tasks ok`);
  if (quick) {
    await fill('bench10k', 100, 50, 10);
    const b = await time('bench10k', 1);
    console.log(`concurrency 1 (100 tasks + 50 sites, 10 hang): ${fmt(b.ms)} = ${(b.ms / 2000).toFixed(1)}× the timeout`);
  } else {
    const b = await time('bench', 1);
    console.log(`concurrency 1 (as the original, one at a time): ${fmt(b.ms)} = ${(b.ms / 2000).toFixed(1)}× the 2 s site timeout`);
  }

  }
  console.log('filling 10,000 tasks…');
  await fill('bench10k', 10000, 0, 0);
  const base = JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify({maxRssKiB: process.resourceUsage().maxRSS}))'], { encoding: 'utf8' }));
  console.log(`a bare node process: peak RSS ${(base.maxRssKiB / 1024).toFixed(0)} MiB`);
  for (const flags of [[], ['--max-semi-space-size=4']]) {
    // Asynchronously: s3rver runs in this process and must keep answering.
    const { stdout: out } = await promisify(execFile)(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child-rss', endpoint, 'bench10k'], { encoding: 'utf8' });
    const child = JSON.parse(out.trim().split('\n').at(-1));
    console.log(
      `10,000 tasks${flags.length ? ` (node ${flags.join(' ')})` : ''}: pulse ${fmt(child.ms)}, peak RSS ${(child.maxRssKiB / 1024).toFixed(0)} MiB (goal ≤ 150 MiB), ` +
        `peak V8 heap ${child.peakMiB.heapTotal} MiB total / ${child.peakMiB.heapUsed} MiB used, ${child.tasks} tasks checked, ok=${child.ok}${child.error ? `, error: ${child.error}` : ''}`,
    );
  }
} finally {
  for (const res of hanging) res.destroy();
  web.closeAllConnections();
  web.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
}
