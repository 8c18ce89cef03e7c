import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root is the folder holding pnpm-workspace.yaml; shared/ sits beside it. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('pnpm-workspace.yaml not found above the tests');
    dir = up;
  }
  return dir;
}

export const FIXTURES = resolve(repoRoot(), '../shared/fixtures/racket');
