// A hanging site holds back nobody. 500 sites of which 100 hang (spread through the list), site
// timeout 2 s; s3rver and the sites live in a child process so that their work does not delay
// the pulse being measured. In one run, interleaved, medians of 3 rounds:
//   - the sites alone with the default site bound (1024): wall time as a ratio to the timeout;
//   - the same with sites bounded at 32, the old default (then shared with the store reads): the baseline;
//   - the sites plus 500 tasks on s3rver, and when the last heartbeat was read (store reads must
//     not wait behind sites), against the same 500 tasks with no site at all (s3rver's floor).
// Built dist: run `pnpm --filter @svcmon/pulse build` first.
//
//   node bench/hanging.bench.mjs [--timeout=SECONDS]   (default 2)
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { takePulse } = await import('@svcmon/pulse');
const { openStore, writeConfig, writeHeartbeat } = await import('@svcmon/store');

const TIMEOUT_S = Number(process.argv.find((a) => a.startsWith('--timeout='))?.slice(10) ?? 2);
const SITES = 500;
const HANG = 100;
const TASKS = 500;

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

if (process.argv[2] === '--serve') {
  // Child: s3rver and the sites, in their own process, so that their work never delays the pulse
  // being measured (nor the pulse theirs). Prints the ports, serves until its stdin closes.
  const S3rver = createRequire(join(here, '../../../internal/testkit/package.json'))('s3rver');
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-hang-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'hang' }] });
  const { port: s3port } = await s3.run();
  const held = new Set();
  let maxOpen = 0;
  const web = createServer((req, res) => {
    if (req.url === '/stats') {
      res.end(JSON.stringify({ maxOpen }));
      maxOpen = 0;
      return;
    }
    if (req.url?.startsWith('/hang')) {
      held.add(res);
      maxOpen = Math.max(maxOpen, held.size);
      res.on('close', () => held.delete(res));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  await new Promise((r) => web.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, r));
  process.stdout.write(`${JSON.stringify({ s3port, webPort: web.address().port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    for (const res of held) res.destroy();
    web.closeAllConnections();
    web.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
} else {
const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
const ports = await new Promise((ok, fail) => {
  child.once('error', fail);
  child.stdout.once('data', (chunk) => ok(JSON.parse(String(chunk).split('\n')[0])));
});
const storeAt = (prefix) =>
  openStore(`s3://hang/${prefix}`, { endpoint: `http://127.0.0.1:${ports.s3port}`, region: 'us-east-1', forcePathStyle: true, credentials, publicRead: false, onWarning: () => {} });
const base = `http://127.0.0.1:${ports.webPort}`;
const serverMaxOpen = async () => JSON.parse(await (await fetch(`${base}/stats`)).text()).maxOpen;

try {
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ name: `task-${String(i).padStart(4, '0')}` }));
  // Hanging sites spread through the list, as in life.
  const sites = Array.from({ length: SITES }, (_, i) => ({ url: i % (SITES / HANG) === 0 ? `${base}/hang/${i}` : `${base}/ok/${i}` }));
  const sitesOnly = storeAt('sites');
  const mixed = storeAt('mixed');
  const tasksOnly = storeAt('tasks');
  await writeConfig(sitesOnly, { sites, timeout: TIMEOUT_S }, {});
  await writeConfig(mixed, { tasks, sites, timeout: TIMEOUT_S }, {});
  await writeConfig(tasksOnly, { tasks }, {});
  const now = new Date();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < tasks.length) {
      const name = tasks[next++].name;
      await writeHeartbeat(mixed, name, { now });
      await writeHeartbeat(tasksOnly, name, { now });
    }
  }));

  const pulse = async (store, options) => {
    await serverMaxOpen(); // resets the count
    let lastTask = 0;
    const started = performance.now();
    const result = await takePulse(store, {
      emailMode: 'none',
      publish: false,
      state: false,
      ...options,
      onEvent: (e) => {
        if (e.type === 'task-checked') lastTask = performance.now() - started;
      },
    });
    const ms = performance.now() - started;
    if (result.error) throw new Error(result.error);
    const down = result.sites.filter((s) => !s.ok).length;
    // More than the hanging ones down: the machine could not even answer the others in time.
    return { ms, lastTask, down, maxOpen: await serverMaxOpen() };
  };
  const t = TIMEOUT_S * 1000;
  const line = (label, r) =>
    console.log(
      `${label}: ${(r.ms / 1000).toFixed(2)} s = ${(r.ms / t).toFixed(2)}× the ${TIMEOUT_S} s timeout; ` +
        `${r.lastTask ? `last heartbeat read at ${(r.lastTask / t).toFixed(2)}× the timeout; ` : ''}${r.maxOpen} hanging requests open at once at the server; ${r.down} sites down (${HANG} hang)`,
    );
  await pulse(mixed, {}); // warm-up (JIT, sockets)
  // Interleaved, so that the machine's load falls on all alike; the medians of 3 rounds.
  const runs = { now: [], old: [], mixed: [], tasks: [] };
  for (let round = 0; round < 3; round++) {
    runs.now.push(await pulse(sitesOnly, {}));
    runs.old.push(await pulse(sitesOnly, { siteConcurrency: 32 }));
    runs.mixed.push(await pulse(mixed, {}));
    runs.tasks.push(await pulse(tasksOnly, {}));
  }
  const median = (list) => [...list].sort((a, b) => a.ms - b.ms)[1];
  const [now1, old, both, floor] = [median(runs.now), median(runs.old), median(runs.mixed), median(runs.tasks)];
  console.log(`${SITES} sites (${HANG} hang), site timeout ${TIMEOUT_S} s, s3rver and the sites in a child process, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
  line(`sites only, default bound (1024)`, now1);
  line(`sites only, bounded at 32 (the old default)`, old);
  line(`+ ${TASKS} tasks on s3rver, default bounds (sites 1024, store reads 32)`, both);
  line(`the ${TASKS} tasks alone, no sites (s3rver's floor here)`, floor);
  console.log(`ratio: ${(old.ms / now1.ms).toFixed(1)}× faster than with the old bound`);
  console.log(`store reads beside the hanging sites took ${(both.lastTask / floor.lastTask).toFixed(2)}× as long as without any site`);
} finally {
  child.stdin.end();
}
}
