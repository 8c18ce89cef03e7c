// Security: the dashboard escapes every string (checked in Chromium with the
// page's CSP bypassed, so escaping alone is what is tested), site URLs are
// limited to http/https (also after a redirect), bodies are not read, and
// secrets (SMTP password, AWS secret key) never reach stdout, stderr or --json.
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  listen,
  startS3,
  startSmtp,
  startStaticServer,
  type Browser,
  type S3TestServer,
  type StaticServer,
  type TestSmtp,
} from '@svcmon/testkit';
import { publishDashboard } from '@svcmon/config';
import { dirStore, readConfig, writeConfig } from '@svcmon/store';
import { cleanEnv, hasStack, record, svcmon, tempDir } from './_helpers.js';

const FILE = 'security';
const GROUP = 'Security';

// Every payload sets window.__xss (or calls alert) if it ever runs.
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '"><script>window.__xss=2</script>',
  "'><svg onload=window.__xss=3>",
  '</td></tr></table><iframe src="javascript:parent.__xss=4"></iframe>',
  '</title><script>window.__xss=5</script>',
  '<!--',
  '&lt;b&gt;entity&amp;',
  '${window.__xss=6}',
];
const TITLE = '</title><script>window.__xss=7</script><b>bold</b> & "quotes"';
const SITE_URLS = [
  'https://example.com/?q=<script>window.__xss=8</script>',
  'http://example.com/"><img src=x onerror=window.__xss=9>',
  'javascript:window.__xss=10',
];

describe('the dashboard escapes every string from the bucket', () => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = await tempDir();
    // Built end to end with the CLI, as a user (or an attacker with config rights) would.
    const title = await svcmon(['config', 'set-html', dir, '--title', TITLE, '--force']);
    expect(title.code, title.stderr).toBe(0);
    for (const name of PAYLOADS) {
      const r = await svcmon(['config', 'set-task', dir, name, '--period', '3600']);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const url of SITE_URLS) {
      if (url.startsWith('javascript:')) {
        // svcmon refuses non-http(s) URLs; a config written by other tools may still hold one.
        const store = dirStore(dir);
        const read = (await readConfig(store))!;
        await writeConfig(store, { ...read.config, sites: [{ url }, ...(read.config.sites ?? [])] }, { ifMatch: read.etag });
        await publishDashboard(store);
        continue;
      }
      const r = await svcmon(['config', 'set-site', dir, url]);
      expect(r.code, r.stderr).toBe(0);
    }
    // A heartbeat whose `date` is markup: the page must show it (if at all) as text.
    await writeFile(
      join(dir, `${PAYLOADS[0]}-beat.json`),
      JSON.stringify({ date: '<img src=x onerror="window.__xss=11">', seconds: Math.floor(Date.now() / 1000) - 60 }),
    );
    server = await startStaticServer(dir);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('no payload runs, every name, URL and the title show literally (CSP bypassed)', async () => {
    const started = performance.now();
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => document.body.hasAttribute('data-checked'), undefined, { timeout: 20_000 });
    // Hover and click everything a payload could hook.
    for (const el of await page.locator('main *').all()) await el.hover({ timeout: 1_000 }).catch(() => undefined);

    const xss = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
    expect(xss).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.title()).toBe(TITLE);
    expect(await page.locator('h1').textContent()).toBe(TITLE);
    expect(await page.locator('script').count()).toBe(1); // ./script.js only
    expect(await page.locator('main img, main svg, main iframe, main script, main b').count()).toBe(0);
    const names = await page.locator('tr.task-row td.name').allTextContents();
    expect([...names].sort()).toEqual([...PAYLOADS].sort());
    const sites = await page.locator('ul.sites li').allTextContents();
    for (const url of SITE_URLS) expect(sites.some((s) => s.startsWith(url))).toBe(true);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    const ms = Math.round(performance.now() - started);
    await context.close();
    record(FILE, {
      group: GROUP,
      scenario: `dashboard: ${PAYLOADS.length} markup task names, ${SITE_URLS.length} hostile site URLs (incl. javascript:), a markup title, a markup heartbeat date`,
      how: 'CLI config set-* → Chromium, CSP bypassed',
      ms,
      exitCode: '—',
      reported: `no script ran (window.__xss undefined, no dialog), ${names.length} names + title + ${sites.length} URLs shown literally, no javascript: link`,
      lost: 'nothing',
      bound: 'no script runs',
    });
  });

  it('with its CSP on (as served), the page still shows the names and runs no payload', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => document.body.hasAttribute('data-checked'), undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('tr.task-row').count()).toBe(PAYLOADS.length);
    await page.close();
  });
});

describe('site URLs are limited to http and https', () => {
  let redirector: Server;
  let base: string;
  beforeAll(async () => {
    redirector = createServer((req, res) => {
      const to = req.url === '/to-file' ? 'file:///etc/passwd' : req.url === '/to-js' ? 'javascript:alert(1)' : 'ftp://127.0.0.1/';
      res.writeHead(302, { location: to });
      res.end();
    });
    base = await listen(redirector);
  });
  afterAll(async () => {
    redirector.closeAllConnections();
    await new Promise<void>((resolve) => redirector.close(() => resolve()));
  });

  it('file:, javascript:, ftp:, data: sites and redirects to them → FAILED, never fetched', async () => {
    const dir = await tempDir();
    const urls = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ftp://127.0.0.1/',
      'data:text/plain,hello',
      `${base}/to-file`,
      `${base}/to-js`,
    ];
    const config = `#hash((sites . (${urls.map((u) => `#hash((url . ${JSON.stringify(u)}) (timeout . 2))`).join(' ')})))\n`;
    await writeFile(join(dir, 'config.rktd'), config);
    const r = await svcmon(['pulse', dir, '--no-email', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { sites: Array<{ url: string; ok: boolean; reason?: string }> };
    for (const s of out.sites) {
      expect(s.ok, s.url).toBe(false);
      // A URL in the config that is not http(s) fails at the schema (with config.rktd line:column); a redirect to one, at the fetch.
      expect(s.reason, s.url).toMatch(/unsupported URL scheme|config\.rktd:\d+:\d+: url must be an http:\/\/ or https:\/\/ URL/);
    }
    // The contents of /etc/passwd appear nowhere.
    expect(r.stdout + r.stderr).not.toMatch(/root:x?:0:0/);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(config);
    record(FILE, {
      group: GROUP,
      scenario: 'sites file:///etc/passwd, javascript:, ftp:, data:, and http sites redirecting to file: and javascript:',
      how: 'CLI pulse --json',
      ms: r.ms,
      exitCode: r.code,
      reported: `${out.sites.length} × FAILED: ${[...new Set(out.sites.map((s) => s.reason?.replace(/ at .*/, '')))].join(', ')}`,
      lost: 'nothing (nothing fetched)',
      bound: 'never fetched',
    });
  });

  it('config set-site refuses file:, javascript: and ftp: URLs (exit 2, nothing written)', async () => {
    const dir = await tempDir();
    const seed = await svcmon(['config', 'set-site', dir, 'https://example.com/', '--force', '--skip-html']);
    expect(seed.code, seed.stderr).toBe(0);
    const before = await readFile(join(dir, 'config.rktd'), 'utf8');
    let total = 0;
    let first = '';
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://127.0.0.1/']) {
      const r = await svcmon(['config', 'set-site', dir, url]);
      total += r.ms;
      expect(r.code, `${url}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/url must be an http:\/\/ or https:\/\/ URL/);
      first ||= r.stderr.split('\n')[0] ?? '';
    }
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(before);
    record(FILE, {
      group: GROUP,
      scenario: 'config set-site with file:///etc/passwd, javascript:alert(1), ftp://',
      how: 'CLI config set-site ×3',
      ms: total,
      exitCode: 2,
      reported: first,
      lost: 'nothing (config.rktd unchanged)',
      bound: 'rejected, nothing written',
    });
  });
});

describe('secrets never appear in output', () => {
  const PASSWORD = 'pw-Secret-7c41e9';
  const AWS_SECRET = 'aws-Secret-0d9b2f55a1';
  const AWS_KEY_ID = 'AKIARELIABILITY01';
  let s3: S3TestServer;
  let smtp: TestSmtp;

  beforeAll(async () => {
    [s3, smtp] = await Promise.all([
      startS3({ buckets: ['secrets'], credentials: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET } }),
      startSmtp({ auth: { user: 'monitor', pass: 'the-right-one' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([s3?.stop(), smtp?.close()]);
  });

  /** Every form a secret could take in output: as is, base64 (AUTH PLAIN/LOGIN), URL-encoded. */
  function leaks(text: string, secret: string): boolean {
    const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(`\0monitor\0${secret}`).toString('base64'), encodeURIComponent(secret)];
    return forms.some((f) => text.includes(f));
  }

  it('SMTP auth failure and S3 failures, with --json and --debug: neither secret is printed', async () => {
    const dir = await tempDir();
    const emailConfig = join(dir, 'email.rktd');
    await writeFile(emailConfig, `#hash((server . "127.0.0.1") (port . ${smtp.port}) (user . "monitor") (password . "${PASSWORD}"))\n`);
    const good = cleanEnv({
      AWS_ACCESS_KEY_ID: AWS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    const wrongSecret = { ...good, AWS_SECRET_ACCESS_KEY: `${AWS_SECRET}-wrong` };
    const setup = await svcmon(['config', 'set-email', 'secrets', 'ops@example.com', '--force', '--skip-html'], { env: good });
    expect(setup.code, setup.stderr).toBe(0);

    const runs = [
      ['pulse, SMTP auth fails', ['pulse', 'secrets', '--email-config', emailConfig, '--beat', 'monitor'], good, 3],
      ['pulse --json, SMTP auth fails', ['pulse', 'secrets', '--email-config', emailConfig, '--json'], good, 3],
      ['pulse --debug, SMTP auth fails', ['pulse', 'secrets', '--email-config', emailConfig, '--debug'], good, 3],
      ['pulse, wrong AWS secret', ['pulse', 'secrets', '--email-config', emailConfig], wrongSecret, 3],
      ['pulse --json --debug, wrong AWS secret', ['pulse', 'secrets', '--email-config', emailConfig, '--json', '--debug'], wrongSecret, 3],
      ['beat --debug, wrong AWS secret', ['beat', 'secrets', 'nightly', '--debug'], wrongSecret, 1],
      ['config show --json, wrong AWS secret', ['config', 'show', 'secrets', '--json', '--debug'], wrongSecret, 1],
      ['pulse, S3 unreachable', ['pulse', 'secrets', '--email-config', emailConfig, '--debug'], { ...good, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' }, 3],
    ] as const;
    const summary: string[] = [];
    let total = 0;
    for (const [name, args, env, code] of runs) {
      const r = await svcmon([...args], { env });
      total += r.ms;
      const all = r.stdout + r.stderr;
      expect(r.code, `${name}: ${all}`).toBe(code);
      expect(leaks(all, PASSWORD), `${name} leaks the SMTP password:\n${all}`).toBe(false);
      expect(leaks(all, AWS_SECRET), `${name} leaks the AWS secret:\n${all}`).toBe(false);
      if (!args.includes('--debug')) expect(hasStack(r.stderr), name).toBe(false);
      summary.push(`${name} → ${r.code}`);
    }
    expect(smtp.messages.length).toBe(0);
    record(FILE, {
      group: GROUP,
      scenario: 'SMTP password and AWS secret key in play, SMTP auth failing, S3 rejecting the signature or unreachable; plain, --json and --debug',
      how: `CLI ×${runs.length}, output grepped (as is, base64, URL-encoded)`,
      ms: total,
      exitCode: runs.map((r) => r[3]).join('/'),
      reported: `no secret in stdout/stderr: ${summary.join('; ')}`,
      lost: 'nothing',
      bound: 'no secret printed',
    });
  }, 120_000);
});
