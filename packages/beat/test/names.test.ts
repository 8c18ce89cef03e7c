// The task-name rule at the beat API's door: refused before anything is written.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { beat, fail, start, success } from '../src/index.js';

describe('task names no heartbeat can have', () => {
  test.each(['', '../../x', 'a\nb: ok', '/abs', 'a//b'])('%j: beat, start, success and fail refuse it and write nothing', async (name) => {
    const dir = await mkdtemp(join(tmpdir(), 'svcmon-beat-names-'));
    for (const call of [() => beat(dir, name), () => start(dir, name), () => success(dir, name), () => fail(dir, name)]) {
      await expect(call()).rejects.toMatchObject({ name: 'StoreError', code: 'E_BAD_KEY', message: expect.stringMatching(/^invalid task name /) });
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
