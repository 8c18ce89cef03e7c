// Runs the BUILT `svcmon` (dist/bin.js) as a real child process, asynchronously,
// so that servers living in the test process (s3rver, SMTP, web sites) answer it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = resolve(here, '../dist/bin.js');

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: build the CLI first (pnpm --filter @svcmon/cli build)`);
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** An environment with no AWS settings of the machine leaking in, and no colour. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('AWS_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function svcmon(args: string[], options: RunOptions = {}): Promise<Run> {
  return run(process.execPath, [BIN, ...args], options);
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? here,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ok({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

export async function tempDir(prefix = 'svcmon-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The environment a CLI run needs to reach the test S3 server. */
export function s3Env(credentials: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
}

/** No stack trace: no "    at " frames and no file:line of our own code. */
export function hasStack(text: string): boolean {
  return /^\s+at\s/m.test(text);
}
