import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, svcmon, tempDir } from './_run.js';

describe('svcmon demo', () => {
  it('creates a monitor, takes a pulse, shows healthy/late/missing tasks and a down site, exit 0', async () => {
    const dir = join(await tempDir(), 'demo');
    const r = await svcmon(['demo', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('CHECK FAILED for some site or task');
    expect(r.stdout).toMatch(/nightly-build: ok\n {2}last reported .*\(5 minutes ago\)/);
    expect(r.stdout).toMatch(/backup: ERROR\n {2}last report was .*\(3 hours ago\)/);
    expect(r.stdout).toMatch(/weekly-report: ERROR\n/);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/: ok$/m);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/: FAILED( \(connection refused\))?$/m);
    expect(r.stdout).toContain('The pulse failed on purpose');
    expect(r.stdout).toContain(`Dashboard: ${join(dir, 'index.html')}`);
    expect(r.stdout).toContain(`python3 -m http.server -d ${dir}`);
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('svcmon demo');
    expect(index).toContain('weekly-report');
    await stat(join(dir, 'config.rktd'));

    // It can run again in the same place.
    const again = await svcmon(['demo', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/weekly-report: ERROR\n/);
  });

  it('defaults to ./demo-monitor and prints it as a directory (./demo-monitor)', async () => {
    const cwd = await tempDir();
    const r = await svcmon(['demo'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    await stat(join(cwd, 'demo-monitor', 'index.html'));
    // Run as `node dist/bin.js` (as in a clone): the hint names this Node and this script, not
    // whatever `node` the PATH holds.
    expect(r.stdout).toContain(`Try: ${process.execPath} ${BIN} beat ./demo-monitor backup && ${process.execPath} ${BIN} pulse ./demo-monitor --no-email`);
    expect(r.stdout).toContain(`(svcmon here is that command: Node ${process.versions.node} and this build of the CLI)`);
  });

  it('refuses a directory that holds something else: exit 2', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'mine'));
    await writeFile(join(dir, 'mine', 'notes.txt'), 'precious');
    const r = await svcmon(['demo', join(dir, 'mine')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^svcmon: error: .*not empty/);
    expect(await readFile(join(dir, 'mine', 'notes.txt'), 'utf8')).toBe('precious');
  });
});
