// `svcmon beat` as a cold process: median wall time of repeated runs, as a
// ratio to `node -e 0` measured in the same run. Against a local directory and
// against s3rver on loopback (the S3 code path: SDK load, signing, one PUT).
//   node bench/beat-cold.mjs [runs]      (build first: pnpm --filter @svcmon/cli build)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-'));

function median(args, env = process.env) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// s3rver from the test kit's dependencies (no checking proxy), in a child
// process: spawnSync blocks this one, so a server here could not answer.
const requireFromTestkit = createRequire(new URL('../../../internal/testkit/package.json', import.meta.url));
const s3dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-s3-'));
const s3env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

const baseline = median(['-e', '0']);
const help = median([bin, '--version']);
const beatDir = median([bin, 'beat', dir, 'bench-task']);

const s3proc = spawn(
  process.execPath,
  ['-e', `const S=require(${JSON.stringify(requireFromTestkit.resolve('s3rver'))});new S({address:'127.0.0.1',port:0,silent:true,directory:${JSON.stringify(s3dir)},configureBuckets:[{name:'bench'}]}).run().then(a=>console.log(a.port))`],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const s3port = await new Promise((ok) => s3proc.stdout.once('data', (d) => ok(Number(String(d).trim()))));
s3env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${s3port}`;
const beatS3 = median([bin, 'beat', 'bench', 'bench-task'], s3env);
s3proc.kill();
rmSync(dir, { recursive: true, force: true });
rmSync(s3dir, { recursive: true, force: true });

const row = (name, ms) => `| ${name} | ${ms.toFixed(1)} ms | ${(ms / baseline).toFixed(2)}× |`;
console.log(`Node ${process.version}, ${runs} runs each, median wall time\n`);
console.log('| command | median | ratio to `node -e 0` |\n|---|---|---|');
console.log(row('`node -e 0`', baseline));
console.log(row('`svcmon --version`', help));
console.log(row('`svcmon beat ./dir task`', beatDir));
console.log(row('`svcmon beat bucket task` (s3rver)', beatS3));
