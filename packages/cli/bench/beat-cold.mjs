// `svcmon beat` as a cold process: median wall time of repeated runs, as a
// ratio to `node -e 0` measured in the same run (the commands take turns, so
// a busy machine slows them alike). Against a local directory and against
// s3rver on loopback (the S3 code path: SDK load, signing, one PUT), next to
// @svcmon/beat's own `svcmon-beat` bin, which has no router at all.
//   node bench/beat-cold.mjs [runs]      (build first: pnpm --filter @svcmon/cli... build)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startS3rverChild, timeInTurns } from './_cold.mjs';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const beatBin = fileURLToPath(new URL('../../beat/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-'));

const s3 = await startS3rverChild();
const s3env = s3.env;
const node = process.execPath;

const cases = [
  ['`node -e 0`', node, ['-e', '0'], process.env],
  ['`svcmon --version`', node, [bin, '--version'], process.env],
  ['`svcmon beat ./dir task`', node, [bin, 'beat', dir, 'bench-task'], process.env],
  ['`svcmon beat bucket task` (s3rver)', node, [bin, 'beat', 'bench', 'bench-task'], s3env],
  ...(existsSync(beatBin)
    ? [
        ['`svcmon-beat ./dir task` (@svcmon/beat)', node, [beatBin, dir, 'bench-task'], process.env],
        ['`svcmon-beat bucket task` (@svcmon/beat, s3rver)', node, [beatBin, 'bench', 'bench-task'], s3env],
      ]
    : []),
];
const medians = timeInTurns(cases, runs);
s3.stop();
rmSync(dir, { recursive: true, force: true });

const baseline = medians[0];
console.log(`Node ${process.version}, ${runs} runs each (interleaved), median wall time\n`);
console.log('| command | median | ratio to `node -e 0` |\n|---|---|---|');
cases.forEach(([name], k) => {
  const ms = medians[k];
  console.log(`| ${name} | ${ms.toFixed(1)} ms | ${(ms / baseline).toFixed(2)}× |`);
});
