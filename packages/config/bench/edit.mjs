// Cost of a guarded edit, against the built dist, on a directory store.
//   pnpm --filter @svcmon/config build && node packages/config/bench/edit.mjs
// Baseline (measured in the same run): a bare read + unconditional write of
// config.rktd through the store, i.e. what the original does per edit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dirStore, readConfig, writeConfig } from '@svcmon/store';
import { renderDashboard, setTask } from '../dist/index.js';

const N = Number(process.env.N ?? 200);

async function time(label, fn) {
  await fn(); // warm-up round (JIT, file system caches)
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { label, ms, per: ms / N };
}

const dir = await mkdtemp(path.join(tmpdir(), 'svcmon-bench-'));
try {
  const store = dirStore(dir);
  const seed = { tasks: Array.from({ length: 50 }, (_, i) => ({ name: `task-${i}`, period: 3600 })) };
  await writeConfig(store, seed, {});

  const baseline = await time('read + unconditional write (baseline)', async () => {
    for (let i = 0; i < N; i++) {
      const found = await readConfig(store);
      await writeConfig(store, { ...found.config, tasks: [{ name: `b-${i % 7}` }, ...found.config.tasks.slice(0, 50)] }, {});
    }
  });
  const guarded = await time('setTask, skipHtml (conditional write)', async () => {
    for (let i = 0; i < N; i++) await setTask(store, { name: `g-${i % 7}`, period: i }, { skipHtml: true });
  });
  const withHtml = await time('setTask with dashboard upload', async () => {
    for (let i = 0; i < N; i++) await setTask(store, { name: `h-${i % 7}`, period: i });
  });
  const big = { tasks: Array.from({ length: 1000 }, (_, i) => ({ name: `task <${i}> & co`, period: 60 * i })) };
  const render = await time('renderDashboard, 1000 tasks', async () => {
    for (let i = 0; i < N; i++) renderDashboard(big);
  });

  console.log(`N = ${N} per row; directory store in ${tmpdir()}`);
  for (const r of [baseline, guarded, withHtml]) {
    console.log(`${r.label.padEnd(42)} ${r.per.toFixed(3).padStart(8)} ms/op  ${(r.ms / baseline.ms).toFixed(2)}× baseline`);
  }
  console.log(`${render.label.padEnd(42)} ${render.per.toFixed(3).padStart(8)} ms/op`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
