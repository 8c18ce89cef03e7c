// Load benchmark (not a test): the built CLI against s3rver behind the
// testkit's counting proxy, on loopback.
//
//   node internal/reliability/bench/load.mjs                 # 10,000 tasks, 500 sites, 100 beats
//   node internal/reliability/bench/load.mjs --quick         # 1,000 tasks, 50 sites, 20 beats
//   options: --tasks N --sites N --hang-fraction F --beats N --timeout S
//
// 1. A config of N tasks (all with a fresh heartbeat but 1 %) and M sites on a
//    loopback server, a fraction of which never answer (site timeout S):
//    `svcmon pulse <bucket> --no-email --json` as a child process: wall time,
//    peak RSS (the child's own maxRSS), S3 requests it made (proxy counter).
// 2. B `svcmon beat <bucket> beat-i` processes spawned at once (2 cores):
//    wall time, exit codes, heartbeats recorded.
// Figures are printed and written to internal/reliability/results/load.json
// (read by scripts/report.mjs). Build the packages first.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { register } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
register('./_ts-resolve.mjs', import.meta.url);
const { startS3 } = await import('@svcmon/testkit');
const { openStore, writeConfig, formatHeartbeat } = await import('@svcmon/store');

const REPO = resolve(here, '../../..');
const BIN = join(REPO, 'packages/cli/dist/bin.js');
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: pnpm --filter @svcmon/cli build`);

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(argv[i + 1]);
};
const TASKS = opt('tasks', quick ? 1_000 : 10_000);
const SITES = opt('sites', quick ? 50 : 500);
const HANG_FRACTION = opt('hang-fraction', 0.1);
const BEATS = opt('beats', quick ? 20 : 100);
const TIMEOUT = opt('timeout', 5);
const BUCKET = 'load';

const log = (s) => process.stdout.write(`${s}\n`);
const mib = (kib) => (kib / 1024).toFixed(0);

// ---- servers -----------------------------------------------------------------------------
const s3 = await startS3({ buckets: [BUCKET] });
const hanging = new Set();
let siteHits = 0;
const web = createServer((req, res) => {
  siteHits++;
  if (req.url.startsWith('/hang')) {
    hanging.add(res);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
});
await new Promise((r) => web.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${web.address().port}`;

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
  AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  NO_COLOR: '1',
};

/** Runs the CLI; resolves with code, output, wall ms and the child's peak RSS (KiB). */
function cli(args) {
  return new Promise((ok, fail) => {
    const started = performance.now();
    // The child reports its own peak RSS on exit (fd 3), whatever exit path the CLI takes.
    const hook = `data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>{try{writeSync(3,String(process.resourceUsage().maxRSS))}catch{}})`;
    const child = spawn(process.execPath, ['--import', hook, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let rss = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdio[3].setEncoding('utf8').on('data', (d) => (rss += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr, ms: Math.round(performance.now() - started), maxRssKiB: Number(rss) || 0 }));
  });
}

async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

const figures = {
  // The load average (1, 5, 15 min) before and after: other work on the same cores shows in every figure.
  machine: { cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadBefore: loadavg() },
  params: { tasks: TASKS, sites: SITES, hangingSites: Math.round(SITES * HANG_FRACTION), siteTimeoutS: TIMEOUT, beats: BEATS },
};

try {
  // ---- fill the bucket ------------------------------------------------------------------------
  const store = openStore(BUCKET, { endpoint: s3.endpoint, region: 'us-east-1', credentials: s3.credentials, publicRead: false });
  const hangCount = Math.round(SITES * HANG_FRACTION);
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ name: `task-${String(i).padStart(5, '0')}`, period: 86400 }));
  const sites = Array.from({ length: SITES }, (_, i) => ({ url: i < hangCount ? `${base}/hang/${i}` : `${base}/ok/${i}` }));
  await writeConfig(store, { tasks, sites, timeout: TIMEOUT }, {});
  const fillStarted = performance.now();
  const beatBody = formatHeartbeat(new Date());
  const withBeat = tasks.filter((_, i) => i % 100 !== 99); // 1 % never beat: "missing"
  await pool(withBeat, 32, (t) =>
    store.put(`${t.name}-beat.json`, beatBody, { contentType: 'application/json', publicRead: false }),
  );
  log(`filled: config + ${withBeat.length} heartbeats in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);

  // ---- 1. the pulse ------------------------------------------------------------------------
  const before = s3.requests.length;
  siteHits = 0;
  const pulse = await cli(['pulse', BUCKET, '--no-email', '--json']);
  const s3Requests = s3.requests.length - before;
  let parsed = null;
  try {
    parsed = JSON.parse(pulse.stdout);
  } catch {
    /* reported below */
  }
  const failedSites = parsed?.sites.filter((s) => !s.ok).length ?? NaN;
  const failedTasks = parsed?.tasks.filter((t) => !t.ok).length ?? NaN;
  figures.pulse = {
    exitCode: pulse.code,
    wallMs: pulse.ms,
    wallOverTimeout: +(pulse.ms / (TIMEOUT * 1000)).toFixed(2),
    maxRssMiB: +mib(pulse.maxRssKiB),
    s3Requests,
    s3RequestsPerTask: +(s3Requests / TASKS).toFixed(3),
    siteRequests: siteHits,
    verdicts: { sites: parsed?.sites.length, tasks: parsed?.tasks.length, failedSites, failedTasks },
    stderr: pulse.stderr.trim().split('\n')[0] ?? '',
  };
  log(
    `pulse: ${TASKS} tasks, ${SITES} sites (${hangCount} hang, timeout ${TIMEOUT} s): exit ${pulse.code}, ` +
      `${(pulse.ms / 1000).toFixed(1)} s wall (${figures.pulse.wallOverTimeout}× the site timeout), ` +
      `peak RSS ${mib(pulse.maxRssKiB)} MiB, ${s3Requests} S3 requests (${figures.pulse.s3RequestsPerTask} per task), ` +
      `${siteHits} site requests; FAILED: ${failedSites} sites, ${failedTasks} tasks`,
  );
  const expectedTaskFailures = TASKS - withBeat.length;
  figures.pulse.lost =
    pulse.code === 1 && failedSites === hangCount && failedTasks === expectedTaskFailures ? 'nothing' : `UNEXPECTED: exit ${pulse.code}, ${failedSites}/${hangCount} sites, ${failedTasks}/${expectedTaskFailures} tasks`;

  // Baseline: the same heartbeat GETs issued in this process (where s3rver and the SigV4-checking
  // proxy also run), 32 at once: what the S3 side alone costs on this machine.
  const baseStarted = performance.now();
  await pool(tasks, 32, (t) => store.get(`${t.name}-beat.json`));
  figures.pulse.baselineGetsMs = Math.round(performance.now() - baseStarted);
  log(`baseline: ${TASKS} heartbeat GETs in-process, 32 at once: ${(figures.pulse.baselineGetsMs / 1000).toFixed(1)} s`);

  // ---- 2. concurrent beats ------------------------------------------------------------------
  const names = Array.from({ length: BEATS }, (_, i) => `beat-${String(i).padStart(3, '0')}`);
  const beatsStarted = performance.now();
  const runs = await Promise.all(names.map((n) => cli(['beat', BUCKET, n])));
  const beatsMs = Math.round(performance.now() - beatsStarted);
  let recorded = 0;
  for (const n of names) if ((await s3.rawGet(BUCKET, `${n}-beat.json`)).status === 200) recorded++;
  const exits = runs.reduce((m, r) => ({ ...m, [r.code]: (m[r.code] ?? 0) + 1 }), {});
  const slowest = Math.max(...runs.map((r) => r.ms));
  const rssMax = Math.max(...runs.map((r) => r.maxRssKiB));
  figures.beats = {
    processes: BEATS,
    wallMs: beatsMs,
    slowestMs: slowest,
    exitCodes: exits,
    recorded,
    maxRssMiBPerProcess: +mib(rssMax),
    lost: recorded === BEATS ? 'nothing' : `${BEATS - recorded} heartbeats lost`,
    firstError: runs.find((r) => r.code !== 0)?.stderr.trim().split('\n')[0] ?? '',
  };
  log(
    `beats: ${BEATS} \`svcmon beat\` processes at once on ${cpus().length} cores: ${(beatsMs / 1000).toFixed(1)} s wall, ` +
      `slowest ${(slowest / 1000).toFixed(1)} s, exit codes ${JSON.stringify(exits)}, ${recorded}/${BEATS} heartbeats recorded, ` +
      `peak RSS ${mib(rssMax)} MiB per process`,
  );
} finally {
  for (const res of hanging) res.destroy();
  web.closeAllConnections();
  web.close();
  await s3.stop();
}

const out = join(here, '../results');
mkdirSync(out, { recursive: true });
figures.machine.loadAfter = loadavg();
writeFileSync(join(out, quick ? 'load-quick.json' : 'load.json'), `${JSON.stringify(figures, null, 2)}\n`);
log(`figures written to ${join(out, quick ? 'load-quick.json' : 'load.json')}`);
