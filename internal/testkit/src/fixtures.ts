// Where the repository and the Racket original's fixtures are, for every
// package's tests: the repo root is the folder holding pnpm-workspace.yaml,
// and the fixtures live in its fixtures/racket/ (nothing outside the clone).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (pnpm-workspace.yaml)');
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot();

/** Files written by the Racket original (see its README.md for how each was made). */
export const FIXTURES = resolve(REPO_ROOT, 'fixtures', 'racket');

/** One fixture file's text. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}
