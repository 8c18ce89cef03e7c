import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repo root (pnpm-workspace.yaml)');
    dir = up;
  }
  return dir;
}

/** Files written by the Racket original: ../shared/fixtures/racket beside the repo root. */
export const FIXTURES = resolve(repoRoot(), '..', 'shared', 'fixtures', 'racket');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Every config.rktd the original wrote (and the seed). */
export function fixtureConfigs(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.rktd') && f !== 'email-config.rktd')
    .sort();
}

/** The heartbeat fixtures and the instant each stands for. */
export function fixtureBeats(): Array<{ file: string; text: string; now: Date }> {
  return readdirSync(FIXTURES)
    .filter((f) => /-beat(\.stale)?\.json$/.test(f))
    .sort()
    .map((file) => {
      const text = fixture(file);
      const { seconds } = JSON.parse(text) as { seconds: number };
      return { file, text, now: new Date(seconds * 1000) };
    });
}
