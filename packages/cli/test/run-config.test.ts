// svcmon config set-task --grace/--schedule/--tz/--max-duration, pause-task, resume-task.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svcmon, tempDir } from './_run.js';

describe('svcmon config: the keys of svcmon run', () => {
  it('set-task writes them; bad values are usage errors naming the key, nothing written', async () => {
    const dir = await tempDir();
    const set = await svcmon(['config', 'set-task', dir, 'backup', '--force', '--skip-html', '--schedule', '0 3 * * *', '--tz', 'Europe/Berlin', '--grace', '1800', '--max-duration', '7200']);
    expect(set.code, set.stderr).toBe(0);
    const config = await readFile(join(dir, 'config.rktd'), 'utf8');
    expect(config).toBe('#hash((tasks . (#hash((grace . 1800) (max-duration . 7200) (name . "backup") (schedule . "0 3 * * *") (tz . "Europe/Berlin")))))\n');
    for (const [flag, value, key] of [
      ['--schedule', '0 3 * *', 'schedule'],
      ['--tz', 'Europe/Atlantis', 'tz'],
      ['--grace', '-5', '--grace'],
      ['--max-duration', '0', '--max-duration'],
    ] as const) {
      const r = await svcmon(['config', 'set-task', dir, 'backup', '--skip-html', flag, value]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stderr).toContain(key);
    }
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(config);
  });

  it('pause-task --until, pause-task, resume-task', async () => {
    const dir = await tempDir();
    await svcmon(['config', 'set-task', dir, 'backup', '--force', '--skip-html', '--period', '3600']);
    const p = await svcmon(['config', 'pause-task', dir, 'backup', '--skip-html', '--until', '2100-01-01T06:00:00Z']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('paused until Friday, January 1st, 2100 6:00:00am (UTC)');
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toContain('(paused-until . 4102466400)');
    const forever = await svcmon(['config', 'pause-task', dir, 'backup', '--skip-html']);
    expect(forever.stdout).toContain('paused until resumed');
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe('#hash((tasks . (#hash((name . "backup") (paused? . #t) (period . 3600)))))\n');
    const pulse = await svcmon(['pulse', dir, '--no-email']);
    expect(pulse.code).toBe(0);
    expect(pulse.stdout).toContain('\nbackup: paused\n  paused until resumed\n');
    const r = await svcmon(['config', 'resume-task', dir, 'backup', '--skip-html']);
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe('#hash((tasks . (#hash((name . "backup") (period . 3600)))))\n');
    const bad = await svcmon(['config', 'pause-task', dir, 'backup', '--until', 'next tuesday']);
    expect(bad.code).toBe(2);
    const none = await svcmon(['config', 'pause-task', dir, 'nope', '--skip-html']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no task named "nope"');
  });
});
