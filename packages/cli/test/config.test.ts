import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startS3, type S3TestServer } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './_fixtures.js';
import { cleanEnv, hasStack, s3Env, svcmon, tempDir, type Run } from './_run.js';

interface Target {
  name: string;
  /** A fresh, empty place to keep a monitor: the `where` argument. */
  fresh(): Promise<string>;
  extra: string[];
  env(): Record<string, string>;
  /** The bytes of config.rktd, or null. */
  configBytes(where: string): Promise<string | null>;
  exists(where: string, key: string): Promise<boolean>;
}

let s3: S3TestServer;
let bucketCount = 0;

const dirTarget: Target = {
  name: 'directory',
  fresh: async () => {
    // An empty folder (a directory store never creates its own).
    const where = join(await tempDir(), 'monitor');
    await mkdir(where);
    return where;
  },
  extra: [],
  env: () => cleanEnv(),
  configBytes: (where) => readFile(join(where, 'config.rktd'), 'utf8').catch(() => null),
  exists: (where, key) => stat(join(where, key)).then(() => true, () => false),
};

const s3Target: Target = {
  name: 's3rver',
  fresh: async () => {
    const bucket = `cfg-${++bucketCount}`;
    await s3.createBucket(bucket);
    return bucket;
  },
  get extra() {
    return ['--endpoint', s3.endpoint];
  },
  env: () => s3Env(s3.credentials),
  configBytes: async (where) => {
    const got = await s3.rawGet(where, 'config.rktd');
    return got.status === 200 ? got.body.toString('utf8') : null;
  },
  exists: async (where, key) => (await s3.rawGet(where, key)).status === 200,
};

beforeAll(async () => {
  s3 = await startS3({ buckets: [] });
});
afterAll(async () => {
  await s3?.stop();
});

describe.each([dirTarget, s3Target])('svcmon config against a $name', (t) => {
  const cfg = (sub: string, where: string, ...args: string[]): Promise<Run> =>
    svcmon(['config', sub, where, ...args, ...t.extra], { env: t.env() });

  it('a missing config without --force: exit 1, a clear message naming --force (nothing to remove for a remove), nothing written', async () => {
    const where = await t.fresh();
    for (const args of [['set-task', 'a'], ['get-task', 'a'], ['get-html'], ['show'], ['remove-task', 'a']]) {
      const r = await cfg(args[0]!, where, ...args.slice(1));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(args[0] === 'remove-task' ? /^svcmon: error: remove-task: there is no config\.rktd .*, so there is nothing to remove/ : /^svcmon: error: .*config\.rktd.*--force/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(hasStack(r.stderr)).toBe(false);
    }
    expect(await t.configBytes(where)).toBeNull();
  });

  it('set → get → show → remove, with --json, Racket output and the dashboard', async () => {
    const where = await t.fresh();
    let r = await cfg('set-html', where, '--title', 'Example Service Monitor', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^set dashboard title in /);
    expect(await t.exists(where, 'index.html')).toBe(true);

    expect((await cfg('set-task', where, 'nightly-build', '--period', '86400')).code).toBe(0);
    expect((await cfg('set-task', where, 'backup')).code).toBe(0);
    expect((await cfg('set-site', where, 'https://example.com/', '--timeout', '2.5')).code).toBe(0);
    expect((await cfg('set-email', where, 'ops@example.com')).code).toBe(0);
    expect((await cfg('set-email', where, 'oncall@example.com', '--no-on-success')).code).toBe(0);
    expect((await cfg('set-email', where, 'boss@example.com', '--on-success')).code).toBe(0);

    expect((await cfg('get-task', where, 'nightly-build')).stdout).toBe('#hash((name . "nightly-build") (period . 86400))\n');
    expect((await cfg('get-task', where, 'backup')).stdout).toBe('#hash((name . "backup"))\n');
    r = await cfg('get-task', where, 'weekly-report');
    expect(r).toMatchObject({ code: 0, stdout: '#f\n' });
    expect((await cfg('get-site', where, 'https://example.com/')).stdout).toBe('#hash((timeout . 2.5) (url . "https://example.com/"))\n');
    expect((await cfg('get-email', where, 'ops@example.com')).stdout).toBe('#hash((to . "ops@example.com"))\n');
    expect((await cfg('get-email', where, 'oncall@example.com')).stdout).toBe('#hash((on-success? . #f) (to . "oncall@example.com"))\n');
    expect((await cfg('get-email', where, 'boss@example.com')).stdout).toBe('#hash((on-success? . #t) (to . "boss@example.com"))\n');
    expect((await cfg('get-html', where)).stdout).toBe('#hash((title . "Example Service Monitor"))\n');

    expect(JSON.parse((await cfg('get-task', where, 'nightly-build', '--json')).stdout)).toEqual({ name: 'nightly-build', period: 86400 });
    expect(JSON.parse((await cfg('get-task', where, 'nope', '--json')).stdout)).toBeNull();
    expect(JSON.parse((await cfg('get-email', where, 'oncall@example.com', '--json')).stdout)).toEqual({ to: 'oncall@example.com', 'on-success?': false });
    expect(JSON.parse((await cfg('get-html', where, '--json')).stdout)).toEqual({ title: 'Example Service Monitor' });

    r = await cfg('show', where);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Example Service Monitor');
    expect(r.stdout).toMatch(/Tasks \(2\):\n {2}backup +beats at least every 1 day \(default\)\n {2}nightly-build +beats at least every 1 day\n/);
    expect(r.stdout).toMatch(/https:\/\/example\.com\/ +timeout 2\.5 s/);
    expect(r.stdout).toMatch(/oncall@example\.com +only when a check fails/);
    const shown = JSON.parse((await cfg('show', where, '--json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      html: { title: 'Example Service Monitor' },
      tasks: [{ name: 'backup' }, { name: 'nightly-build', period: 86400 }],
      sites: [{ url: 'https://example.com/', timeout: 2.5 }],
    });

    r = await cfg('remove-task', where, 'backup');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^removed task "backup"/);
    expect((await cfg('get-task', where, 'backup')).stdout).toBe('#f\n');
    const before = await t.configBytes(where);
    r = await cfg('remove-task', where, 'backup');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unchanged/);
    expect(await t.configBytes(where)).toBe(before);
    for (const [sub, arg] of [['remove-site', 'https://example.com/'], ['remove-email', 'ops@example.com']] as const) {
      expect((await cfg(sub, where, arg)).code).toBe(0);
    }
    expect(JSON.parse((await cfg('show', where, '--json')).stdout)).toMatchObject({ sites: [], emails: [{ to: 'boss@example.com' }, { to: 'oncall@example.com' }] });
  });

  it('validation errors: exit 2, the option named, nothing written', async () => {
    const where = await t.fresh();
    expect((await cfg('set-task', where, 'a', '--force')).code).toBe(0);
    const before = await t.configBytes(where);
    for (const args of [
      ['set-task', 'b', '--period', 'soon'],
      ['set-task', 'b', '--period', '-1'],
      ['set-site', 'http://x/', '--timeout', '-2'],
      ['set-site', 'http://x/', '--timeout', 'abc'],
    ]) {
      const r = await cfg(args[0]!, where, ...args.slice(1));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(args[2]!);
      expect(hasStack(r.stderr)).toBe(false);
    }
    expect(await t.configBytes(where)).toBe(before);
    for (const [args, message] of [
      [['set-task', ''], /task name is empty/],
      [['set-site', 'not a url'], /set-site: url must be an http:\/\/ or https:\/\/ URL with a host, no user:password@ \(site URLs are published\) and no control or invisible characters, got "not a url"/],
      // The password is not echoed back.
      [['set-site', 'https://ops:s3cret@example.com/'], /set-site: url must be an http:\/\/ or https:\/\/ URL with a host, no user:password@ .*, got "https:\/\/\*\*\*@example\.com\/"$/m],
      [['set-site', 'http:///x'], /set-site: url must be an http:\/\/ or https:\/\/ URL with a host/],
      [['set-site', 'ftp://example.com/'], /url must be an http/],
      [['set-email', ' '], /set-email: to must be one e-mail address, but " " is empty/],
      [['set-html', '--title', ''], /--title must be a non-empty string/],
      [['set-task', '../../etc/passwd'], /set-task: invalid task name "\.\.\/\.\.\/etc\/passwd": the task name has a "\." or "\.\." segment/],
      [['set-task', 'a\nb: ok'], /set-task: invalid task name "a\\nb: ok": the task name contains a control character/],
    ] as const) {
      const r = await cfg(args[0], where, ...args.slice(1));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(await t.configBytes(where)).toBe(before);
  });

  it('--skip-html leaves the dashboard alone', async () => {
    const where = await t.fresh();
    expect((await cfg('set-task', where, 'a', '--force', '--skip-html')).code).toBe(0);
    expect(await t.exists(where, 'config.rktd')).toBe(true);
    expect(await t.exists(where, 'index.html')).toBe(false);
  });

  it('publish-dashboard uploads the dashboard after --skip-html edits, and leaves config.rktd as it was', async () => {
    const where = await t.fresh();
    const none = await cfg('publish-dashboard', where);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^svcmon: error: .*config\.rktd.*force/);
    expect(hasStack(none.stderr)).toBe(false);
    expect((await cfg('set-task', where, 'a', '--force', '--skip-html')).code).toBe(0);
    const before = await t.configBytes(where);
    const r = await cfg('publish-dashboard', where);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^published the dashboard \(index\.html, style\.css, script\.js\) in /);
    for (const key of ['index.html', 'style.css', 'script.js']) expect(await t.exists(where, key), key).toBe(true);
    expect(await t.configBytes(where)).toBe(before);
  });

  it('show --force on an empty store prints an empty configuration', async () => {
    const where = await t.fresh();
    const r = await cfg('show', where, '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tasks \(0\)/);
    expect(await t.configBytes(where)).toBeNull();
  });
});

describe('svcmon config writes what the original writes', () => {
  const steps: [string, string[]][] = [
    ['01-set-html.rktd', ['set-html', '--title', 'Example Service Monitor']],
    ['02-set-task-nightly-build.rktd', ['set-task', 'nightly-build', '--period', '86400']],
    ['03-set-task-backup.rktd', ['set-task', 'backup']],
    ['04-set-task-weekly-report.rktd', ['set-task', 'weekly-report', '--period', '604800']],
    ['05-set-site.rktd', ['set-site', 'http://127.0.0.1:9/']],
    ['06-set-email-ops.rktd', ['set-email', 'ops@example.com']],
    ['07-set-email-oncall.rktd', ['set-email', 'oncall@example.com', '--no-on-success']],
    ['08-remove-task-weekly-report.rktd', ['remove-task', 'weekly-report']],
  ];

  it('replays the fixture sequence from 00-seed.rktd byte for byte, then the getters as getters.txt', async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURES, '00-seed.rktd'), join(dir, 'config.rktd'));
    for (const [file, [sub, ...args]] of steps) {
      const r = await svcmon(['config', sub!, dir, ...args, '--skip-html']);
      expect(r.code, `${sub}: ${r.stderr}`).toBe(0);
      expect(await readFile(join(dir, 'config.rktd'), 'utf8'), file).toBe(await readFile(join(FIXTURES, file), 'utf8'));
    }
    // getters.txt: "> get-task golden nightly-build" then the value as `write` prints it.
    const lines = (await readFile(join(FIXTURES, 'getters.txt'), 'utf8')).trimEnd().split('\n');
    for (let i = 0; i < lines.length; i += 2) {
      const [getter, , ...args] = lines[i]!.slice(2).split(' ');
      const r = await svcmon(['config', getter!, dir, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, lines[i]).toBe(`${lines[i + 1]}\n`);
    }
  });

  it('a malformed config.rktd: exit 1, one line naming config.rktd and line:column', async () => {
    const dir = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'config.rktd'), '#hash((tasks . (#hash((name . "a")))\n  (sites . "unterminated');
    const r = await svcmon(['config', 'get-task', dir, 'a']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config\.rktd:2:\d+/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
  });
});
