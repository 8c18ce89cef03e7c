// Shared by the reliability tests: run the BUILT `svcmon` as a child process,
// build a config in an S3 bucket, compare config bytes, and record a
// measurement per scenario into results/<file>.json, which
// scripts/report.mjs turns into RELIABILITY.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FIXTURES, REPO_ROOT } from '@svcmon/testkit';

export { FIXTURES };

const here = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = resolve(here, '..');
const BIN = resolve(REPO_ROOT, 'packages/cli/dist/bin.js');
const RESULTS_DIR = resolve(PACKAGE_DIR, 'results');

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: build the CLI first (pnpm --filter @svcmon/cli build)`);
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** Killed by our own outer bound. */
  killed: boolean;
}

/** An environment with no AWS settings of the machine leaking in, and no colour. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('AWS_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  env['NO_COLOR'] = '1';
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** The environment a CLI run needs to reach a test S3 server. */
export function s3Env(
  credentials: { accessKeyId: string; secretAccessKey: string },
  endpoint?: string,
): Record<string, string> {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ...(endpoint !== undefined ? { AWS_ENDPOINT_URL_S3: endpoint } : {}),
  });
}

/** Runs `node packages/cli/dist/bin.js …args`; never rejects; killed after `timeoutMs`. */
export function svcmon(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ok({ code: code ?? (signal ? 128 : -1), stdout, stderr, ms: Math.round(performance.now() - started), killed });
    });
  });
}

export async function tempDir(prefix = 'svcmon-rel-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** No stack trace: no "    at " frames. */
export function hasStack(text: string): boolean {
  return /^\s+at\s/m.test(text);
}

// ---- measurements -------------------------------------------------------------------------

export interface Measurement {
  /** Section of RELIABILITY.md: 'Faults: S3', 'Hostile input', 'Security', ... */
  group: string;
  scenario: string;
  /** What was run: 'CLI pulse', 'takePulse()', 'fast-check ×500', ... */
  how: string;
  /** Wall time of the scenario, ms. */
  ms?: number;
  exitCode?: number | string;
  /** What svcmon reported (one line, shortened). */
  reported: string;
  /** What was lost or corrupted: 'nothing' is the only acceptable value. */
  lost: string;
  /** The bound the test asserts, for the table. */
  bound?: string;
  /** The vitest test name (`describe > test`), filled in by record(). */
  test?: string;
}

const recorded = new Map<string, Measurement[]>();

/** Shortens a report/error text to one table-friendly line. */
function oneLine(text: string, max = 260): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ⏎ ')
    .replace(/\|/g, '\\|');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Records one scenario's outcome into results/<file>.json (each test file owns
 * its own results file, rewritten on every record, so concurrent files never race).
 */
export function record(file: string, m: Measurement): void {
  const list = recorded.get(file) ?? [];
  const i = list.findIndex((x) => x.group === m.group && x.scenario === m.scenario);
  const test = expect.getState().currentTestName;
  const entry = { ...m, reported: oneLine(m.reported), ...(test ? { test } : {}) };
  if (i === -1) list.push(entry);
  else list[i] = entry;
  recorded.set(file, list);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${file}.json`), `${JSON.stringify(list, null, 2)}\n`);
}

/** A config.rktd (Racket syntax) from plain parts, for seeding buckets. */
export function rktdString(s: string): string {
  return JSON.stringify(s);
}
