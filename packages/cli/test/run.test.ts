// svcmon run with real processes, on a directory and on S3 (s3rver behind the testkit proxy).
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { start } from '@svcmon/beat';
import { takePulse } from '@svcmon/pulse';
import {
  dirStore,
  failureKey,
  formatHeartbeat,
  heartbeatKey,
  readFailureRecord,
  readRunState,
  runStateKey,
  s3Store,
  writeConfig,
  type Store,
} from '@svcmon/store';
import { deadPort, startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, s3Env, svcmon, tempDir } from './_run.js';

interface Target {
  /** `<where>` and the flags that reach the store. */
  args: (task: string) => string[];
  env: Record<string, string>;
  store: Store;
}

let s3: S3TestServer;
const targets: Record<'directory' | 's3', () => Promise<Target>> = {
  directory: async () => {
    const dir = await tempDir('svcmon-run-');
    return { args: (task) => [dir, task], env: cleanEnv(), store: dirStore(dir) };
  },
  s3: async () => {
    const prefix = `p${Math.random().toString(36).slice(2, 8)}`;
    return {
      args: (task) => [`s3://test/${prefix}`, task, '--endpoint', s3.endpoint],
      env: s3Env(s3.credentials),
      store: s3Store({ bucket: 'test', prefix, endpoint: s3.endpoint, credentials: s3.credentials, region: 'us-east-1' }),
    };
  },
};

beforeAll(async () => {
  s3 = await startS3({ buckets: ['test'] });
});
afterAll(async () => {
  await s3?.stop();
});

const body = async (store: Store, key: string): Promise<string | null> => (await store.get(key))?.body.toString('utf8') ?? null;

describe.each(['directory', 's3'] as const)('svcmon run on a %s', (kind) => {
  let t: Target;
  beforeAll(async () => {
    t = await targets[kind]();
  });

  it('a command that succeeds: its output passes through, exit 0, the very heartbeat `beat` writes', async () => {
    const r = await svcmon(['run', ...t.args('ok'), '--', 'sh', '-c', 'echo out; echo err >&2'], { env: t.env });
    expect(r).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    const beat = await body(t.store, heartbeatKey('ok'));
    const { seconds } = JSON.parse(beat!) as { seconds: number };
    expect(beat).toBe(formatHeartbeat(new Date(seconds * 1000)));
    // A run shorter than a second records no start, and its end has nothing to clear: no run state.
    expect(await body(t.store, runStateKey('ok'))).toBeNull();
    expect(await t.store.get(failureKey('ok'))).toBeNull();
    if (kind === 's3') {
      // The same PUT as `svcmon beat`: content type, cache control, public-read ACL.
      const put = s3.requests.filter((q) => q.method === 'PUT' && q.key.endsWith(heartbeatKey('ok'))).at(-1)!;
      expect(put.headers['content-type']).toBe('application/json');
      expect(put.headers['cache-control']).toBe('max-age=60, public');
      expect(put.headers['x-amz-acl']).toBe('public-read');
    }
  });

  it('a command that fails: its status, a private failure record with the output, ERROR in the next pulse', async () => {
    const r = await svcmon(['run', ...t.args('bad'), '--', 'sh', '-c', 'echo step 1; echo "disk full" >&2; exit 3'], { env: t.env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('step 1\n');
    expect(r.stderr).toBe('disk full\n');
    const record = (await readFailureRecord(t.store, 'bad'))!;
    expect(record).toMatchObject({ task: 'bad', exitCode: 3, output: 'step 1\ndisk full\n' });
    expect(record.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(record.ended)).toBeGreaterThanOrEqual(Date.parse(record.started!));
    expect(typeof record.host).toBe('string');
    expect((await readRunState(t.store, 'bad'))!.state.failed).toMatchObject({ id: record.runId, exit: 3 });
    expect(await t.store.get(heartbeatKey('bad'))).toBeNull();
    if (kind === 's3') {
      const put = s3.requests.filter((q) => q.method === 'PUT' && q.key.endsWith(failureKey('bad'))).at(-1)!;
      expect(put.headers['x-amz-acl']).toBeUndefined();
    }
    // A later success from the past does not hide it; the pulse says why, indented as errors are.
    await writeConfig(t.store, { tasks: [{ name: 'bad', period: 86400 }] }, {});
    const pulse = await takePulse(t.store, { emailMode: 'none' });
    expect(pulse.ok).toBe(false);
    expect(pulse.tasks[0]!.state).toBe('failed');
    expect(pulse.report).toMatch(/\nbad: ERROR\n {2}failed \w+day, .* \(\d+ seconds? ago\): exit status 3 \(ran \d+ seconds?, on .*, run [0-9a-f-]{36}\)\n {2}output:\n {4}step 1\n {4}disk full\n$/);
    // The next success clears it.
    const ok = await svcmon(['run', ...t.args('bad'), '--', 'true'], { env: t.env });
    expect(ok.code).toBe(0);
    const again = await takePulse(t.store, { emailMode: 'none' });
    expect(again.tasks[0]).toMatchObject({ ok: true, state: 'ok' });
  });

  it('a command killed by a signal: 128+N and the signal in the record', async () => {
    const r = await svcmon(['run', ...t.args('killed'), '--', 'sh', '-c', 'kill -TERM $$'], { env: t.env });
    expect(r.code).toBe(128 + 15);
    expect(await readFailureRecord(t.store, 'killed')).toMatchObject({ signal: 'SIGTERM' });
    expect((await readRunState(t.store, 'killed'))!.state.failed).toMatchObject({ signal: 'SIGTERM' });
  });

  it('a command that does not exist: 127, one clear line, a failure record', async () => {
    const r = await svcmon(['run', ...t.args('nope'), '--', 'no-such-command-svcmon'], { env: t.env });
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('svcmon run: cannot start "no-such-command-svcmon": command not found\n');
    expect(await readFailureRecord(t.store, 'nope')).toMatchObject({ exitCode: 127, message: 'cannot start "no-such-command-svcmon": command not found' });
  });

  it('more than 10 KB of output: all of it passes through, the record keeps the last 10 KB', async () => {
    const script = 'i=0; while [ $i -lt 3000 ]; do echo "line $i ......"; i=$((i+1)); done; exit 1';
    const r = await svcmon(['run', ...t.args('loud'), '--', 'sh', '-c', script], { env: t.env });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toHaveLength(3001);
    const record = (await readFailureRecord(t.store, 'loud'))!;
    expect(Buffer.byteLength(record.output!)).toBe(10240);
    expect(record.outputTruncated).toBe(true);
    expect(record.output!.endsWith('line 2999 ......\n')).toBe(true);
    expect(r.stdout.endsWith(record.output!)).toBe(true);
  });

  it('--no-output sends none; --output-bytes changes the size', async () => {
    await svcmon(['run', ...t.args('quiet'), '--no-output', '--', 'sh', '-c', 'echo secret; exit 2'], { env: t.env });
    const quiet = (await readFailureRecord(t.store, 'quiet'))!;
    expect(quiet.exitCode).toBe(2);
    expect(quiet.output).toBeUndefined();
    await svcmon(['run', ...t.args('small'), '--output-bytes', '4', '--', 'sh', '-c', 'echo 123456789; exit 2'], { env: t.env });
    expect(await readFailureRecord(t.store, 'small')).toMatchObject({ output: '789\n', outputTruncated: true });
  });

  it('a background process that keeps the output open does not hold the job', async () => {
    const dir = await tempDir();
    const pidFile = join(dir, 'daemon.pid');
    const r = await svcmon(['run', ...t.args('daemon'), '--', 'sh', '-c', `sleep 60 & echo $! > '${pidFile}'; echo forked; exit 0`], { env: t.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('forked\n');
    // svcmon run has ended while the background process (which holds the output open) still runs:
    // it did not wait for it.
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    process.kill(pid, 'SIGKILL');
    expect(await body(t.store, heartbeatKey('daemon'))).not.toBeNull();
  });

  it('a run longer than a second records its start (with its true start time) while it runs', async () => {
    // The command runs until the test has seen its start recorded (no race with a fixed sleep),
    // and says when it began; the start is recorded a second later, with the run's start time.
    const dir = await tempDir();
    const began = join(dir, 'began');
    const go = join(dir, 'go');
    const t0 = Math.floor(Date.now() / 1000);
    const script = `date +%s > '${began}.tmp' && mv '${began}.tmp' '${began}'; while [ ! -e '${go}' ]; do sleep 0.05; done`;
    const child = spawn(process.execPath, [BIN, 'run', ...t.args('slow'), '--', 'sh', '-c', script], { env: t.env, stdio: 'ignore' });
    let exited = false;
    const closed = new Promise<number | null>((ok) => child.on('close', (c) => ok(c))).finally(() => (exited = true));
    let seen: { id: string; started: number }[] = [];
    while (seen.length === 0 && !exited) {
      await new Promise((ok) => setTimeout(ok, 50));
      seen = (await readRunState(t.store, 'slow'))?.state.running ?? [];
    }
    const seenAt = Math.floor(Date.now() / 1000);
    await writeFile(go, '');
    expect(seen).toHaveLength(1);
    // Not the time the start was written (a second or more after it): at or before the command's own start.
    expect(seen[0]!.started).toBeGreaterThanOrEqual(t0);
    expect(seen[0]!.started).toBeLessThanOrEqual(Number(await readFile(began, 'utf8')));
    expect(seen[0]!.started).toBeLessThanOrEqual(seenAt);
    expect(await closed).toBe(0);
    expect((await readRunState(t.store, 'slow'))!.state.running).toEqual([]);
  });

  it('forwards SIGTERM to the command', async () => {
    const child = spawn(process.execPath, [BIN, 'run', ...t.args('term'), '--', 'sh', '-c', 'echo started; exec sleep 30'], {
      env: t.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ok) => child.stdout.once('data', () => ok()));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((ok) => child.on('close', (c) => ok(c)));
    expect(code).toBe(143);
    expect(await readFailureRecord(t.store, 'term')).toMatchObject({ signal: 'SIGTERM' });
  });

  it('max-duration catches a run that hangs; the end of a later run supersedes it', async () => {
    const now = Date.now();
    const hung = await start(t.store, 'overlap', { now: new Date(now - 3 * 3600_000 - 5000) });
    await writeConfig(t.store, { tasks: [{ name: 'overlap', 'max-duration': 3600 }] }, {});
    const pulse = await takePulse(t.store, { emailMode: 'none' });
    expect(pulse.tasks[0]).toMatchObject({ ok: false, state: 'overrun' });
    expect(pulse.report).toContain(`overlap: ERROR\n  running for 3 hours, limit 1 hour (started `);
    expect(pulse.report).toContain(`run ${hung.runId})`);
    const r = await svcmon(['run', ...t.args('overlap'), '--', 'true'], { env: t.env });
    expect(r.code).toBe(0);
    expect((await readRunState(t.store, 'overlap'))!.state.running).toEqual([]);
    expect((await takePulse(t.store, { emailMode: 'none' })).tasks[0]).toMatchObject({ ok: true, state: 'ok' });
  });
});

describe('svcmon run when the store is down or slow', () => {
  it('an unreachable store: the exit status stands, one line on stderr, the run ends by itself', async () => {
    const port = await deadPort();
    const r = await svcmon(['run', 'test', 'job', '--endpoint', `http://127.0.0.1:${port}`, '--timeout-store', '3', '--', 'sh', '-c', 'echo hi; exit 5'], {
      env: s3Env(s3.credentials),
    });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('hi\n');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // Exit 5 is the command's: the run ended by itself (the helper's guard would have killed it: no status).
    expect(lines[0]).toMatch(/^svcmon run: could not record the failure of "job" in s3:\/\/test\/ \(.+\); the command's exit status 5 stands$/);
  });

  it('a store that does not answer: the job still ends, by its --timeout-store budget', async () => {
    s3.injectFault({ delayMs: 60_000, match: (q) => q.key.startsWith('slow/') });
    try {
      const r = await svcmon(['run', 's3://test/slow', 'job', '--endpoint', s3.endpoint, '--timeout-store', '2', '--', 'true'], {
        env: s3Env(s3.credentials),
      });
      // The store answers after 60 s; the run ended (exit 0, not killed by the helper's guard) by its
      // own budget or the store's per-try deadline, and says which.
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /^svcmon run: could not record the heartbeat of "job" in s3:\/\/test\/slow\/ \((no answer within 2 s|.*did not answer in time.*)\); the command's exit status 0 stands\n$/,
      );
    } finally {
      s3.clearFaults();
    }
  });

  it('loads neither commander, the pulse, nodemailer nor the config editor', async () => {
    const dir = await tempDir();
    const read = readFile;
    const { pathToFileURL } = await import('node:url');
    const hook = `${dir}/hook.mjs`;
    await writeFile(hook, `import { registerHooks } from 'node:module'; import { writeFileSync } from 'node:fs';
const seen = []; registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.SVCMON_SEEN, seen.join('\\n')));`);
    const { run } = await import('./_run.js');
    const r = await run(process.execPath, ['--import', pathToFileURL(hook).href, BIN, 'run', dir, 'job', '--', 'true'], {
      env: cleanEnv({ SVCMON_SEEN: `${dir}/seen.txt` }),
    });
    expect(r.code, r.stderr).toBe(0);
    const urls = (await read(`${dir}/seen.txt`, 'utf8')).split('\n');
    expect(urls.some((u) => u.includes('/beat/dist/') || u.includes('@svcmon/beat'))).toBe(true);
    for (const name of ['commander', 'pulse', 'config', 'nodemailer']) {
      expect(urls.filter((u) => new RegExp(`[/\\\\+@]${name}[/\\\\@]`).test(u) && !u.includes('/cli/dist/'))).toEqual([]);
    }
  });

  it('run state refused (no s3:ListBucket, say): the heartbeat is recorded, one line says what was not', async () => {
    s3.injectFault({ status: 403, code: 'AccessDenied', match: (q) => q.key.startsWith('denied/') && q.key.endsWith('-run.json') });
    try {
      const r = await svcmon(['run', 's3://test/denied', 'job', '--endpoint', s3.endpoint, '--', 'true'], { env: s3Env(s3.credentials) });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^svcmon run: the heartbeat of "job" was recorded, but not its run state \(.*\)\n$/);
      expect((await s3.rawGet('test', 'denied/job-beat.json')).status).toBe(200);
      const failed = await svcmon(['run', 's3://test/denied', 'job2', '--endpoint', s3.endpoint, '--', 'false'], { env: s3Env(s3.credentials) });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^svcmon run: could not record the failure of "job2" in s3:\/\/test\/denied\/ \(.*\); the command's exit status 1 stands\n$/);
    } finally {
      s3.clearFaults();
    }
  });

  it('usage errors: exit 2 before anything runs', async () => {
    const dir = await tempDir();
    const missing = await svcmon(['run', dir, 'job'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no command');
    const help = await svcmon(['run', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: svcmon run');
    const bad = await svcmon(['run', dir, 'job', '--output-bytes', 'x', '--', 'true'], {});
    expect(bad.code).toBe(2);
  });

  it('a directory <where> that does not exist: exit 2 in the words of svcmon beat, the command not started', async () => {
    const dir = await tempDir();
    const where = join(dir, 'no such folder');
    const marker = join(dir, 'ran');
    const r = await svcmon(['run', where, 'job', '--', 'touch', marker], { env: cleanEnv() });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    const why = `cannot write "job-beat.json": there is no folder ${where}, and a directory store does not create its own folder (check the path, or create the folder first: mkdir -p '${where}')`;
    expect(r.stderr).toBe(`svcmon: error: run: ${why}\n`);
    expect(await readdir(dir)).toEqual([]);
    // The same check and words as a heartbeat's (there exit 1: nothing else was to happen).
    const beat = await svcmon(['beat', where, 'job'], { env: cleanEnv() });
    expect(beat).toMatchObject({ code: 1, stderr: `svcmon: error: ${why}\n` });
  });

  it('--timeout-store beyond what a timer can wait: exit 2 naming the largest value, the command not run', async () => {
    // 2147478 s × 1000 = 3 tries of 715826000 ms + 5 s to connect: within Node's longest timer, 2147483647 ms.
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    for (const value of ['2147479', '99999999999', '99999999999999999999999']) {
      const r = await svcmon(['run', dir, 'job', '--timeout-store', value, '--', 'touch', marker], { env: cleanEnv() });
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toBe(
        `svcmon: error: run: --timeout-store must be at most 2147478 (seconds, about 24 days: the longest a timer can wait), got ${value} (see 'svcmon run --help')\n`,
      );
      expect(await readdir(dir)).toEqual([]);
    }
    // The largest is taken as it is: no overflow warning, the heartbeat recorded and not said to be lost.
    const r = await svcmon(['run', dir, 'job', '--timeout-store', '2147478', '--', 'true'], { env: cleanEnv() });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const beat = await readFile(join(dir, heartbeatKey('job')), 'utf8');
    expect(beat).toBe(formatHeartbeat(new Date((JSON.parse(beat) as { seconds: number }).seconds * 1000)));
  });
});
