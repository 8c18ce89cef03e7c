// Shared by the cold-start benchmarks: an s3rver in a child process (the
// timed commands run with spawnSync, which blocks this one, so a server here
// could not answer), and interleaved timing of whole commands.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver with bucket `bench` on loopback; `env` points the AWS variables at it. */
export async function startS3rverChild() {
  const requireFromTestkit = createRequire(new URL('../../../internal/testkit/package.json', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-bench-s3-'));
  const child = spawn(
    process.execPath,
    ['-e', `const S=require(${JSON.stringify(requireFromTestkit.resolve('s3rver'))});new S({address:'127.0.0.1',port:0,silent:true,directory:${JSON.stringify(dir)},configureBuckets:[{name:'bench'}]}).run().then(a=>console.log(a.port))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((ok) => child.stdout.once('data', (d) => ok(Number(String(d).trim()))));
  return {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    },
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs every case `runs` times, taking turns (so a busy machine slows them
 * alike), and returns each case's median wall time in ms.
 * A case is [name, command, args, env].
 */
export function timeInTurns(cases, runs) {
  const times = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    cases.forEach(([name, cmd, args, env], k) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return times.map(median);
}
