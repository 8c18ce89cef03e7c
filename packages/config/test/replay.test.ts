// The original's own edit sequence, replayed: config.rktd must come out
// byte-identical to what Racket wrote after every step.
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, type Store } from '@svcmon/store';
import { REPLAY } from './_replay.js';
import { FIXTURES, tempDir } from './_helpers.js';


describe('replay of the original edit sequence on a directory store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await copyFile(path.join(FIXTURES, '00-seed.rktd'), path.join(dir, 'config.rktd'));
    store = dirStore(dir);
  });
  afterAll(() => cleanup());

  it.each(REPLAY.map(([file, step], i) => [i + 1, file, step] as const))('step %i → %s', async (_i, file, step) => {
    const result = await step(store);
    expect(result.changed).toBe(true);
    const expected = await readFile(path.join(FIXTURES, file));
    const actual = await readFile(path.join(dir, 'config.rktd'));
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual.equals(expected)).toBe(true);
  });

  it('ends with the bytes of the fixture config.rktd', async () => {
    const expected = await readFile(path.join(FIXTURES, 'config.rktd'));
    expect((await readFile(path.join(dir, 'config.rktd'))).equals(expected)).toBe(true);
  });
});
