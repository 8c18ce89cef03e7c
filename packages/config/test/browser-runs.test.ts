// The dashboard in Chromium with run state (svcmon run): failed, running and paused rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, updateRunState, writeFailureRecord, writeHeartbeat, type Store } from '@svcmon/store';
import { pauseTask, setTask } from '../src/index.js';
import { dashboardInChromium, tempDir, type DashboardInChromium } from './_helpers.js';

describe('dashboard in Chromium: run states', () => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let chromium: DashboardInChromium;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('svcmon-dashboard-runs-'));
    store = dirStore(dir);
    const now = Math.floor(Date.now() / 1000);
    await setTask(store, { name: 'failing', period: 86400 }, { force: true });
    await setTask(store, { name: 'busy', period: 86400 });
    await setTask(store, { name: 'resting', period: 60 });
    await setTask(store, { name: 'recovered', period: 86400 });
    await pauseTask(store, 'resting', { until: now + 3600 });
    // failing: beat an hour ago, failed 10 minutes ago with exit status 3.
    await writeHeartbeat(store, 'failing', { now: new Date((now - 3600) * 1000) });
    await writeFailureRecord(store, { task: 'failing', runId: 'r1', ended: new Date((now - 600) * 1000).toISOString(), exitCode: 3, output: 'secret output' });
    await updateRunState(store, 'failing', () => ({ running: [], failed: { id: 'r1', at: now - 600, exit: 3 } }));
    // busy: healthy and a run under way.
    await writeHeartbeat(store, 'busy', { now: new Date((now - 60) * 1000) });
    await updateRunState(store, 'busy', () => ({ running: [{ id: 'r2', started: now - 120 }] }));
    // recovered: an old failure, then a success.
    await updateRunState(store, 'recovered', () => ({ running: [], failed: { id: 'r3', at: now - 7200, exit: 1 } }));
    await writeHeartbeat(store, 'recovered', { now: new Date((now - 60) * 1000) });
    chromium = await dashboardInChromium(dir);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await cleanup?.();
  });

  it('marks failed, running and paused rows', async () => {
    const page = await chromium.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await chromium.load(page);
    const rows = await page.$$eval('tr.task-row', (trs) =>
      Object.fromEntries(
        trs.map((tr) => [
          tr.getAttribute('data-task'),
          { state: tr.getAttribute('data-state'), status: tr.querySelector('.status')?.textContent ?? '', title: tr.querySelector('.status')?.getAttribute('title') ?? '' },
        ]),
      ),
    );
    expect(rows.failing).toEqual({ state: 'failed', status: 'failed', title: 'exit status 3' });
    expect(rows.busy).toMatchObject({ state: 'healthy', status: 'running' });
    expect(rows.busy!.title).toMatch(/^a run started 2 minutes ago$/);
    expect(rows.resting).toMatchObject({ state: 'paused', status: 'paused' });
    expect(rows.resting!.title).toMatch(/^paused until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(rows.recovered).toMatchObject({ state: 'healthy', status: 'healthy' });
    const summary = await page.textContent('#summary');
    expect(summary).toContain('1 failed');
    expect(summary).toContain('1 paused');
    expect(errors).toEqual([]);
  }, 60_000);
});
