import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, run, tempDir } from './_run.js';

// A preload that records every module Node loads (module.registerHooks, Node ≥ 22.15).
const HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.SVCMON_SEEN, seen.join('\\n')));
`;

async function modulesLoaded(args: string[]): Promise<{ code: number; urls: string[] }> {
  const dir = await tempDir();
  const hook = join(dir, 'hook.mjs');
  const seen = join(dir, 'seen.txt');
  await writeFile(hook, HOOK);
  const r = await run(process.execPath, ['--import', pathToFileURL(hook).href, BIN, ...args], {
    env: cleanEnv({ SVCMON_SEEN: seen }),
  });
  return { code: r.code, urls: (await readFile(seen, 'utf8')).split('\n') };
}

import * as nodeModule from 'node:module';

// registerHooks arrived in Node 22.15; on an older Node the loads cannot be observed.
const canObserve = 'registerHooks' in nodeModule;

describe.skipIf(!canObserve)('commands load lazily (needs module.registerHooks, Node ≥ 22.15)', () => {
  it('svcmon beat loads neither the pulse, nodemailer nor the config editor', async () => {
    const dir = await tempDir();
    const { code, urls } = await modulesLoaded(['beat', dir, 'job']);
    expect(code).toBe(0);
    expect(urls.some((u) => /[/\\]beat[/\\]dist[/\\]/.test(u) || u.includes('@svcmon/beat') || u.includes('@svcmon+beat'))).toBe(true);
    for (const name of ['pulse', 'config', 'nodemailer']) {
      expect(urls.filter((u) => new RegExp(`[/\\\\+@]${name}[/\\\\@]`).test(u) && !u.includes('/cli/dist/'))).toEqual([]);
    }
  });

  it('svcmon --help loads no library at all', async () => {
    const { code, urls } = await modulesLoaded(['--help']);
    expect(code).toBe(0);
    expect(urls.filter((u) => /svcmon|packages[/\\](?!cli)/.test(u) && !u.includes('/cli/dist/'))).toEqual([]);
  });
});
