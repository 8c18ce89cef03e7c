// Task names judged at the door (beat, run, set-task) and config show reading the config by the
// schema (schedules, refused values), through the real binary on a directory store.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, svcmon, tempDir } from './_run.js';

describe('task names that no heartbeat can have are refused before anything runs or is written', () => {
  it('svcmon run D ../../x -- cmd refuses before running cmd', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const r = await svcmon(['run', dir, '../../x', '--', process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid task name "\.\.\/\.\.\/x": the task name has a "\." or "\.\." segment/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([[''], ['a\nx: ok'], ['/abs'], ['a//b'], ['x'.repeat(2000)]])('svcmon beat D %j refuses and writes nothing', async (name) => {
    const dir = await tempDir();
    const r = await svcmon(['beat', dir, name], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid task name/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('svcmon config show reads the config by the schema', () => {
  it('a scheduled task says its schedule, not a default period; refused values say where and why', async () => {
    const dir = await tempDir();
    expect((await svcmon(['config', 'set-task', dir, 'weekly', '--schedule', '0 3 * * 1', '--force'], { env: cleanEnv() })).code).toBe(0);
    const shown = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(shown.stdout).toContain('weekly  succeeds after each "0 3 * * 1" (UTC)');
    expect(shown.stdout).not.toContain('beats at least every 1 day');

    await writeFile(join(dir, 'config.rktd'), '#hash((period . "day") (tasks . (#hash((name . "a")) #hash((name . "b") (period . -5)))))\n');
    const bad = await svcmon(['config', 'show', dir], { env: cleanEnv() });
    expect(bad.stdout).toContain('a  INVALID: config.rktd:1:7: top-level period must be a non-negative exact integer (seconds), got "day"');
    expect(bad.stdout).toContain('b  INVALID: config.rktd:1:73: period must be a non-negative exact integer (seconds), got -5');
  });

  it('set-site refuses a zero timeout (the flag parser and the library, one rule)', async () => {
    const dir = await tempDir();
    const r = await svcmon(['config', 'set-site', dir, 'http://example.com/', '--timeout', '0', '--force'], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout must be a positive number (seconds).');
  });
});
