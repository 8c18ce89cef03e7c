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
    // The plain heartbeat skips the argument parser too.
    expect(urls.filter((u) => u.includes('commander'))).toEqual([]);
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

describe('svcmon beat: the fast path and the full parser agree', () => {
  it('--region=R, --endpoint URL, --no-acl and --debug forms all record the heartbeat of a directory store', async () => {
    const { svcmon } = await import('./_run.js');
    const dir = await tempDir();
    for (const args of [
      ['beat', dir, 'a', '--region=eu-west-1'],
      ['beat', '--no-acl', dir, 'b'],
      ['beat', dir, 'c', '--debug'],
      ['--debug', 'beat', dir, 'd'],
    ]) {
      const r = await svcmon(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    for (const t of ['a', 'b', 'c', 'd']) await readFile(join(dir, `${t}-beat.json`), 'utf8');
  });
});
