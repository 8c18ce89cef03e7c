// Peak RSS of one `setTask` (what `svcmon config set-task` does: read config.rktd, edit, write it
// back conditionally, upload the dashboard) on configs of 10,000 and 100,000 tasks, on a
// directory store, each in its own child process (its maxRSS is the edit's peak). Baseline in the
// same run: a child that loads the same modules and reads nothing. Memory should grow with the
// file: (peak − baseline) / file size about the same at every size.
//   pnpm --filter @svcmon/config build && node packages/config/bench/set-task-memory.bench.mjs [tasks ...]
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

if (process.argv[2] === '--child') {
  const { dirStore } = await import('@svcmon/store');
  const { setTask } = await import('../dist/index.js');
  const [, , , dir, mode] = process.argv;
  const t0 = performance.now();
  if (mode === 'edit') await setTask(dirStore(dir), { name: 'added-by-bench', period: 600 });
  process.stdout.write(`${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, ms: performance.now() - t0 })}\n`);
  process.exit(0);
}

const { dirStore, writeConfig, CONFIG_KEY } = await import('@svcmon/store');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(10000, 100000);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const child = async (dir, mode) => {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', dir, mode], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1));
};

console.log(`load average at the start: ${load()}`);
const dir = await mkdtemp(path.join(tmpdir(), 'svcmon-set-task-'));
try {
  const baseline = await child(dir, 'none');
  console.log(`baseline (modules loaded, nothing read): peak RSS ${(baseline.maxRssKiB / 1024).toFixed(0)} MiB`);
  for (const n of sizes) {
    const store = dirStore(dir);
    // A realistic entry: a name, a period, a max duration, a schedule.
    const tasks = Array.from({ length: n }, (_, i) => ({ name: `service-${String(i).padStart(6, '0')}.example`, period: 3600, 'max-duration': 900 }));
    await writeConfig(store, { tasks, sites: [{ url: 'https://example.com/' }] }, {});
    const bytes = (await stat(path.join(dir, CONFIG_KEY))).size;
    const r = await child(dir, 'edit');
    const extra = (r.maxRssKiB - baseline.maxRssKiB) * 1024;
    console.log(
      `${n} tasks: config.rktd ${(bytes / 1048576).toFixed(1)} MiB; set-task peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB ` +
        `(${(extra / 1048576).toFixed(0)} MiB over the baseline = ${(extra / bytes).toFixed(1)}× the file), ${(r.ms / 1000).toFixed(2)} s; load ${load()}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
