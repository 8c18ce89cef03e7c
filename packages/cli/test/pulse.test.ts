import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deadPort, startS3, startSites, startSmtp, type Sites, type TestSmtp } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hasStack, run, s3Env, svcmon, tempDir, BIN } from './_run.js';

let sites: Sites;
let smtp: TestSmtp;

beforeAll(async () => {
  sites = await startSites();
  smtp = await startSmtp();
});
afterAll(async () => {
  await sites?.close();
  await smtp?.close();
});

interface Setup {
  tasks: { name: string; period?: number; beatAgo?: number | null }[];
  sites?: string[];
  emails?: { to: string; onSuccess?: boolean }[];
}

function rktdString(s: string): string {
  return JSON.stringify(s);
}

/** A monitor directory with config.rktd and heartbeats written as the original would. */
async function monitor(setup: Setup): Promise<string> {
  const dir = join(await tempDir(), 'mon');
  await mkdir(dir);
  const { formatHeartbeat, heartbeatKey } = await import('@svcmon/store');
  const tasks = setup.tasks
    .map((t) => `#hash((name . ${rktdString(t.name)})${t.period !== undefined ? ` (period . ${t.period})` : ''})`)
    .join(' ');
  const siteList = (setup.sites ?? []).map((u) => `#hash((url . ${rktdString(u)}) (timeout . 3))`).join(' ');
  const emails = (setup.emails ?? [])
    .map((e) => `#hash(${e.onSuccess === false ? '(on-success? . #f) ' : ''}(to . ${rktdString(e.to)}))`)
    .join(' ');
  await writeFile(join(dir, 'config.rktd'), `#hash((emails . (${emails})) (sites . (${siteList})) (tasks . (${tasks})))\n`);
  for (const t of setup.tasks) {
    if (t.beatAgo === null || t.beatAgo === undefined) continue;
    await writeFile(join(dir, heartbeatKey(t.name)), formatHeartbeat(new Date(Date.now() - t.beatAgo * 1000)));
  }
  return dir;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe('svcmon pulse against a directory', () => {
  it('healthy: exit 0, progress lines then the report as the original prints them', async () => {
    const dir = await monitor({ tasks: [{ name: 'nightly-build', period: 86400, beatAgo: 5 }], sites: [sites.ok] });
    const r = await svcmon(['pulse', dir, '--no-email']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      new RegExp(
        `^Pinging site ${sites.ok.replace(/[.?]/g, '\\$&')}\nChecking task "nightly-build"\n\nAll sites and tasks appear healthy\n\n` +
          `${sites.ok.replace(/[.?]/g, '\\$&')}: ok\nnightly-build: ok\n  last reported [A-Z][a-z]+day, [A-Z][a-z]+ \\d+(st|nd|rd|th), \\d{4} \\d+:\\d\\d:\\d\\d[ap]m \\(\\d+ seconds? ago\\)\n$`,
      ),
    );
  });

  it('a failed check: exit 1, CHECK FAILED with the late, missing and down entries', async () => {
    const dir = await monitor({
      tasks: [
        { name: 'ok-task', beatAgo: 1 },
        { name: 'late-task', period: 3600, beatAgo: 3 * 3600 },
        { name: 'missing-task' },
      ],
      sites: [sites.ok, sites.refused],
    });
    const r = await svcmon(['pulse', dir, '--no-email']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('\nCHECK FAILED for some site or task\n');
    expect(r.stdout).toContain(`${sites.refused}: FAILED`);
    expect(r.stdout).toMatch(/late-task: ERROR\n {2}last report was .* \(3 hours ago\)\n/);
    expect(r.stdout).toMatch(/missing-task: ERROR\n {2}\S/);
    expect(r.stdout).toContain('ok-task: ok\n');
  });

  it('a malformed config: exit 2, one line with config.rktd:line:column, no stack', async () => {
    const dir = join(await tempDir(), 'bad');
    await mkdir(dir);
    await writeFile(join(dir, 'config.rktd'), '#hash((tasks . (#hash((name . "a")))\n (sites . #hash((url . 12 . 3)))))\n');
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', 'monitor']);
    expect(r.code).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('svcmon: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/config\.rktd:2:\d+/);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await exists(join(dir, 'monitor-beat.json'))).toBe(false);
  });

  it('a missing config: exit 2', async () => {
    const dir = await tempDir();
    const r = await svcmon(['pulse', dir, '--no-email']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^svcmon: error: .*config\.rktd/m);
  });

  it('--json prints the result object, and nothing else on stdout', async () => {
    const dir = await monitor({ tasks: [{ name: 'a', beatAgo: 1 }, { name: 'b' }], sites: [sites.ok] });
    const r = await svcmon(['pulse', dir, '--no-email', '--json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as {
      ok: boolean;
      tasks: { name: string; ok: boolean; state: string }[];
      sites: { url: string; ok: boolean }[];
      report: string;
    };
    expect(result.ok).toBe(false);
    expect(result.tasks.map((t) => [t.name, t.state])).toEqual([['a', 'ok'], ['b', 'missing']]);
    expect(result.sites).toMatchObject([{ url: sites.ok, ok: true }]);
    expect(result.report).toContain('CHECK FAILED');
  });

  it('--json never prints the e-mail password', async () => {
    const dir = await monitor({ tasks: [{ name: 'a', beatAgo: 1 }], emails: [{ to: 'ops@example.com' }] });
    const emailConfig = join(dir, '..', 'email.json');
    await writeFile(emailConfig, JSON.stringify({ server: '127.0.0.1', port: smtp.port, connect: 'plain', password: 'hunter2-secret' }));
    const r = await svcmon(['pulse', dir, '--json', '--email-config', emailConfig]);
    expect(r.stdout).not.toContain('hunter2-secret');
    expect(r.stderr).not.toContain('hunter2-secret');
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });

  it('--beat NAME: the monitor counts as healthy and beats after a pulse that did its job', async () => {
    const dir = await monitor({ tasks: [{ name: 'monitor', period: 600 }, { name: 'job', beatAgo: 1 }] });
    const r = await svcmon(['pulse', dir, '--no-email', '--beat', 'monitor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Checking task "monitor"');
    expect(r.stdout).toContain('monitor: ok');
    const beat = JSON.parse(await readFile(join(dir, 'monitor-beat.json'), 'utf8')) as { seconds: number };
    expect(Math.abs(beat.seconds - Date.now() / 1000)).toBeLessThan(30);

    // A failed check is still a pulse that did its job: exit 1, and the monitor beats.
    const failing = await monitor({ tasks: [{ name: 'monitor' }, { name: 'dead' }] });
    const f = await svcmon(['pulse', failing, '--no-email', '--beat', 'monitor']);
    expect(f.code).toBe(1);
    expect(await exists(join(failing, 'monitor-beat.json'))).toBe(true);
  });

  it('a reader that closes the pipe early does not stop the pulse (exit code, --beat)', async () => {
    const dir = await monitor({ tasks: [{ name: 'job', beatAgo: 1 }, { name: 'gone' }] });
    const r = await run('sh', ['-c', `"${process.execPath}" "${BIN}" pulse "${dir}" --no-email --beat monitor | head -1`], {
      env: cleanEnv(),
    });
    expect(r.stdout.split('\n')[0]).toBe('Checking task "job"');
    expect(r.stderr).toBe('');
    expect(await exists(join(dir, 'monitor-beat.json'))).toBe(true);
  });

  it('mails the report over SMTP, then beats', async () => {
    const dir = await monitor({
      tasks: [{ name: 'job', beatAgo: 1 }],
      emails: [{ to: 'oncall@example.com', onSuccess: false }, { to: 'ops@example.com' }],
    });
    const emailConfig = join(dir, '..', 'email-config.rktd');
    await writeFile(emailConfig, `#hash((server . "127.0.0.1") (port . ${smtp.port}) (connect . plain) (from . "monitor@example.com"))`);
    const already = smtp.messages.length;
    const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n\nSending email:\n {2}ops@example\.com\n$/);
    const [message] = (await smtp.waitFor(already + 1)).slice(already);
    expect(message?.to).toEqual(['ops@example.com']);
    expect(message?.parsed.subject).toBe(`[take-pulse] successful health check at ${dir}`);
    expect(message?.parsed.text).toContain('All sites and tasks appear healthy');
    expect(await exists(join(dir, 'monitor-beat.json'))).toBe(true);
  });

  it('--fail-email sends nothing when all is healthy', async () => {
    const dir = await monitor({ tasks: [{ name: 'job', beatAgo: 1 }], emails: [{ to: 'ops@example.com' }] });
    const emailConfig = join(dir, '..', 'email.json');
    await writeFile(emailConfig, JSON.stringify({ server: '127.0.0.1', port: smtp.port, connect: 'plain' }));
    const already = smtp.messages.length;
    const r = await svcmon(['pulse', dir, '--fail-email', '--email-config', emailConfig]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Sending email');
    expect(smtp.messages.length).toBe(already);
  });

  it('mail that cannot be sent: exit 3, one error line, and no heartbeat for --beat', async () => {
    const dir = await monitor({ tasks: [{ name: 'job', beatAgo: 1 }], emails: [{ to: 'ops@example.com' }] });
    const emailConfig = join(dir, '..', 'email.json');
    await writeFile(emailConfig, JSON.stringify({ server: '127.0.0.1', port: await deadPort(), connect: 'plain' }));
    const r = await svcmon(['pulse', dir, '--email-config', emailConfig, '--beat', 'monitor']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^svcmon: error: could not send the report/m);
    expect(hasStack(r.stderr)).toBe(false);
    expect(await exists(join(dir, 'monitor-beat.json'))).toBe(false);
  });

  it('a bad --email-config: exit 2 with a clear line', async () => {
    const dir = await monitor({ tasks: [{ name: 'job', beatAgo: 1 }] });
    const missing = await svcmon(['pulse', dir, '--email-config', join(dir, 'nope.rktd')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^svcmon: error: .*nope\.rktd/);
    const bad = join(dir, '..', 'bad.rktd');
    await writeFile(bad, '#hash((server . "x") (port . ');
    const r = await svcmon(['pulse', dir, '--email-config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^svcmon: error: .*bad\.rktd/);
    expect(hasStack(r.stderr)).toBe(false);
  });
});

describe('svcmon pulse against S3 (s3rver)', () => {
  it('healthy pulse and --beat through the bucket; an unreachable store is exit 3', async () => {
    const s3 = await startS3({ buckets: ['pulse'] });
    try {
      const env = s3Env(s3.credentials);
      const e = ['--endpoint', s3.endpoint];
      expect((await svcmon(['config', 'set-task', 'pulse', 'job', '--force', '--skip-html', ...e], { env })).code).toBe(0);
      expect((await svcmon(['config', 'set-task', 'pulse', 'monitor', '--skip-html', ...e], { env })).code).toBe(0);
      expect((await svcmon(['beat', 'pulse', 'job', ...e], { env })).code).toBe(0);
      const r = await svcmon(['pulse', 'pulse', '--no-email', '--beat', 'monitor', ...e], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('All sites and tasks appear healthy');
      expect((await s3.rawGet('pulse', 'monitor-beat.json')).status).toBe(200);
    } finally {
      await s3.stop();
    }
    const port = await deadPort();
    const down = await svcmon(['pulse', 'pulse', '--no-email', '--endpoint', `http://127.0.0.1:${port}`], {
      env: s3Env({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
    });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^svcmon: error: /m);
    expect(hasStack(down.stderr)).toBe(false);
  });
});

describe('svcmon pulse where listing is refused (a policy without s3:ListBucket)', () => {
  it('a task that never beat is missing, not an error (S3 answers 403 for it), exit 1 not 3; --json warnings carry their code', async () => {
    const s3 = await startS3({ buckets: ['nolist'] });
    try {
      const env = s3Env(s3.credentials);
      const e = ['--endpoint', s3.endpoint];
      expect((await svcmon(['config', 'set-task', 'nolist', 'job', '--force', '--skip-html', ...e], { env })).code).toBe(0);
      expect((await svcmon(['config', 'set-task', 'nolist', 'never', '--skip-html', ...e], { env })).code).toBe(0);
      expect((await svcmon(['beat', 'nolist', 'job', ...e], { env })).code).toBe(0);
      s3.setBucketOptions('nolist', { denyList: true });
      const r = await svcmon(['pulse', 'nolist', '--no-email', '--no-publish', '--json', ...e], { env });
      expect(r.code, r.stderr).toBe(1);
      const result = JSON.parse(r.stdout) as { tasks: { name: string; state: string; reason?: string }[]; warnings: unknown[] };
      expect(result.tasks.map((t) => [t.name, t.state])).toEqual([['never', 'missing'], ['job', 'ok']]);
      expect(result.tasks[0]?.reason).toContain('403 AccessDenied');
      expect(result.warnings).toEqual([{ code: 'listing-refused', message: expect.stringContaining('s3:ListBucket') }]);
      expect(r.stderr).toMatch(/^svcmon: warning: listing s3:\/\/nolist\/ was refused/m);
    } finally {
      await s3.stop();
    }
  }, 60_000); // five CLI runs
});

describe('colour and progress on a terminal', () => {
  // util-linux `script` gives the child a real pseudo-terminal.
  const onTty = (args: string[], env: Record<string, string>) =>
    run('script', ['-qec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { env });

  it('colours the report and shows progress on a TTY; NO_COLOR turns colour off', async () => {
    const dir = await monitor({ tasks: [{ name: 'job', beatAgo: 1 }, { name: 'gone' }] });
    const tty = await onTty(['pulse', dir, '--no-email'], cleanEnv({ TERM: 'xterm' }));
    expect(tty.code).toBe(1);
    expect(tty.stdout).toContain('\u001b[31mERROR\u001b[39m');
    expect(tty.stdout).toContain('\r\u001b[K'); // the progress line, erased before the report
    const plain = await onTty(['pulse', dir, '--no-email'], cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }));
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('gone: ERROR');
    expect(plain.stdout).not.toMatch(/\u001b\[\d+m/);
    // Not a terminal: no escapes at all.
    const piped = await svcmon(['pulse', dir, '--no-email']);
    expect(piped.stdout + piped.stderr).not.toContain('\u001b');
  });
});
