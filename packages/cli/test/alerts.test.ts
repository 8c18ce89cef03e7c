// svcmon pulse --change-email / --remind / --no-publish and webhooks; set-site's check flags.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { listen, startSites, startSmtp, type Sites, type TestSmtp } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svcmon, tempDir } from './_run.js';

let sites: Sites;
let smtp: TestSmtp;
let sink: Server;
let sinkBase = '';
const hooks: string[] = [];

beforeAll(async () => {
  sites = await startSites();
  smtp = await startSmtp();
  sink = createServer((req, res) => {
    hooks.push(`${req.method} ${req.url}`);
    res.writeHead(req.url?.startsWith('/broken') ? 500 : 200).end();
  });
  sinkBase = await listen(sink);
});
afterAll(async () => {
  await sites?.close();
  await smtp?.close();
  await new Promise((r) => sink.close(r));
});

async function monitor(siteUrl: string): Promise<{ dir: string; mail: string }> {
  const root = await tempDir();
  const dir = join(root, 'mon');
  await mkdir(dir);
  await writeFile(join(dir, 'config.rktd'), `#hash((emails . (#hash((to . "ops@example.com")))) (sites . (#hash((url . ${JSON.stringify(siteUrl)})))))\n`);
  const mail = join(root, 'mail.json');
  await writeFile(mail, JSON.stringify({ server: '127.0.0.1', port: smtp.port, webhooks: [{ url: `${sinkBase}/hook/S3CRET`, format: 'json' }] }));
  return { dir, mail };
}

describe('svcmon pulse alerting flags', () => {
  it('--change-email notifies once per change; the state and pulse.json land in the store', async () => {
    const { dir, mail } = await monitor(sites.serverError);
    const first = await svcmon(['pulse', dir, '--change-email', '--email-config', mail]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`Went down:\n  ${sites.serverError} (HTTP 500)\n`);
    expect(first.stdout).toContain('Calling webhooks:\n  127.0.0.1:');
    expect(first.stdout + first.stderr).not.toContain('S3CRET');
    const second = await svcmon(['pulse', dir, '--change-email', '--email-config', mail]);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('No change since the last message: not notifying');
    expect(second.stdout).not.toContain('Sending email:');
    await smtp.waitFor(1);
    expect(hooks.filter((h) => h.startsWith('POST /hook/'))).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(['config.rktd', 'pulse', 'pulse-badge.svg', 'pulse.json', 'svcmon-pulse-ledger.json', 'svcmon-pulse-state']);
    expect(JSON.parse(await readFile(join(dir, 'pulse.json'), 'utf8'))).toMatchObject({ ok: false, monitor: 'default' });
  });

  it('a failing webhook is exit 3 and names only its host; --no-publish writes no pulse.json', async () => {
    const { dir } = await monitor(sites.ok);
    const root = join(dir, '..');
    const mail = join(root, 'hooks.rktd');
    await writeFile(mail, `#hash((webhooks . (#hash((url . "${sinkBase}/broken/S3CRET") (format . ntfy)))))`);
    const r = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish', '--no-email']);
    // --no-email: no mail and no webhook.
    expect(r.code).toBe(0);
    const r2 = await svcmon(['pulse', dir, '--email-config', mail, '--no-publish', '--beat', 'monitor']);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toContain(`webhook ${new URL(sinkBase).host} (ntfy) failed: HTTP 500`);
    expect(r2.stderr).toContain('not recording the heartbeat of monitor');
    expect(r2.stdout + r2.stderr).not.toContain('S3CRET');
    expect(await readdir(dir)).not.toContain('pulse.json');
  });

  it('--remind takes a duration and rejects nonsense; it does not go with --fail-email', async () => {
    const { dir } = await monitor(sites.ok);
    expect((await svcmon(['pulse', dir, '--remind', 'soon'])).stderr).toMatch(/--remind must be a duration such as 30m, 6h or 1d/);
    expect((await svcmon(['pulse', dir, '--remind', '6h', '--fail-email'])).code).toBe(2);
    expect((await svcmon(['pulse', dir, '--change-email', '--no-email'])).code).toBe(2);
    expect((await svcmon(['pulse', dir, '--remind', '1d', '--no-publish'])).code).toBe(0);
  });
});

describe('svcmon config set-site check flags', () => {
  it('writes status, contains, max-ms, cert-days and failures; rejects bad values with exit 2', async () => {
    const dir = join(await tempDir(), 'mon');
    await mkdir(dir);
    const set = await svcmon(['config', 'set-site', dir, 'https://example.com/', '--force', '--status', '200,204', '--contains', 'Welcome', '--max-ms', '2000', '--cert-days', '30', '--failures', '3']);
    expect(set.code).toBe(0);
    expect((await svcmon(['config', 'get-site', dir, 'https://example.com/'])).stdout).toBe(
      '#hash((cert-days . 30) (contains . "Welcome") (failures . 3) (max-ms . 2000) (status . (200 204)) (url . "https://example.com/"))\n',
    );
    for (const bad of [['--status', '2OO'], ['--max-ms', '0'], ['--failures', '0'], ['--cert-days', '-1']]) {
      const r = await svcmon(['config', 'set-site', dir, 'https://example.com/', ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toContain(bad[0]);
    }
  });
});
