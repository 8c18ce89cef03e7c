// svcmon-beat as a cold process against a local s3rver (behind the testkit's
// SigV4-checking proxy), median of N runs, as a ratio to `node -e 0` measured
// in the same run. With --size, also the installed size of @svcmon/beat and its
// production dependencies (npm pack + npm install in a scratch project).
//
//   pnpm --filter @svcmon/beat build && node packages/beat/bench/beat.bench.mjs [--runs 15] [--size]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const root = resolve(pkg, '../..');
const bin = join(pkg, 'dist/bin.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, size: { type: 'boolean' } } });
const runs = Number(values.runs);

// The testkit is TypeScript source: Node >= 22.18 strips the types.
const { startS3 } = await import(join(root, 'internal/testkit/src/s3.ts'));

// Asynchronous: the S3 server runs in this process and must keep serving.
// Wall time includes waiting for the CPU on a busy machine; the CPU time
// (user + sys of the child, from bash's `times`) does not, so both are shown.
const toMs = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
};
function time(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', '"$@" >/dev/null || exit $?; times', 'bench', process.execPath, ...args], {
      env: { PATH: process.env.PATH, HOME: tmpdir(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      const [user, sys] = (stdout.trim().split('\n')[1] ?? '').split(/\s+/).map(toMs);
      resolve({ wall, cpu: user + sys });
    });
  });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const s3 = await startS3({ buckets: ['bench'] });
const dir = mkdtempSync(join(tmpdir(), 'svcmon-beat-bench-'));
const creds = { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
// The same credentials from a profile: the store then goes through the AWS SDK.
writeFileSync(
  join(dir, 'credentials'),
  `[bench]\naws_access_key_id = ${s3.credentials.accessKeyId}\naws_secret_access_key = ${s3.credentials.secretAccessKey}\n`,
);
writeFileSync(join(dir, 'config'), '');
mkdirSync(join(dir, 'state')); // a directory store writes only into a folder that exists
const profile = { AWS_PROFILE: 'bench', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
const cases = {
  'node -e 0': [['-e', '0'], {}],
  'svcmon-beat <dir> <task>': [[bin, join(dir, 'state'), 'bench'], {}],
  'svcmon-beat <bucket> <task> --region': [[bin, 'bench', 'bench', '--endpoint', s3.endpoint, '--region', 'us-east-1'], creds],
  'svcmon-beat <bucket> <task> (region discovery)': [[bin, 'bench', 'bench', '--endpoint', s3.endpoint], creds],
  'svcmon-beat <bucket> <task> --region, AWS_PROFILE (SDK)': [
    [bin, 'bench', 'bench', '--endpoint', s3.endpoint, '--region', 'us-east-1'],
    profile,
  ],
};
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
try {
  // one warm-up round (fills the OS file cache and Node's compile cache), then interleaved runs
  for (const [args, env] of Object.values(cases)) await time(args, env);
  for (let i = 0; i < runs; i++) {
    for (const [name, [args, env]] of Object.entries(cases)) results[name].push(await time(args, env));
  }
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
const wall = (xs) => median(xs.map((x) => x.wall));
const cpu = (xs) => median(xs.map((x) => x.cpu));
const base = results['node -e 0'];
console.log(`node ${process.version}, ${runs} runs each, medians for a cold process (load average ${os.loadavg()[0].toFixed(1)})`);
console.log(`${''.padEnd(56)} ${'wall'.padStart(9)} ${'ratio'.padStart(6)} ${'cpu'.padStart(9)} ${'ratio'.padStart(6)}`);
for (const [name, xs] of Object.entries(results)) {
  console.log(
    `${name.padEnd(56)} ${wall(xs).toFixed(1).padStart(6)} ms ${(wall(xs) / wall(base)).toFixed(2).padStart(5)}× ${cpu(xs).toFixed(0).padStart(6)} ms ${(cpu(xs) / cpu(base)).toFixed(2).padStart(5)}×`,
  );
}

if (values.size) {
  const scratch = mkdtempSync(join(tmpdir(), 'svcmon-beat-size-'));
  try {
    for (const p of ['rktd', 'store', 'beat']) {
      execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: resolve(root, 'packages', p), stdio: 'ignore' });
    }
    const tarballs = readdirSync(scratch).filter((f) => f.endsWith('.tgz')).map((f) => join(scratch, f));
    const project = join(scratch, 'project');
    execFileSync('mkdir', ['-p', project]);
    execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'ignore' });
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', ...tarballs], { cwd: project, stdio: 'ignore' });
    const kb = execFileSync('du', ['-sk', 'node_modules'], { cwd: project, encoding: 'utf8' }).split('\t')[0];
    const count = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: project, encoding: 'utf8' }).trim().split('\n').length - 1;
    console.log(`installed size of @svcmon/beat with production dependencies: ${(Number(kb) / 1024).toFixed(1)} MiB in ${count} packages`);
    const nm = join(project, 'node_modules');
    const parts = readdirSync(nm).filter((d) => !d.startsWith('.'));
    const sizes = parts
      .map((d) => [d, Number(execFileSync('du', ['-sk', join(nm, d)], { encoding: 'utf8' }).split('\t')[0])])
      .sort((a, b) => b[1] - a[1]);
    console.log(`  largest: ${sizes.slice(0, 5).map(([d, k]) => `${d} ${(k / 1024).toFixed(1)} MiB`).join(', ')}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
