import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repo root: the folder holding pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = here;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${here}`);
    dir = up;
  }
  return dir;
}

/** Files written by the Racket original (shared/ sits beside the repo root). */
export const FIXTURES = path.resolve(repoRoot(), '../shared/fixtures/racket');

export const PACKAGE_DIR = path.resolve(here, '..');

export async function tempDir(prefix = 'svcmon-config-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
