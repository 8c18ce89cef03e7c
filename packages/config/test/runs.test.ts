// Task keys of issue 9 (grace, schedule, tz, max-duration, paused-until, paused?): validation,
// pause/resume, and a config holding them still read by Racket as the original reads it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dirStore } from '@svcmon/store';
import { runRacket } from '@svcmon/testkit';
import { describe, expect, it } from 'vitest';
import { getTask, isConfigError, pauseTask, resumeTask, setTask } from '../src/index.js';
import { tempDir } from './_helpers.js';

const opts = { skipHtml: true, force: true };

async function rejects(p: Promise<unknown>, key: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(isConfigError(e), String(e)).toBe(true);
  expect(e).toMatchObject({ code: 'E_INVALID_ENTRY', key });
  expect((e as Error).message).toContain(key);
}

describe('set-task with the keys of svcmon run', () => {
  it('accepts good values and refuses bad ones by key, writing nothing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      await setTask(store, { name: 'b', period: 86400, grace: 600, schedule: '0 3 * * 1-5', tz: 'Europe/Berlin', 'max-duration': 3600 }, opts);
      const before = await readFile(path.join(dir, 'config.rktd'), 'utf8');
      await rejects(setTask(store, { name: 'b', grace: -1 }, opts), 'grace');
      await rejects(setTask(store, { name: 'b', grace: 1.5 }, opts), 'grace');
      await rejects(setTask(store, { name: 'b', schedule: '0 3 * *' }, opts), 'schedule');
      await rejects(setTask(store, { name: 'b', schedule: '0 0 3 * * *' }, opts), 'schedule'); // six fields
      await rejects(setTask(store, { name: 'b', schedule: '61 * * * *' }, opts), 'schedule');
      await rejects(setTask(store, { name: 'b', tz: 'Mars/Olympus_Mons' }, opts), 'tz');
      await rejects(setTask(store, { name: 'b', 'max-duration': 0 }, opts), 'max-duration');
      await rejects(setTask(store, { name: 'b', 'paused-until': '2026-12-01' }, opts), 'paused-until');
      await rejects(setTask(store, { name: 'b', 'paused?': 'yes' }, opts), 'paused?');
      expect(await readFile(path.join(dir, 'config.rktd'), 'utf8')).toBe(before);
    } finally {
      await cleanup();
    }
  });
});

describe('pauseTask / resumeTask', () => {
  it('edit the task in place, keeping its other keys; nothing written when unchanged', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      await setTask(store, { name: 'b', period: 3600, schedule: '0 3 * * *' }, opts);
      const until = Date.UTC(2026, 11, 1) / 1000;
      const now = () => new Date((until - 86400) * 1000);
      expect((await pauseTask(store, 'b', { until: new Date(until * 1000), skipHtml: true, now })).changed).toBe(true);
      expect(await getTask(store, 'b')).toEqual({ name: 'b', period: 3600, schedule: '0 3 * * *', 'paused-until': until });
      expect((await pauseTask(store, 'b', { until, skipHtml: true, now })).changed).toBe(false);
      await pauseTask(store, 'b', { skipHtml: true });
      expect(await getTask(store, 'b')).toEqual({ name: 'b', period: 3600, schedule: '0 3 * * *', 'paused?': true });
      expect((await resumeTask(store, 'b', { skipHtml: true })).changed).toBe(true);
      expect(await getTask(store, 'b')).toEqual({ name: 'b', period: 3600, schedule: '0 3 * * *' });
      expect((await resumeTask(store, 'b', { skipHtml: true })).changed).toBe(false);
      await rejects(pauseTask(store, 'nope', { skipHtml: true }), 'name');
    } finally {
      await cleanup();
    }
  });

  it('refuses a pause that ends at or before now, writing nothing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      await setTask(store, { name: 'b', period: 3600 }, opts);
      const before = await readFile(path.join(dir, 'config.rktd'), 'utf8');
      const now = () => new Date(Date.UTC(2026, 0, 1, 12));
      for (const until of [new Date(Date.UTC(2020, 0, 1)), Date.UTC(2026, 0, 1, 12) / 1000]) {
        const e = await pauseTask(store, 'b', { until, skipHtml: true, now }).catch((err: unknown) => err);
        expect((e as { code?: string }).code).toBe('E_INVALID_ENTRY');
        expect((e as Error).message).toMatch(/^pause-task: the pause would end at 20\d\d-\d\d-\d\dT\d\d:00:00Z, which is not in the future \(now: 2026-01-01T12:00:00Z\); give a later time, or none/);
      }
      expect(await readFile(path.join(dir, 'config.rktd'), 'utf8')).toBe(before);
      expect((await pauseTask(store, 'b', { until: Date.UTC(2026, 0, 1, 12) / 1000 + 1, skipHtml: true, now })).changed).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('set-task refuses tz without a schedule, writing nothing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      const e = await setTask(store, { name: 'b', tz: 'Europe/Berlin' }, opts).catch((err: unknown) => err);
      expect(isConfigError(e) && e.key).toBe('tz');
      expect((e as Error).message).toBe('set-task: tz is the time zone of a schedule, but the task has no schedule (give a schedule too, or leave tz out)');
      await expect(readFile(path.join(dir, 'config.rktd'), 'utf8')).rejects.toThrow(/ENOENT/);
      await setTask(store, { name: 'b', tz: 'Europe/Berlin', schedule: '0 3 * * *' }, opts);
    } finally {
      await cleanup();
    }
  });
});

describe('a config with the new keys, read by Racket', () => {
  it('is plain data in the bytes Racket writes, and the period the original uses is unchanged', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      await setTask(store, { name: 'nightly', period: 90000, grace: 1800, schedule: '0 3 * * *', tz: 'America/New_York', 'max-duration': 7200 }, opts);
      await setTask(store, { name: 'plain', period: 3600 }, opts);
      await pauseTask(store, 'plain', { until: 1800000000, skipHtml: true, now: () => new Date(1700000000 * 1000) });
      const ours = await readFile(path.join(dir, 'config.rktd'), 'utf8');
      // What the original's take-pulse does with a task: (hash-ref t 'name), (hash-ref t 'period default).
      const program = `
(define cfg (read))
(write cfg) (newline)
(for ([t (hash-ref cfg 'tasks)])
  (printf "~a ~a\\n" (hash-ref t 'name) (hash-ref t 'period (hash-ref cfg 'period (* 24 60 60)))))`;
      const r = await runRacket(program, ours);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.toString('utf8')).toBe(`${ours}plain 3600\nnightly 90000\n`);
      expect(ours).toBe(
        '#hash((tasks . (#hash((name . "plain") (paused-until . 1800000000) (period . 3600)) ' +
          '#hash((grace . 1800) (max-duration . 7200) (name . "nightly") (period . 90000) (schedule . "0 3 * * *") (tz . "America/New_York")))))\n',
      );
    } finally {
      await cleanup();
    }
  }, 90_000);
});
