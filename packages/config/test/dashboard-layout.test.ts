// How the dashboard reads to people, in Chromium: opened from a file it says how to view it;
// a failed pulse looks failed; every DOWN check says why; long names wrap in a readable
// column. Screenshots of a narrow and a wide window go to the test's temp dir
// (kept with SVCMON_KEEP_SCREENSHOTS=1).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, writeHeartbeat, type Store } from '@svcmon/store';
import type { Page } from '@svcmon/testkit';
import { setTask, setSite } from '../src/index.js';
import { dashboardInChromium, tempDir, type DashboardInChromium } from './_helpers.js';

const LONG = 'nightly-database-backup-of-the-primary-cluster-in-eu-west-1-with-point-in-time-recovery';
const WORDS = 'weekly report for the finance team and the auditors of the northern region';
const SITE_DOWN = 'https://shop.example.com/health';
/** --missing in style.css, as Chromium computes it. */
const FAILURE_COLOUR = 'rgb(198, 40, 40)';

describe('dashboard layout and messages in Chromium', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  let chromium: DashboardInChromium;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('svcmon-dashboard-layout-'));
    store = dirStore(dir);
    const now = Date.now();
    await setSite(store, { url: SITE_DOWN }, { force: true });
    await setTask(store, { name: LONG, period: 3600 });
    await setTask(store, { name: WORDS, period: 86400 });
    await setTask(store, { name: 'ok', period: 3600 });
    await writeHeartbeat(store, 'ok', { now: new Date(now - 60_000) });
    await writeHeartbeat(store, LONG, { now: new Date(now - 2 * 86400_000) });
    const seconds = Math.floor(now / 1000) - 60;
    await store.put(
      'pulse.json',
      JSON.stringify({
        version: 1,
        monitor: 'default',
        seconds,
        time: new Date(seconds * 1000).toISOString(),
        ok: false,
        period: 300,
        sites: [{ url: SITE_DOWN, ok: false, reason: 'HTTP 503', status: 503, ms: 80, history: '110' }],
        tasks: [
          // A late task: the pulse gives its state, no reason.
          { name: LONG, ok: false, state: 'late', history: '10' },
          { name: WORDS, ok: false, state: 'missing', reason: `no heartbeat recorded (${WORDS}-beat.json not found)`, history: '0' },
          { name: 'ok', ok: true, state: 'ok', history: '11' },
        ],
      }),
      { contentType: 'application/json', publicRead: true },
    );
    chromium = await dashboardInChromium(dir);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    // SVCMON_KEEP_SCREENSHOTS=1 keeps the temp dir (and its screenshots) to look at.
    if (process.env['SVCMON_KEEP_SCREENSHOTS']) console.log(`screenshots in ${dir}`);
    else await cleanup?.();
  });

  async function open(url: string, width: number): Promise<Page> {
    const page = await chromium.newPage({ viewport: { width, height: 900 } });
    page.on('pageerror', (e) => {
      throw e;
    });
    await chromium.load(page, { url, checked: ['data-checked', 'data-pulse-checked'] });
    return page;
  }

  /** How many characters of the cell's own font fit in its content box. */
  function charsWide(page: Page, selector: string): Promise<number[]> {
    return page.$$eval(selector, (cells) =>
      cells.map((c) => {
        const style = getComputedStyle(c);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const inner = c.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return inner / ctx.measureText('n').width;
      }),
    );
  }

  for (const width of [360, 1280]) {
    it(`at ${width} px: names wrap in a readable column, the failed pulse is red, each DOWN says why (screenshot)`, async () => {
      const page = await open(chromium.url, width);
      await page.waitForSelector('#pulse-checks tbody tr');
      await page.screenshot({ path: path.join(dir, `dashboard-${width}.png`), fullPage: true });

      // Task names and check names: at least 12 characters a line, never one letter per line.
      for (const n of await charsWide(page, 'td.name')) expect(n).toBeGreaterThan(12);
      for (const n of await charsWide(page, 'td.check')) expect(n).toBeGreaterThan(12);
      const lines = await page.$eval('tr.task-row td.name', (td) => Math.round(td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight)));
      expect(lines).toBeLessThan(LONG.length / 8);

      const status = page.locator('#pulse-status');
      expect(await status.getAttribute('data-verdict')).toBe('failed');
      expect(await status.textContent()).toMatch(/CHECK FAILED/);
      expect(await status.evaluate((p) => getComputedStyle(p).borderTopColor)).toBe(FAILURE_COLOUR);
      expect(await status.evaluate((p) => getComputedStyle(p).color)).toBe(FAILURE_COLOUR);

      const reasons = await page.$$eval('#pulse-checks tr.check-row', (rows) =>
        rows.map((r) => [r.getAttribute('data-check'), r.querySelector('.verdict')?.firstChild?.textContent, r.querySelector('.verdict .reason')?.textContent ?? null]),
      );
      expect(reasons).toEqual([
        [SITE_DOWN, 'DOWN', 'HTTP 503'],
        [`task ${LONG}`, 'DOWN', 'late: no heartbeat within its period'],
        [`task ${WORDS}`, 'DOWN', `no heartbeat recorded (${WORDS}-beat.json not found)`],
        ['task ok', 'up', null],
      ]);
      // Nothing sticks out of the page: a narrow window scrolls the tables, not the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.close();
    });
  }

  it('opened from a file: says how to view it, marks no task as an error', async () => {
    const page = await open(`file://${dir}/index.html`, 1280);
    await page.screenshot({ path: path.join(dir, 'dashboard-file.png'), fullPage: true });
    const notice = await page.locator('#file-notice').textContent();
    expect(notice).toMatch(/opened from a file/);
    expect(notice).toMatch(/over http/);
    expect(notice).toContain('npx serve <folder>');
    const states = await page.$$eval('tr.task-row', (rows) => rows.map((r) => [r.getAttribute('data-state'), r.querySelector('.status')?.textContent]));
    expect(states).toEqual([
      ['pending', 'not served'],
      ['pending', 'not served'],
      ['pending', 'not served'],
    ]);
    expect(await page.locator('#summary').textContent()).toBe('Not checked: this page must be served over http (see above).');
    expect(await page.locator('#pulse-status').getAttribute('data-state')).toBe('absent');
    expect(await page.locator('#pulse-status').textContent()).toMatch(/cannot be read from a file: open this page over http/);
    await page.close();
  });
});
