// A vitest globalSetup: each package's test run gets a folder of its own for temporary files
// (TMPDIR, which os.tmpdir() reads and the CLI processes the tests start inherit), removed
// when the run ends. Tests can then make temporary folders freely without leaving them behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'svcmon-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return async () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    await rm(dir, { recursive: true, force: true });
  };
}
