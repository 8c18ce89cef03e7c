// The packages as npm would publish them: `pnpm pack` each one, install the
// tarballs into a scratch project outside the workspace, and use them there
// the way a user would — the `svcmon` CLI through npx, `@svcmon/beat` from
// ESM and from CommonJS, and a strict TypeScript consumer — under the
// workspace's Node and under Node 22 (the oldest Node the packages support).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO_ROOT, startS3 } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGES = ['rktd', 'store', 'beat', 'config', 'pulse', 'cli'] as const;
type Pkg = (typeof PACKAGES)[number];

const repoRoot = REPO_ROOT;
const fixtures = FIXTURES;
const rootManifest = readJson(path.join(repoRoot, 'package.json')) as { devDependencies: Record<string, string> };
const keep = process.env.SVCMON_E2E_KEEP === '1';

// ---------------------------------------------------------------- helpers

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function run(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Ran {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `run`, without blocking the event loop: for commands that talk to a server in this process. */
function runAsync(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs and insists on exit status 0, showing everything the command said when it is not. */
function runOk(cmd: string, args: string[], options: Parameters<typeof run>[2]): Ran {
  const r = run(cmd, args, options);
  if (r.status !== 0) {
    throw new Error(`\`${[cmd, ...args].join(' ')}\` in ${options.cwd} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

function which(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, cmd);
    if (dir && existsSync(file)) return file;
  }
  throw new Error(`${cmd} is not on PATH`);
}

/** npm's own JS entry points, so that npm and npx can be run by any Node binary. */
function npmCliFiles(): { npm: string; npx: string } {
  const candidates = [
    () => path.dirname(realpathSync(which('npm'))), // usually a symlink to npm-cli.js
    () => path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin'), // Node's own layout
    () => path.join(runOk('npm', ['root', '-g'], { cwd: os.tmpdir() }).stdout.trim(), 'npm', 'bin'),
  ];
  for (const candidate of candidates) {
    const bin = candidate();
    if (existsSync(path.join(bin, 'npm-cli.js')) && existsSync(path.join(bin, 'npx-cli.js'))) {
      return { npm: path.join(bin, 'npm-cli.js'), npx: path.join(bin, 'npx-cli.js') };
    }
  }
  throw new Error('cannot find npm-cli.js and npx-cli.js of the npm on PATH');
}

/** The environment a user's shell would have: nothing that pnpm or vitest set for this run. */
function userEnv(nodeBinDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|pnpm_|turbo_|vitest|NODE_OPTIONS$|NODE_PATH$|NODE_ENV$|INIT_CWD$|TEST$|MODE$|PROD$|DEV$|BASE_URL$|SSR$)/i.test(key)) {
      if (!/^npm_config_(registry|cache|userconfig)$/i.test(key)) continue;
    }
    env[key] = value;
  }
  env.PATH = `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`;
  env.NO_COLOR = '1';
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** Node 22 from the npm registry (the `node` package), cached between runs in the OS temp folder. */
function installNode22(): string {
  const cache = path.join(os.tmpdir(), 'svcmon-e2e-node22');
  const binary = (dir: string) => path.join(dir, 'node_modules', 'node', 'bin', 'node');
  const works = (dir: string) =>
    existsSync(binary(dir)) && run(binary(dir), ['--version'], { cwd: dir }).stdout.startsWith('v22.');
  if (works(cache)) return binary(cache);
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'svcmon-e2e-node22-'));
  writeFileSync(path.join(fresh, 'package.json'), '{"private":true}\n');
  runOk('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node@22'], {
    cwd: fresh,
    env: userEnv(path.dirname(process.execPath)),
  });
  if (!works(fresh)) throw new Error(`npm install node@22 in ${fresh} gave no working Node 22`);
  rmSync(cache, { recursive: true, force: true });
  try {
    renameSync(fresh, cache); // atomic: a concurrent run sees the old state or the whole new one
    return binary(cache);
  } catch {
    return binary(fresh);
  }
}

// `{"date":"Tue, 24 Nov 2026 02:51:35 +0000","seconds":1795488695}`: the original's bytes, no newline.
const HEARTBEAT = /^\{"date":"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000","seconds":(\d+)\}$/;

function expectFreshHeartbeat(file: string, notBefore: number, notAfter: number): number {
  const text = readFileSync(file, 'utf8');
  const m = HEARTBEAT.exec(text);
  expect(m, `${file} holds ${JSON.stringify(text)}`).not.toBeNull();
  const seconds = Number(m![3]);
  expect(seconds).toBeGreaterThanOrEqual(notBefore);
  expect(seconds).toBeLessThanOrEqual(notAfter);
  const date = JSON.parse(text).date as string;
  expect(Date.parse(date) / 1000).toBe(seconds);
  return seconds;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

// ---------------------------------------------------------------- packing

let work: string;
const tarballs = new Map<Pkg, string>();
const versions = new Map<Pkg, string>();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'svcmon-e2e-'));
  const packed = path.join(work, 'tarballs');
  mkdirSync(packed);
  for (const pkg of PACKAGES) {
    const dir = path.join(repoRoot, 'packages', pkg);
    const manifest = readJson(path.join(dir, 'package.json')) as { name: string; version: string };
    for (const built of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
      if (!existsSync(path.join(dir, 'dist', built))) throw new Error(`${manifest.name} is not built (no dist/${built}): run its build first`);
    }
    runOk('pnpm', ['pack', '--pack-destination', packed], { cwd: dir });
    const file = path.join(packed, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack of ${manifest.name} did not write ${file}; found ${readdirSync(packed).join(', ')}`);
    tarballs.set(pkg, file);
    versions.set(pkg, manifest.version);
  }
});

afterAll(() => {
  if (work && !keep) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`kept ${work}`);
});

describe('tarballs', () => {
  it.each(PACKAGES)('@svcmon/%s holds only package.json, README.md, LICENSE and dist/**', (pkg) => {
    const tgz = tarballs.get(pkg)!;
    const entries = runOk('tar', ['-tzf', tgz], { cwd: work })
      .stdout.split('\n')
      .filter((line) => line && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''));
    const extra = entries.filter((entry) => !/^(package\.json|README\.md|LICENSE|dist\/.+)$/.test(entry));
    expect(extra).toEqual([]);
    for (const needed of ['README.md', 'LICENSE']) expect(entries, `packages/${pkg}/${needed} is missing`).toContain(needed);
    expect(entries).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']),
    );
    expect(entries.filter((entry) => /\.(map|test\.[cm]?[jt]s|tsbuildinfo)$/.test(entry))).toEqual([]);

    const manifest = JSON.parse(runOk('tar', ['-xzOf', tgz, 'package/package.json'], { cwd: work }).stdout) as {
      name: string;
      license?: string;
      bin?: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    expect(manifest.name).toBe(`@svcmon/${pkg}`);
    expect(manifest.license).toBe('MIT');
    // pnpm pack must have turned every `workspace:^` into the sibling's real version range.
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      const sibling = /^@svcmon\/(.+)$/.exec(dep)?.[1] as Pkg | undefined;
      if (sibling) expect(range, `${dep} in @svcmon/${pkg}`).toBe(`^${versions.get(sibling)}`);
    }
    for (const target of Object.values(manifest.bin ?? {})) {
      expect(entries, `bin ${target}`).toContain(target.replace(/^\.\//, ''));
    }
    if (pkg === 'cli') expect(Object.keys(manifest.bin ?? {})).toEqual(['svcmon']);
  });
});

// ---------------------------------------------------------------- in a scratch project

interface Runtime {
  label: string;
  node: () => string;
}

const runtimes: Runtime[] = [
  { label: `the workspace's Node (${process.version})`, node: () => process.execPath },
  { label: 'Node 22', node: installNode22 },
];

describe.each(runtimes)('installed from the tarballs, under $label', (runtime) => {
  let node: string;
  let env: NodeJS.ProcessEnv;
  let project: string;
  let npm: { npm: string; npx: string };
  let fixtureBeat: { bytes: string; seconds: number };

  const inProject = { get cwd() { return project; }, get env() { return env; } };
  // `--yes=false`: never fetch a missing bin from the registry (the user's npmrc may say yes=true).
  // (Not `--no`: npx then takes the command's own `--help` for itself.)
  const npx = (...args: string[]) => run(node, [npm.npx, '--yes=false', ...args], inProject);
  const nodeEval = (...args: string[]) => run(node, args, inProject);

  beforeAll(() => {
    node = runtime.node();
    env = userEnv(path.dirname(node));
    npm = npmCliFiles();
    const bytes = readFileSync(path.join(fixtures, 'nightly-build-beat.json'), 'utf8');
    fixtureBeat = { bytes, seconds: (JSON.parse(bytes) as { seconds: number }).seconds };

    project = mkdtempSync(path.join(os.tmpdir(), 'svcmon-scratch-'));
    writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'svcmon-scratch', version: '1.0.0', private: true }, null, 2)}\n`);
    // All six tarballs in one install: they depend on each other by version,
    // and npm must take every @svcmon package from a tarball, none from the registry.
    runOk(
      node,
      [
        npm.npm, 'install', '--no-audit', '--no-fund', '--loglevel=error',
        ...PACKAGES.map((pkg) => tarballs.get(pkg)!),
        `typescript@${rootManifest.devDependencies.typescript}`,
        `@types/node@${rootManifest.devDependencies['@types/node']}`,
      ],
      { cwd: project, env, timeoutMs: 600_000 },
    );
  });

  afterAll(() => {
    if (project && !keep) rmSync(project, { recursive: true, force: true });
    else if (project) console.log(`kept ${project}`);
  });

  it('runs the expected Node', () => {
    const version = nodeEval('-p', 'process.version').stdout.trim();
    if (runtime.label === 'Node 22') expect(version).toMatch(/^v22\./);
    else expect(version).toBe(process.version);
  });

  it('took every @svcmon package from its tarball, once', () => {
    const lock = readJson(path.join(project, 'package-lock.json')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    const svcmon = Object.entries(lock.packages).filter(([where]) => /(^|\/)node_modules\/@svcmon\//.test(where));
    expect(svcmon.map(([where]) => where).sort()).toEqual(PACKAGES.map((pkg) => `node_modules/@svcmon/${pkg}`).sort());
    for (const pkg of PACKAGES) {
      const entry = lock.packages[`node_modules/@svcmon/${pkg}`]!;
      expect(entry.version).toBe(versions.get(pkg));
      expect(entry.resolved).toMatch(/^file:.*\.tgz$/);
    }
    for (const bin of ['svcmon', 'svcmon-beat']) expect(existsSync(path.join(project, 'node_modules', '.bin', bin)), bin).toBe(true);
  });

  it('`npx svcmon --help`, `npx svcmon --version`, `npx @svcmon/cli --version`', () => {
    const help = npx('svcmon', '--help');
    expect(help.status, help.stderr).toBe(0);
    for (const command of ['beat', 'pulse', 'config']) expect(help.stdout).toContain(command);
    const version = npx('svcmon', '--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toContain(versions.get('cli'));
    // By package name, as the README's recipes run it: the package's one bin.
    const byName = npx('@svcmon/cli', '--version');
    expect(byName.status, byName.stderr).toBe(0);
    expect(byName.stdout.trim()).toBe(version.stdout.trim());
  });

  it('`npx svcmon beat ./mon nightly` refuses a folder that does not exist, and writes the heartbeat file once it does', () => {
    const missing = npx('svcmon', 'beat', './mon', 'nightly');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`there is no folder ${path.join(realpathSync(project), 'mon')}`);
    expect(existsSync(path.join(project, 'mon'))).toBe(false);
    mkdirSync(path.join(project, 'mon'));
    const before = nowSeconds();
    const r = npx('svcmon', 'beat', './mon', 'nightly');
    expect(r.status, r.stderr).toBe(0);
    expectFreshHeartbeat(path.join(project, 'mon', 'nightly-beat.json'), before, nowSeconds());
  });

  it('a usage error exits 2 with one line and no stack trace', () => {
    const r = npx('svcmon', 'beat', './mon');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).not.toBe('');
    expect(r.stderr).not.toMatch(/npm (error|ERR)/);
    noStackTrace(r.stderr);
  });

  it('`npx svcmon config set-task ./mon nightly --period 60 --force` writes config.rktd and the dashboard', () => {
    const r = npx('svcmon', 'config', 'set-task', './mon', 'nightly', '--period', '60', '--force');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(project, 'mon', 'config.rktd'), 'utf8')).toBe(
      '#hash((tasks . (#hash((name . "nightly") (period . 60)))))\n',
    );
    for (const file of ['index.html', 'style.css', 'script.js']) expect(existsSync(path.join(project, 'mon', file)), file).toBe(true);
    expect(readFileSync(path.join(project, 'mon', 'index.html'), 'utf8')).toContain('nightly');
  });

  it('`npx svcmon pulse ./mon --no-email` exits 0 with nightly ok', () => {
    const r = npx('svcmon', 'pulse', './mon', '--no-email');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('All sites and tasks appear healthy');
    expect(r.stdout).toMatch(/^nightly: ok$/m);
    expect(r.stdout).toMatch(/^ {2}last reported .+ \(\d+ seconds? ago\)$/m);
  });

  it('a task that never beat makes the pulse exit 1 with CHECK FAILED', () => {
    const set = npx('svcmon', 'config', 'set-task', './mon', 'backup', '--skip-html');
    expect(set.status, set.stderr).toBe(0);
    const r = npx('svcmon', 'pulse', './mon', '--no-email');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toContain('CHECK FAILED for some site or task');
    expect(r.stdout).toMatch(/^backup: ERROR$/m);
    expect(r.stdout).toMatch(/^nightly: ok$/m);
  });

  // Two ways to S3: static credentials in the environment (the store signs
  // requests itself), and a profile, which goes through the AWS SDK's
  // credential chain and so needs @aws-sdk/client-s3 from the install.
  it.each([
    { via: 'static credentials in the environment', bucket: 'e2e-env', profile: false },
    { via: 'an AWS profile (the AWS SDK)', bucket: 'e2e-profile', profile: true },
  ])('against an S3 server on loopback (s3rver), $via: beat, config set-task, pulse --beat', async ({ bucket, profile }) => {
    const s3 = await startS3({ buckets: [bucket] });
    try {
      const s3env: NodeJS.ProcessEnv = { ...env };
      for (const key of Object.keys(s3env)) if (/^AWS_/.test(key)) delete s3env[key];
      s3env.AWS_EC2_METADATA_DISABLED = 'true';
      if (profile) {
        const credentialsFile = path.join(project, `aws-credentials-${bucket}`);
        writeFileSync(
          credentialsFile,
          `[svcmon-e2e]\naws_access_key_id = ${s3.credentials.accessKeyId}\naws_secret_access_key = ${s3.credentials.secretAccessKey}\n`,
        );
        Object.assign(s3env, {
          AWS_PROFILE: 'svcmon-e2e',
          AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
          AWS_CONFIG_FILE: path.join(project, 'no-aws-config'),
        });
      } else {
        Object.assign(s3env, { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
      }
      const svcmon = (extraEnv: NodeJS.ProcessEnv, ...args: string[]) =>
        runAsync(node, [npm.npx, '--yes=false', 'svcmon', ...args], { cwd: project, env: { ...s3env, ...extraEnv } });

      // No region given: it is asked from the bucket (GetBucketLocation); the proxy checks every signature.
      const before = nowSeconds();
      const beat = await svcmon({}, 'beat', bucket, 'nightly', '--endpoint', s3.endpoint);
      expect(beat.status, beat.stderr).toBe(0);
      const heartbeat = await s3.rawGet(bucket, 'nightly-beat.json');
      expect(heartbeat.status).toBe(200);
      expect(heartbeat.headers['content-type']).toBe('application/json');
      expect(heartbeat.headers['cache-control']).toBe('max-age=60, public');
      const seconds = Number(HEARTBEAT.exec(heartbeat.body.toString('utf8'))?.[3]);
      expect(seconds).toBeGreaterThanOrEqual(before);
      expect(seconds).toBeLessThanOrEqual(nowSeconds());

      // The endpoint from the environment, as the AWS SDK's own variable.
      const set = await svcmon({ AWS_ENDPOINT_URL_S3: s3.endpoint }, 'config', 'set-task', bucket, 'nightly', '--period', '60', '--force');
      expect(set.status, set.stderr).toBe(0);
      const config = await s3.rawGet(bucket, 'config.rktd');
      expect(config.body.toString('utf8')).toBe('#hash((tasks . (#hash((name . "nightly") (period . 60)))))\n');
      expect((await s3.rawGet(bucket, 'index.html')).status).toBe(200);

      const pulse = await svcmon({}, 'pulse', bucket, '--no-email', '--beat', 'monitor', '--endpoint', s3.endpoint);
      expect(pulse.status, `${pulse.stdout}\n${pulse.stderr}`).toBe(0);
      expect(pulse.stdout).toContain('All sites and tasks appear healthy');
      expect(pulse.stdout).toMatch(/^nightly: ok$/m);
      const own = await s3.rawGet(bucket, 'monitor-beat.json');
      expect(own.status).toBe(200);
      expect(own.body.toString('utf8')).toMatch(HEARTBEAT);

      const sdkRequests = s3.requests.filter((r) => /aws-sdk-js/.test(String(r.headers['user-agent'] ?? '')));
      if (profile) expect(sdkRequests.length).toBeGreaterThan(0);
      // Objects not there yet answer 404; anything else (a refused signature, a bad request) is a bug.
      const refused = s3.requests.filter((r) => r.status !== undefined && r.status >= 400 && r.status !== 404);
      expect(refused.map((r) => `${r.method} ${r.path} → ${r.status}`)).toEqual([]);
    } finally {
      await s3.stop();
    }
  });

  it('the `svcmon-beat` bin of @svcmon/beat beats too', () => {
    const before = nowSeconds();
    const r = run(node, [path.join(project, 'node_modules', '.bin', 'svcmon-beat'), './mon', 'backup'], inProject);
    expect(r.status, r.stderr).toBe(0);
    expectFreshHeartbeat(path.join(project, 'mon', 'backup-beat.json'), before, nowSeconds());
    // nightly (period 60) beats afresh too: the earlier tests may have taken over a minute on a busy machine.
    expect(run(node, [path.join(project, 'node_modules', '.bin', 'svcmon-beat'), './mon', 'nightly'], inProject).status).toBe(0);
    const pulse = npx('svcmon', 'pulse', './mon', '--no-email');
    expect(pulse.status, pulse.stdout).toBe(0);
  });

  it('`svcmon run` records a failure with its exit status and output, and the next pulse reports it', () => {
    mkdirSync(path.join(project, 'run-mon'));
    const set = npx('svcmon', 'config', 'set-task', './run-mon', 'job', '--force', '--skip-html');
    expect(set.status, set.stderr).toBe(0);
    const ok = npx('svcmon', 'run', './run-mon', 'job', '--', node, '-e', 'console.log("fine")');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('fine');
    expect(readFileSync(path.join(project, 'run-mon', 'job-beat.json'), 'utf8')).toMatch(HEARTBEAT);
    const failed = npx('svcmon', 'run', './run-mon', 'job', '--', node, '-e', 'console.log("disk full"); process.exit(3)');
    expect(failed.status).toBe(3);
    expect(failed.stdout).toContain('disk full');
    expect(readFileSync(path.join(project, 'run-mon', 'job-failure.json'), 'utf8')).toContain('disk full');
    const pulse = npx('svcmon', 'pulse', './run-mon', '--no-email');
    expect(pulse.status, `${pulse.stdout}\n${pulse.stderr}`).toBe(1);
    expect(pulse.stdout).toMatch(/^job: ERROR$/m);
    expect(pulse.stdout).toContain('disk full');
  });

  it("the README's AWS Lambda handler runs as written (against a directory)", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const handler = /```js\n(\/\/ index\.mjs[^\n]*\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(handler, 'README.md has a ```js block starting with // index.mjs').toBeDefined();
    mkdirSync(path.join(project, 'lambda'));
    writeFileSync(path.join(project, 'lambda', 'index.mjs'), handler!);
    mkdirSync(path.join(project, 'lambda-mon'));
    const set = npx('svcmon', 'config', 'set-task', './lambda-mon', 'nightly', '--force', '--skip-html');
    expect(set.status, set.stderr).toBe(0);
    expect(npx('svcmon', 'beat', './lambda-mon', 'nightly').status).toBe(0);
    const r = run(
      node,
      ['--input-type=module', '-e', "const { handler } = await import('./lambda/index.mjs'); console.log(JSON.stringify(await handler()));"],
      { cwd: project, env: { ...env, SVCMON_BUCKET: './lambda-mon' } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('All sites and tasks appear healthy');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ ok: true });
    expect(readFileSync(path.join(project, 'lambda-mon', 'lambda-monitor-beat.json'), 'utf8')).toMatch(HEARTBEAT);
  });

  it('imports @svcmon/beat from ESM and beats into a directory, byte for byte as the original', () => {
    mkdirSync(path.join(project, 'esm-mon'));
    const script = `
      import { beat } from '@svcmon/beat';
      const live = await beat('./esm-mon', 'live');
      const fixed = await beat('./esm-mon', 'fixed', { now: new Date(${fixtureBeat.seconds} * 1000) });
      console.log(JSON.stringify({ live, fixed, entry: import.meta.resolve('@svcmon/beat') }));
    `;
    const before = nowSeconds();
    const r = nodeEval('--input-type=module', '-e', script);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { live: { seconds: number }; fixed: { seconds: number; date: string }; entry: string };
    expect(out.entry).toMatch(/\/node_modules\/@svcmon\/beat\/dist\/index\.js$/);
    expect(expectFreshHeartbeat(path.join(project, 'esm-mon', 'live-beat.json'), before, nowSeconds())).toBe(out.live.seconds);
    expect(readFileSync(path.join(project, 'esm-mon', 'fixed-beat.json'), 'utf8')).toBe(fixtureBeat.bytes);
    expect(out.fixed).toEqual(JSON.parse(fixtureBeat.bytes));
  });

  it('requires @svcmon/beat from CommonJS and beats into a directory, byte for byte as the original', () => {
    mkdirSync(path.join(project, 'cjs-mon'));
    const script = `
      const { beat } = require('@svcmon/beat');
      (async () => {
        const live = await beat('./cjs-mon', 'live');
        const fixed = await beat('./cjs-mon', 'fixed', { now: new Date(${fixtureBeat.seconds} * 1000) });
        console.log(JSON.stringify({ live, fixed, entry: require.resolve('@svcmon/beat') }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const before = nowSeconds();
    const r = nodeEval('-e', script);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { live: { seconds: number }; entry: string };
    expect(out.entry).toMatch(/\/node_modules\/@svcmon\/beat\/dist\/index\.cjs$/);
    expect(expectFreshHeartbeat(path.join(project, 'cjs-mon', 'live-beat.json'), before, nowSeconds())).toBe(out.live.seconds);
    expect(readFileSync(path.join(project, 'cjs-mon', 'fixed-beat.json'), 'utf8')).toBe(fixtureBeat.bytes);
  });

  it('every library loads from ESM and from CommonJS with its main function', () => {
    const expected: Record<Exclude<Pkg, 'cli'>, string[]> = {
      rktd: ['parse', 'stringify', 'sym', 'toJS', 'fromJS'],
      store: ['openStore', 'writeHeartbeat', 'readHeartbeat', 'parseConfig', 'stringifyConfig'],
      beat: ['beat'],
      config: ['setTask', 'getTask', 'removeTask', 'renderDashboard'],
      pulse: ['takePulse', 'checkSites', 'checkTasks', 'renderReport'],
    };
    const check = JSON.stringify(expected);
    const esm = nodeEval(
      '--input-type=module',
      '-e',
      `const want = ${check}; const missing = [];
       for (const [pkg, names] of Object.entries(want)) {
         const m = await import('@svcmon/' + pkg);
         for (const n of names) if (typeof m[n] !== 'function') missing.push(pkg + '.' + n);
       }
       console.log(JSON.stringify(missing));`,
    );
    expect(esm.status, esm.stderr).toBe(0);
    expect(JSON.parse(esm.stdout)).toEqual([]);
    const cjs = nodeEval(
      '-e',
      `const want = ${check}; const missing = [];
       for (const [pkg, names] of Object.entries(want)) {
         const m = require('@svcmon/' + pkg);
         for (const n of names) if (typeof m[n] !== 'function') missing.push(pkg + '.' + n);
       }
       console.log(JSON.stringify(missing));`,
    );
    expect(cjs.status, cjs.stderr).toBe(0);
    expect(JSON.parse(cjs.stdout)).toEqual([]);
  });

  it('type-checks a strict TypeScript consumer (moduleResolution nodenext, ESM and CJS)', () => {
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
            types: ['node'],
          },
          files: ['consumer.mts', 'consumer.cts'],
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(
      path.join(project, 'consumer.mts'),
      `import { beat } from '@svcmon/beat';
import { openStore, readHeartbeat, type Heartbeat, type Store } from '@svcmon/store';
import { takePulse, type PulseResult } from '@svcmon/pulse';
import { setTask } from '@svcmon/config';
import { parse, stringify, sym, type Value } from '@svcmon/rktd';

const store: Store = openStore('./ts-mon');
const heartbeat: Heartbeat = await beat(store, 'nightly', { now: new Date() });
const seconds: number = heartbeat.seconds;
const read: Heartbeat | null = await readHeartbeat(store, 'nightly');
const changed: boolean = (await setTask('./ts-mon', { name: 'nightly', period: 3600 }, { force: true })).changed;
const result: PulseResult = await takePulse('./ts-mon', { emailMode: 'none' });
const ok: boolean = result.ok;
const report: string = result.report;
const value: Value = parse('#hash((name . "nightly") (period . 3600))');
const text: string = stringify(value);
const name: string = sym('name').name;
console.log(seconds, read?.date, changed, ok, report, text, name);

// The types are real, not \`any\`: each of these must be an error.
// @ts-expect-error a beat needs a task name
await beat(store);
// @ts-expect-error seconds is a number
const wrong: string = heartbeat.seconds;
// @ts-expect-error emailMode is a closed set
await takePulse('./ts-mon', { emailMode: 'sometimes' });
void wrong;
`,
    );
    writeFileSync(
      path.join(project, 'consumer.cts'),
      `import { beat } from '@svcmon/beat';
import type { Heartbeat } from '@svcmon/store';
import { parse, stringify } from '@svcmon/rktd';

export async function nightly(): Promise<Heartbeat> {
  return beat('./ts-mon', 'nightly');
}
export const roundTrip: string = stringify(parse('(1 2 3)'));
// @ts-expect-error a beat needs a task name
void beat('./ts-mon');
`,
    );
    const r = nodeEval(path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json');
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});

// ---------------------------------------------------------------- @svcmon/beat alone

/** Bytes of every file under `dir` (what an install puts on disk, apparent size). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(file);
    else if (entry.isFile()) total += statSync(file).size;
  }
  return total;
}

describe('@svcmon/beat installed alone (no CLI, no AWS SDK)', () => {
  const MiB = 1024 * 1024;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let npm: { npm: string; npx: string };
  const node = process.execPath;
  const sdkRange = (readJson(path.join(repoRoot, 'packages', 'store', 'package.json')) as { peerDependencies: Record<string, string> })
    .peerDependencies['@aws-sdk/client-s3']!;

  beforeAll(() => {
    env = userEnv(path.dirname(node));
    npm = npmCliFiles();
    project = mkdtempSync(path.join(os.tmpdir(), 'svcmon-beat-alone-'));
    writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'beat-alone', version: '1.0.0', private: true }, null, 2)}\n`);
    // beat and what it depends on, from the tarballs (the rest would come from the registry).
    runOk(node, [npm.npm, 'install', '--no-audit', '--no-fund', '--loglevel=error', ...(['rktd', 'store', 'beat'] as const).map((p) => tarballs.get(p)!)], {
      cwd: project,
      env,
      timeoutMs: 600_000,
    });
  });

  afterAll(() => {
    if (project && !keep) rmSync(project, { recursive: true, force: true });
  });

  it(`installs in under 1 MiB, without @aws-sdk or @smithy`, () => {
    const modules = path.join(project, 'node_modules');
    const bytes = treeBytes(modules);
    const scopes = readdirSync(modules).filter((n) => n.startsWith('@'));
    console.log(`@svcmon/beat alone: ${(bytes / 1024).toFixed(0)} KiB in node_modules (${readdirSync(modules).join(', ')})`);
    expect(scopes).not.toContain('@aws-sdk');
    expect(scopes).not.toContain('@smithy');
    expect(bytes).toBeLessThan(MiB);
  });

  it('beats with static keys (no SDK loaded); with a profile it says once which package to install, then works once it is added', async () => {
    const bucket = 'beat-alone';
    const s3 = await startS3({ buckets: [bucket] });
    try {
      const base: NodeJS.ProcessEnv = { ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1' };
      for (const key of Object.keys(base)) if (/^AWS_(ACCESS|SECRET|SESSION|PROFILE|SHARED|CONFIG)/.test(key)) delete base[key];
      const beatBin = path.join(project, 'node_modules', '.bin', 'svcmon-beat');
      const script = `import { beat } from '@svcmon/beat'; console.log(JSON.stringify(await beat('${bucket}', process.argv[1])));`;
      const beatFrom = (extra: NodeJS.ProcessEnv, task: string) =>
        runAsync(node, ['--input-type=module', '-e', script, task], { cwd: project, env: { ...base, ...extra } });

      const keys = { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
      const lib = await beatFrom(keys, 'static');
      expect(lib.status, lib.stderr).toBe(0);
      const bin = await runAsync(node, [beatBin, bucket, 'static-bin'], { cwd: project, env: { ...base, ...keys } });
      expect(bin.status, bin.stderr).toBe(0);
      for (const task of ['static', 'static-bin']) expect((await s3.rawGet(bucket, `${task}-beat.json`)).body.toString()).toMatch(HEARTBEAT);

      const credentialsFile = path.join(project, 'aws-credentials');
      writeFileSync(credentialsFile, `[alone]\naws_access_key_id = ${s3.credentials.accessKeyId}\naws_secret_access_key = ${s3.credentials.secretAccessKey}\n`);
      const profile = { AWS_PROFILE: 'alone', AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: path.join(project, 'no-aws-config') };
      const missing = await runAsync(node, [beatBin, bucket, 'profiled'], { cwd: project, env: { ...base, ...profile } });
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toContain('npm install @aws-sdk/client-s3');
      noStackTrace(missing.stderr);
      const viaLib = await beatFrom(profile, 'profiled');
      expect(viaLib.status).not.toBe(0);
      expect(viaLib.stderr).toMatch(/E_NEEDS_SDK|npm install @aws-sdk\/client-s3/);

      runOk(node, [npm.npm, 'install', '--no-audit', '--no-fund', '--loglevel=error', `@aws-sdk/client-s3@${sdkRange}`], {
        cwd: project,
        env,
        timeoutMs: 600_000,
      });
      const before = s3.requests.length;
      const withSdk = await runAsync(node, [beatBin, bucket, 'profiled'], { cwd: project, env: { ...base, ...profile } });
      expect(withSdk.status, withSdk.stderr).toBe(0);
      expect((await s3.rawGet(bucket, 'profiled-beat.json')).body.toString()).toMatch(HEARTBEAT);
      expect(s3.requests.slice(before).every((r) => /aws-sdk-js/.test(String(r.headers['user-agent'] ?? '')))).toBe(true);
    } finally {
      await s3.stop();
    }
  }, 600_000);
});
