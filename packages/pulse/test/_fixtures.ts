import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repo root (pnpm-workspace.yaml) not found');
    dir = up;
  }
  return dir;
}

/** shared/fixtures/racket beside the repo root. */
export const FIXTURES = resolve(repoRoot(), '../shared/fixtures/racket');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}
