// `svcmon run <where> t -- true` as a cold process: what the wrapper costs on top of running
// `true` alone, as a ratio to `node -e 0` measured in the same run (the commands take turns, so a
// busy machine slows them alike), next to `svcmon beat` (the goal: run costs no more than beat).
// Against a local directory and against s3rver on loopback (start, then heartbeat + run state).
//   node bench/run.bench.mjs [runs]      (build first: pnpm --filter @svcmon/cli... build)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startS3rverChild, timeInTurns } from './_cold.mjs';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-run-'));

const s3 = await startS3rverChild();
const s3env = s3.env;

const node = process.execPath;
const cases = [
  ['`node -e 0`', node, ['-e', '0'], process.env],
  ['`true` alone', 'true', [], process.env],
  ['`svcmon beat ./dir t`', node, [bin, 'beat', dir, 't'], process.env],
  ['`svcmon run ./dir t -- true`', node, [bin, 'run', dir, 't', '--', 'true'], process.env],
  ['`svcmon beat bucket t` (s3rver)', node, [bin, 'beat', 'bench', 't'], s3env],
  ['`svcmon run bucket t -- true` (s3rver)', node, [bin, 'run', 'bench', 't', '--', 'true'], s3env],
];
const m = timeInTurns(cases, runs);
s3.stop();
rmSync(dir, { recursive: true, force: true });

const baseline = m[0];
const alone = m[1];
console.log(`Node ${process.version}, ${runs} runs each (interleaved), median wall time\n`);
console.log('| command | median | ratio to `node -e 0` | overhead over `true` alone, ratio to `node -e 0` |\n|---|---|---|---|');
cases.forEach(([name], k) => {
  const over = k >= 2 ? `${((m[k] - alone) / baseline).toFixed(2)}×` : '–';
  console.log(`| ${name} | ${m[k].toFixed(1)} ms | ${(m[k] / baseline).toFixed(2)}× | ${over} |`);
});
