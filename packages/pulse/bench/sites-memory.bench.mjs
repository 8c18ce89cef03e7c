// What the site checks cost in memory: peak RSS of one checkSites over N loopback sites of which a
// fifth hang (as listing.bench.mjs: 500 sites for 10,000 tasks, 5,000 for 100,000), site timeout
// 2 s, each run in its own child process (its maxRSS is the checks'), in one run, interleaved:
//   - bare: the same child, modules loaded, nothing checked (the floor);
//   - checkSites: node:http / node:https, one connection per check (today's);
//   - fetch: the same GETs through the global fetch (Node's undici), as the checks did before:
//     redirect 'manual', AbortSignal.timeout, body cancelled, the same bound of 1024 in flight.
// Per run: peak RSS, wall time (× the timeout: hanging sites must not queue), V8's new and old
// space at the peak sample, and how many sites were down (must be the hanging ones).
// Build first: pnpm --filter @svcmon/pulse build
//   node bench/sites-memory.bench.mjs [sites ...]     # default: 500 5000; BENCH_ROUNDS (3)
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const TIMEOUT_S = 2;
const BOUND = 1024;

if (process.argv[2] === '--child') {
  const [, , , base, count, variant] = process.argv;
  const n = Number(count);
  const { checkSites } = await import('@svcmon/pulse');
  const sites = Array.from({ length: n }, (_, i) => ({ url: i < n / 5 ? `${base}/hang/${i}` : `${base}/ok/${i}` }));
  const mib = (b) => Math.round(b / 1048576);
  let peak = { rss: process.memoryUsage.rss(), spaces: {} };
  const sample = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss <= peak.rss) return;
    const spaces = Object.fromEntries(getHeapSpaceStatistics().filter((s) => s.space_name === 'new_space' || s.space_name === 'old_space').map((s) => [s.space_name, mib(s.space_size)]));
    peak = { rss, spaces };
  }, 20);
  const started = performance.now();
  let down = 0;
  if (variant === 'checkSites') {
    down = (await checkSites(sites, { config: { timeout: TIMEOUT_S } })).filter((v) => !v.ok).length;
  } else if (variant === 'fetch') {
    // The former check's requests (no redirect here: every site answers or hangs).
    let active = 0;
    const waiting = [];
    const bounded = async (job) => {
      if (active >= BOUND) await new Promise((r) => waiting.push(r));
      active++;
      try {
        return await job();
      } finally {
        active--;
        waiting.shift()?.();
      }
    };
    const one = async (url) => {
      try {
        const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_S * 1000), headers: { 'user-agent': 'svcmon-pulse', accept: '*/*' } });
        await res.body?.cancel().catch(() => undefined);
        return res.status < 400;
      } catch {
        return false;
      }
    };
    down = (await Promise.all(sites.map((s) => bounded(() => one(s.url))))).filter((ok) => !ok).length;
  }
  const ms = performance.now() - started;
  clearInterval(sample);
  process.stdout.write(`${JSON.stringify({ ms, maxRss: mib(process.resourceUsage().maxRSS * 1024), down, spaces: peak.spaces })}\n`);
  process.exit(0);
}

const hanging = new Set();
const web = createServer((req, res) => {
  if (req.url?.startsWith('/hang')) return void hanging.add(res);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
});
// The default backlog (511) drops connections when 1,024 open at once.
await new Promise((r) => web.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
const base = `http://127.0.0.1:${web.address().port}`;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(500, 5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function child(n, variant) {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', base, String(n), variant], { encoding: 'utf8' });
  for (const res of hanging) res.destroy();
  hanging.clear();
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

console.log(`load average at the start: ${load()}`);
try {
  for (const n of sizes) {
    const runs = { bare: [], checkSites: [], fetch: [] };
    for (let round = 0; round < rounds; round++) for (const variant of Object.keys(runs)) runs[variant].push(await child(n, variant));
    const bare = median(runs.bare.map((r) => r.maxRss));
    console.log(`${n} sites (${Math.ceil(n / 5)} hang), median of ${rounds}; bare child ${bare} MiB:`);
    for (const variant of ['checkSites', 'fetch']) {
      const rs = runs[variant];
      const rss = median(rs.map((r) => r.maxRss));
      const ms = median(rs.map((r) => r.ms));
      const at = rs.find((r) => r.maxRss === rss);
      console.log(
        `  ${variant.padEnd(10)} peak RSS ${rss} MiB (+${rss - bare} over bare), wall ${(ms / 1000).toFixed(2)} s = ${(ms / 1000 / TIMEOUT_S).toFixed(2)}× the timeout, down ${rs.map((r) => r.down).join('/')} (expected ${Math.ceil(n / 5)}), at the peak new space ${at.spaces.new_space} MiB, old ${at.spaces.old_space} MiB`,
      );
    }
    const ratio = (median(runs.checkSites.map((r) => r.maxRss)) - bare) / (median(runs.fetch.map((r) => r.maxRss)) - bare);
    console.log(`  checkSites over bare / fetch over bare: ${ratio.toFixed(2)}; load ${load()}`);
  }
} finally {
  for (const res of hanging) res.destroy();
  web.closeAllConnections();
  web.close();
}
