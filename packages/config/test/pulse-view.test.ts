// The dashboard's pulse section in Chromium: pulse.json as the pulse publishes
// it (see @svcmon/pulse's PulseStatus), the freshness line, a warning when the
// pulse itself is late, site verdicts and the uptime strips.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, writeHeartbeat, type Store } from '@svcmon/store';
import { setSite, setTask } from '../src/index.js';
import { dashboardInChromium, PACKAGE_DIR, tempDir, type DashboardInChromium } from './_helpers.js';

const SITE_UP = 'https://example.com/';
const SITE_DOWN = 'https://shop.example.com/health';
const SITE_PENDING = 'https://api.example.com/';

function pulseJson(ageSeconds: number, period = 300): string {
  const seconds = Math.floor(Date.now() / 1000) - ageSeconds;
  // 100 verdicts: one failure in the middle for the first site, the last three failed for the second.
  const h1 = '1'.repeat(49) + '0' + '1'.repeat(50);
  const h2 = '1'.repeat(97) + '000';
  return JSON.stringify({
    version: 1,
    monitor: 'monitor',
    seconds,
    time: new Date(seconds * 1000).toISOString(),
    ok: false,
    period,
    sites: [
      { url: SITE_UP, ok: true, status: 200, ms: 120, history: h1, lastFailure: new Date((seconds - 3 * 3600) * 1000).toISOString() },
      { url: SITE_DOWN, ok: false, reason: 'HTTP 503', status: 503, ms: 80, history: h2, lastFailure: new Date(seconds * 1000).toISOString() },
      { url: SITE_PENDING, ok: true, reason: 'certificate expires in 3 days', ms: 40, pending: { count: 1, of: 3 }, history: '1110' },
    ],
    tasks: [{ name: 'monitor', ok: true, state: 'ok', history: '1'.repeat(100) }],
  });
}

describe('dashboard pulse section in Chromium', () => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let chromium: DashboardInChromium;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('svcmon-pulse-view-'));
    store = dirStore(dir);
    await setSite(store, { url: SITE_PENDING }, { force: true });
    await setSite(store, { url: SITE_DOWN });
    await setSite(store, { url: SITE_UP });
    await setTask(store, { name: 'monitor', period: 300 });
    await writeHeartbeat(store, 'monitor', { now: new Date(Date.now() - 240_000) });
    chromium = await dashboardInChromium(dir);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await cleanup?.();
  });

  async function open(): Promise<import('@svcmon/testkit').Page> {
    const page = await chromium.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('pageerror', (e) => {
      throw e;
    });
    await chromium.load(page, { checked: ['data-pulse-checked'] });
    return page;
  }

  it('without pulse.json says no pulse has published yet', async () => {
    const page = await open();
    expect(await page.locator('#pulse-status').getAttribute('data-state')).toBe('absent');
    expect(await page.locator('#pulse-status').textContent()).toMatch(/No pulse has published its status yet/);
    await page.close();
  });

  it('shows the freshness, every site verdict and the last 100 verdicts as a strip (screenshot)', async () => {
    await store.put('pulse.json', pulseJson(4 * 60), { contentType: 'application/json', publicRead: true });
    const page = await open();
    expect(await page.locator('#pulse-status').getAttribute('data-state')).toBe('fresh');
    expect(await page.locator('#pulse-status').textContent()).toBe('Last pulse (monitor) 4 min ago: CHECK FAILED');
    // The verdict, then (when down) its reason on a line of its own.
    const verdicts = await page.$$eval('ul.sites li', (lis) =>
      lis.map((li) => [li.getAttribute('data-url'), li.getAttribute('data-verdict'), li.querySelector('.verdict')?.firstChild?.textContent, li.querySelector('.verdict .reason')?.textContent ?? null]),
    );
    expect(verdicts).toEqual([
      [SITE_UP, 'up', 'up', null],
      [SITE_DOWN, 'down', 'DOWN', 'HTTP 503'],
      [SITE_PENDING, 'pending', 'failed 1 of 3', null],
    ]);
    const rows = await page.$$eval('tr.check-row', (trs) =>
      trs.map((tr) => ({
        check: tr.getAttribute('data-check'),
        cells: tr.querySelectorAll('.strip i').length,
        down: tr.querySelectorAll('.strip i.u0').length,
        text: tr.querySelector('.strip-text')?.textContent,
        last: tr.querySelector('.last-failure')?.textContent,
      })),
    );
    expect(rows).toEqual([
      { check: SITE_UP, cells: 100, down: 1, text: '99% of 100', last: '3 hours ago' },
      { check: SITE_DOWN, cells: 100, down: 3, text: '97% of 100', last: '4 min ago' },
      { check: SITE_PENDING, cells: 4, down: 1, text: '75% of 4', last: 'never' },
      { check: 'task monitor', cells: 100, down: 0, text: '100% of 100', last: 'never' },
    ]);
    const outDir = path.join(PACKAGE_DIR, 'test-output');
    await mkdir(outDir, { recursive: true });
    const shot = path.join(outDir, 'dashboard-pulse.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard pulse screenshot: ${shot}`);
    await page.close();
  });

  it('warns when the pulse itself is late', async () => {
    await store.put('pulse.json', pulseJson(2 * 3600), { contentType: 'application/json', publicRead: true });
    const page = await open();
    expect(await page.locator('#pulse-status').getAttribute('data-state')).toBe('stale');
    expect(await page.locator('#pulse-status').textContent()).toBe(
      'Warning: the pulse itself is late: last pulse (monitor) 2 hours ago (expected every 5 min), it said CHECK FAILED',
    );
    await page.close();
  });
});
