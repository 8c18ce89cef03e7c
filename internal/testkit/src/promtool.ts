// Prometheus's own checker (Debian package `prometheus`: /usr/bin/promtool) as the judge of the
// metrics the pulse writes and of the alert rules the READMEs show.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function promtoolAvailable(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the promtool tests run: when promtool is installed, and always in CI (where a missing
 * promtool must fail the tests, not skip them; scripts/test.sh installs it).
 */
export function mustRunPromtoolTests(): boolean {
  return promtoolAvailable() || Boolean(process.env.CI);
}

export interface PromtoolResult {
  /** 0: valid; 1: parse error; 3: lint problems (`check metrics`). */
  code: number;
  /** stdout and stderr together: promtool writes its findings to either. */
  output: string;
}

function promtool(args: string[], input = ''): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (e) => reject(new Error(`promtool cannot run (install the Debian package prometheus): ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(input);
  });
}

/** `promtool check metrics` (lints the text format: names, units, HELP, escapes) on `text`. */
export function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  return promtool(['check', 'metrics'], text);
}

/** Writes `files` (name → content) to a temporary directory and runs promtool there with `args` naming them. */
async function inFiles(files: Record<string, string>, args: (dir: string) => string[]): Promise<PromtoolResult> {
  const dir = mkdtempSync(join(tmpdir(), 'svcmon-promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return await promtool(args(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `promtool check rules` on a rule file's text. */
export function promtoolCheckRules(rules: string): Promise<PromtoolResult> {
  return inFiles({ 'rules.yml': rules }, (dir) => ['check', 'rules', join(dir, 'rules.yml')]);
}

/** `promtool test rules` on a rule test file whose `rule_files` names `rules.yml`, with that file's text. */
export function promtoolTestRules(rules: string, test: string): Promise<PromtoolResult> {
  return inFiles({ 'rules.yml': rules, 'test.yml': test }, (dir) => ['test', 'rules', join(dir, 'test.yml')]);
}
