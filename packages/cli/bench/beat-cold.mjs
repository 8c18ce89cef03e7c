// `svcmon beat` as a cold process: median wall time of repeated runs, as a
// ratio to `node -e 0` measured in the same run (the commands take turns, so
// a busy machine slows them alike). Against a local directory and against
// s3rver on loopback (the S3 code path: SDK load, signing, one PUT), next to
// @svcmon/beat's own `svcmon-beat` bin, which has no router at all.
//   node bench/beat-cold.mjs [runs]      (build first: pnpm --filter @svcmon/cli... build)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const beatBin = fileURLToPath(new URL('../../beat/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-'));

// s3rver from the test kit's dependencies (no checking proxy), in a child
// process: spawnSync blocks this one, so a server here could not answer.
const requireFromTestkit = createRequire(new URL('../../../internal/testkit/package.json', import.meta.url));
const s3dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-s3-'));
const s3proc = spawn(
  process.execPath,
  ['-e', `const S=require(${JSON.stringify(requireFromTestkit.resolve('s3rver'))});new S({address:'127.0.0.1',port:0,silent:true,directory:${JSON.stringify(s3dir)},configureBuckets:[{name:'bench'}]}).run().then(a=>console.log(a.port))`],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const s3port = await new Promise((ok) => s3proc.stdout.once('data', (d) => ok(Number(String(d).trim()))));
const s3env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3port}`,
};

const cases = [
  ['`node -e 0`', ['-e', '0'], process.env],
  ['`svcmon --version`', [bin, '--version'], process.env],
  ['`svcmon beat ./dir task`', [bin, 'beat', dir, 'bench-task'], process.env],
  ['`svcmon beat bucket task` (s3rver)', [bin, 'beat', 'bench', 'bench-task'], s3env],
  ...(existsSync(beatBin)
    ? [
        ['`svcmon-beat ./dir task` (@svcmon/beat)', [beatBin, dir, 'bench-task'], process.env],
        ['`svcmon-beat bucket task` (@svcmon/beat, s3rver)', [beatBin, 'bench', 'bench-task'], s3env],
      ]
    : []),
];
const times = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  cases.forEach(([name, args, env], k) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
  });
}
s3proc.kill();
rmSync(dir, { recursive: true, force: true });
rmSync(s3dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = median(times[0]);
console.log(`Node ${process.version}, ${runs} runs each (interleaved), median wall time\n`);
console.log('| command | median | ratio to `node -e 0` |\n|---|---|---|');
cases.forEach(([name], k) => {
  const ms = median(times[k]);
  console.log(`| ${name} | ${ms.toFixed(1)} ms | ${(ms / baseline).toFixed(2)}× |`);
});
