// The dashboard judges a task with the pulse's own evaluation: a scheduled task that beat on time
// is ok on the page as in the pulse, whatever a period would say (checked in Chromium, with the
// page's clock and the pulse's set to the same instant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirStore, writeHeartbeat, type Store } from '@svcmon/store';
import { takePulse } from '@svcmon/pulse';
import { setTask } from '../src/index.js';
import { dashboardInChromium, tempDir, type DashboardInChromium } from './_helpers.js';

// Sunday 2026-06-07 12:00 UTC: the weekly run was due Monday 2026-06-01 03:00 (UTC and Berlin).
const NOW = new Date('2026-06-07T12:00:00Z');

describe('dashboard in Chromium: schedules and time zones', () => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let chromium: DashboardInChromium;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('svcmon-dashboard-schedule-'));
    store = dirStore(dir);
    await setTask(store, { name: 'weekly', schedule: '0 3 * * 1' }, { force: true });
    await setTask(store, { name: 'weekly-berlin', schedule: '0 3 * * 1', tz: 'Europe/Berlin' });
    await setTask(store, { name: 'weekly-missed', schedule: '0 3 * * 1', grace: 600 });
    await setTask(store, { name: 'hourly', period: 3600 });
    await writeHeartbeat(store, 'weekly', { now: new Date('2026-06-01T03:05:00Z') });
    // 03:00 in Berlin (CEST) is 01:00 UTC.
    await writeHeartbeat(store, 'weekly-berlin', { now: new Date('2026-06-01T01:02:00Z') });
    await writeHeartbeat(store, 'weekly-missed', { now: new Date('2026-05-25T03:05:00Z') });
    await writeHeartbeat(store, 'hourly', { now: new Date(NOW.getTime() - 2 * 3600_000) });
    chromium = await dashboardInChromium(dir);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await cleanup?.();
  });

  it('says what the pulse says for every task', async () => {
    const pulse = await takePulse(store, { emailMode: 'none', now: () => NOW, publish: false, state: false });
    const fromPulse = Object.fromEntries(pulse.tasks.map((t) => [t.name, t.state]));
    expect(fromPulse).toEqual({ 'weekly-missed': 'late', 'weekly-berlin': 'ok', weekly: 'ok', hourly: 'late' });

    const page = await chromium.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.clock.setFixedTime(NOW);
    await chromium.load(page);
    const rows: Record<string, { state: string | null; expected: string; title: string }> = await page.$$eval('tr.task-row', (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-task'), { state: tr.getAttribute('data-state'), expected: tr.querySelector('td.period')?.textContent ?? '', title: tr.querySelector('.status')?.getAttribute('title') ?? '' }])),
    );
    const page2pulse: Record<string, string> = { healthy: 'ok', late: 'late' };
    expect(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, page2pulse[v.state!] ?? v.state]))).toEqual(fromPulse);
    expect(rows['weekly']!.expected).toBe('0 3 * * 1 (UTC)');
    expect(rows['weekly-berlin']!.expected).toBe('0 3 * * 1 (Europe/Berlin)');
    expect(rows['weekly-missed']!.title).toBe('no success since 2026-06-01 03:00:00 UTC');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
