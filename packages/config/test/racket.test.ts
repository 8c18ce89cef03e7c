// Racket itself is the judge: a config edited here must be exactly what
// Racket's `write` prints for the value Racket's `read` gets from it.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirStore } from '@svcmon/store';
import { setEmail, setHtml, setSite, setTask } from '../src/index.js';
import { tempDir } from './_helpers.js';

function racketRewrite(text: string): string {
  const r = spawnSync('racket', ['-e', '(write (read))'], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`racket did not run (apt-get install -y racket): ${r.error.message}`);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('configs written by svcmon, read and written back by Racket', () => {
  it('are in the bytes Racket writes', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(path.join(dir, 'config.rktd'), '#hash((extra . (1 #t "x" sym 1/3 2.0)) (period . 3600))\n');
      const store = dirStore(dir);
      const opts = { skipHtml: true };
      await setHtml(store, { title: 'Zählwerk "monitor" \\ \t λ' }, opts);
      await setTask(store, { name: 'db backup', period: 0 }, opts);
      await setTask(store, { name: 'nightly', period: 10n ** 20n as unknown as number }, opts);
      await setTask(store, { name: 'ünïcödé ✓ <img>' }, opts);
      await setSite(store, { url: 'https://example.com/?q="1"', timeout: 2.5 }, opts);
      await setSite(store, { url: 'http://127.0.0.1:9/', timeout: 10 }, opts);
      await setEmail(store, { to: 'oncall@example.com', 'on-success?': false }, opts);
      await setEmail(store, { to: 'ops@example.com', 'on-success?': true }, opts);
      const ours = await readFile(path.join(dir, 'config.rktd'), 'utf8');
      expect(ours.endsWith('\n')).toBe(true);
      expect(racketRewrite(ours)).toBe(ours.slice(0, -1));
    } finally {
      await cleanup();
    }
  }, 90_000);
});
