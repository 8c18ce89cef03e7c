// `svcmon run <where> t -- true` as a cold process: what the wrapper costs on top of running
// `true` alone, as a ratio to `node -e 0` measured in the same run (the commands take turns, so a
// busy machine slows them alike), next to `svcmon beat` (the goal: run costs no more than beat).
// Against a local directory and against s3rver on loopback (start, then heartbeat + run state).
//   node bench/run.bench.mjs [runs]      (build first: pnpm --filter @svcmon/cli... build)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-run-'));

const requireFromTestkit = createRequire(new URL('../../../internal/testkit/package.json', import.meta.url));
const s3dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-run-s3-'));
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

const node = process.execPath;
const cases = [
  ['`node -e 0`', node, ['-e', '0'], process.env],
  ['`true` alone', 'true', [], process.env],
  ['`svcmon beat ./dir t`', node, [bin, 'beat', dir, 't'], process.env],
  ['`svcmon run ./dir t -- true`', node, [bin, 'run', dir, 't', '--', 'true'], process.env],
  ['`svcmon beat bucket t` (s3rver)', node, [bin, 'beat', 'bench', 't'], s3env],
  ['`svcmon run bucket t -- true` (s3rver)', node, [bin, 'run', 'bench', 't', '--', 'true'], s3env],
];
const times = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  cases.forEach(([name, cmd, args, env], k) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
  });
}
s3proc.kill();
rmSync(dir, { recursive: true, force: true });
rmSync(s3dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = times.map(median);
const baseline = m[0];
const alone = m[1];
console.log(`Node ${process.version}, ${runs} runs each (interleaved), median wall time\n`);
console.log('| command | median | ratio to `node -e 0` | overhead over `true` alone, ratio to `node -e 0` |\n|---|---|---|---|');
cases.forEach(([name], k) => {
  const over = k >= 2 ? `${((m[k] - alone) / baseline).toFixed(2)}×` : '–';
  console.log(`| ${name} | ${m[k].toFixed(1)} ms | ${(m[k] / baseline).toFixed(2)}× | ${over} |`);
});
