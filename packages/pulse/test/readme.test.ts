// The README's custom-monitor example, run as written (only the bucket and the import path are
// pointed at a test directory and this package's source).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirStore, readHeartbeat, writeHeartbeat } from '@svcmon/store';
import { startSites, type Sites } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
let sites: Sites;
let dir: string;
beforeAll(async () => {
  sites = await startSites();
  dir = mkdtempSync(join(tmpdir(), 'svcmon-readme-'));
});
afterAll(async () => {
  await sites.close();
  rmSync(dir, { recursive: true, force: true });
});

function readmeExample(): string {
  const readme = readFileSync(join(here, '../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The pieces, for a custom monitor'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no ts block under "The pieces, for a custom monitor"');
  return block;
}

describe('the README custom-monitor example', () => {
  it('uses the stages and runs: staging left out, report printed, own heartbeat recorded', async () => {
    const code = readmeExample();
    expect(code).toMatch(/readPulseConfig[\s\S]*checkPulse[\s\S]*evaluatePulse[\s\S]*notifyPulse[\s\S]*persistPulse/);
    const store = dirStore(dir);
    await store.put(
      'config.rktd',
      `#hash((sites . (#hash((url . "${sites.ok}")) #hash((url . "${sites.hang}?staging")))) (tasks . (#hash((name . "backup")) #hash((name . "monitor-a")))))`,
      { contentType: 'application/data' },
    );
    await writeHeartbeat(store, 'backup');
    const file = join(here, `.readme-example-${process.pid}.ts`);
    writeFileSync(
      file,
      code.replace("from '@svcmon/pulse'", `from ${JSON.stringify(join(here, '../src/index.js'))}`).replace("'my-bucket'", JSON.stringify(dir)),
    );
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const exitCode = process.exitCode;
    try {
      await import(file);
      expect(process.exitCode).toBe(0);
    } finally {
      process.exitCode = exitCode;
      log.mockRestore();
      rmSync(file, { force: true });
    }
    expect(lines.slice(0, 3)).toEqual([`Pinging site ${sites.ok}`, 'Checking task "backup"', '']);
    expect(lines).toContain('All sites and tasks appear healthy');
    expect(lines.join('\n')).not.toContain('staging');
    expect(await readHeartbeat(store, 'monitor-a')).not.toBeNull();
  });
});
