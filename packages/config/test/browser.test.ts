// The dashboard in a real browser: headless Chromium opens index.html from a
// directory store served over HTTP and checks every row's verdict.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, readConfig, writeConfig, writeHeartbeat, type Store } from '@svcmon/store';
import { publishDashboard, setHtml, setSite, setTask } from '../src/index.js';
import { dashboardInChromium, PACKAGE_DIR, tempDir, type DashboardInChromium } from './_helpers.js';

const ODD = '<img src=x onerror=window.__xss=1>';
const TITLE = '<b>Ops</b> & "friends" <script>window.__xss=2</script>';

interface RowInfo {
  task: string | null;
  state: string | null;
  classes: string;
  name: string;
  status: string;
  ago: string;
}

describe('dashboard in Chromium', () => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let chromium: DashboardInChromium;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('svcmon-dashboard-'));
    store = dirStore(dir);
    const now = Date.now();
    await setHtml(store, { title: TITLE }, { force: true });
    await setSite(store, { url: 'https://example.com/status?a=1&b=2', timeout: 10 });
    await setTask(store, { name: 'nightly-build', period: 86400 });
    await setTask(store, { name: 'backup', period: 86400 });
    await setTask(store, { name: 'weekly-report', period: 604800 });
    await setTask(store, { name: ODD, period: 3600 });
    // set-site refuses a javascript: URL; another tool may still have written one.
    const read = (await readConfig(store))!;
    await writeConfig(store, { ...read.config, sites: [{ url: 'javascript:window.__xss=3' }, ...(read.config.sites ?? [])] }, { ifMatch: read.etag });
    await publishDashboard(store);
    await writeHeartbeat(store, 'nightly-build', { now: new Date(now - 5 * 60_000) }); // 5 minutes old: healthy
    await writeHeartbeat(store, 'backup', { now: new Date(now - (2 * 86400 + 3 * 3600) * 1000) }); // 2 days: late
    // weekly-report never beat: missing
    await writeHeartbeat(store, ODD, { now: new Date(now - 10_000) }); // fetched through its URL-encoded link
    chromium = await dashboardInChromium(dir);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await cleanup?.();
  });

  it('marks healthy, late and missing rows and renders every name as text', async () => {
    const page = await chromium.newPage({ viewport: { width: 1100, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await chromium.load(page);

    const rows: RowInfo[] = await page.$$eval('tr.task-row', (trs) =>
      trs.map((tr) => ({
        task: tr.getAttribute('data-task'),
        state: tr.getAttribute('data-state'),
        classes: tr.className,
        name: tr.querySelector('td.name')?.textContent ?? '',
        status: tr.querySelector('.status')?.textContent ?? '',
        ago: tr.querySelector('td.ago')?.textContent ?? '',
      })),
    );
    const byTask = new Map(rows.map((r) => [r.task, r]));
    expect(rows.map((r) => r.task)).toEqual([ODD, 'weekly-report', 'backup', 'nightly-build']);

    expect(byTask.get('nightly-build')).toMatchObject({ state: 'healthy', status: 'healthy', ago: '5 minutes ago' });
    expect(byTask.get('nightly-build')?.classes).toContain('healthy');
    expect(byTask.get('backup')).toMatchObject({ state: 'late', status: 'late', ago: '2 days ago' });
    expect(byTask.get('backup')?.classes).toContain('late');
    expect(byTask.get('weekly-report')).toMatchObject({ state: 'missing', status: 'missing' });
    expect(byTask.get('weekly-report')?.classes).toContain('missing');
    expect(await page.locator('tr.task-row.healthy').count()).toBe(2);
    expect(await page.locator('tr.task-row.late').count()).toBe(1);
    expect(await page.locator('tr.task-row.missing').count()).toBe(1);

    // The odd name is literal text; its heartbeat was found through the encoded link.
    expect(byTask.get(ODD)).toMatchObject({ name: ODD, state: 'healthy' });
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('h1 b').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe(TITLE);
    expect(await page.title()).toBe(TITLE);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    const sites = await page.locator('ul.sites li').allTextContents();
    expect(sites[0]).toMatch(/^javascript:window\.__xss=3 \(config\.rktd:\d+:\d+: url must be an http:\/\/ or https:\/\/ URL with a host, no user:password@ \(site URLs are published\) and no control or invisible characters, got "javascript:window\.__xss=3"\)$/);
    expect(sites.slice(1)).toEqual(['https://example.com/status?a=1&b=2 (timeout 10 seconds)']);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('#summary').textContent()).toMatch(/^2 healthy · 1 late · 1 missing — checked /);
    expect(errors).toEqual([]);
    // The heartbeats were fetched with relative, encoded URLs.
    expect(chromium.server.log).toContain(`GET /${encodeURIComponent(`${ODD}-beat.json`)} 200`);
    expect(chromium.server.log).toContain('GET /weekly-report-beat.json 404');

    const outDir = path.join(PACKAGE_DIR, 'test-output');
    await mkdir(outDir, { recursive: true });
    const shot = path.join(outDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
    await page.close();
  });

  it('refreshes itself every minute without reloading the page', async () => {
    const page = await chromium.newPage();
    await page.clock.install();
    await chromium.load(page);
    const row = page.locator('tr.task-row[data-task="weekly-report"]');
    expect(await row.getAttribute('data-state')).toBe('missing');
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await writeHeartbeat(store, 'weekly-report');
    await page.clock.fastForward(61_000);
    await page.waitForFunction(
      () => document.querySelector('tr.task-row[data-task="weekly-report"]')?.getAttribute('data-state') === 'healthy',
      undefined,
      { timeout: 20_000 },
    );
    expect(await row.locator('.status').textContent()).toBe('healthy');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await page.close();
  });
});
