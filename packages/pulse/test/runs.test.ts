// Issue 9 on the pulse side: grace, cron schedules with a zone (across DST, injected clock),
// pauses, failures and max-duration, against a directory store.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, start, success } from '@svcmon/beat';
import { dirStore, writeHeartbeat, type Store } from '@svcmon/store';
import { startSmtp } from '@svcmon/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkTasks, renderReport, takePulse, type TaskLike } from '../src/index.js';

let store: Store;
beforeEach(async () => {
  store = dirStore(await mkdtemp(join(tmpdir(), 'svcmon-runs-')));
});

const at = (iso: string): Date => new Date(iso);
async function verdict(task: TaskLike, now: string) {
  const [v] = await checkTasks(store, [task], { now: at(now) });
  return v!;
}

describe('grace on top of the period', () => {
  it('healthy until period + grace has passed', async () => {
    await writeHeartbeat(store, 'g', { now: at('2026-06-01T00:00:00Z') });
    const task = { name: 'g', period: 3600, grace: 600 };
    expect(await verdict(task, '2026-06-01T01:09:59Z')).toMatchObject({ ok: true, state: 'ok', grace: 600 });
    expect(await verdict(task, '2026-06-01T01:10:01Z')).toMatchObject({ ok: false, state: 'late' });
    // Without grace, the original's rule.
    expect(await verdict({ name: 'g', period: 3600 }, '2026-06-01T01:00:01Z')).toMatchObject({ ok: false, state: 'late' });
  });
});

describe('cron schedules with a time zone, across DST', () => {
  it('Europe/Berlin, spring forward: 03:00 local is 02:00Z on Saturday and 01:00Z on Sunday', async () => {
    const task = { name: 'b', schedule: '0 3 * * *', tz: 'Europe/Berlin', grace: 600 };
    await writeHeartbeat(store, 'b', { now: at('2026-03-28T02:05:00Z') }); // Saturday's run
    expect(await verdict(task, '2026-03-29T01:05:00Z')).toMatchObject({ ok: true, due: Date.parse('2026-03-28T02:00:00Z') / 1000 });
    // Sunday 03:11 CEST: Sunday's run was due at 01:00Z, plus 10 minutes of grace.
    expect(await verdict(task, '2026-03-29T01:11:00Z')).toMatchObject({ ok: false, state: 'late', due: Date.parse('2026-03-29T01:00:00Z') / 1000 });
    await writeHeartbeat(store, 'b', { now: at('2026-03-29T01:03:00Z') });
    expect(await verdict(task, '2026-03-29T01:11:00Z')).toMatchObject({ ok: true, state: 'ok' });
    // The period plays no part for a scheduled task: a day and more later, still fine until the next run is due.
    expect(await verdict(task, '2026-03-30T01:09:00Z')).toMatchObject({ ok: true });
    expect(await verdict(task, '2026-03-30T01:11:00Z')).toMatchObject({ ok: false, state: 'late' });
  });

  it('Europe/Berlin: 02:30 does not exist on the spring-forward day (croner runs it at 03:30 CEST), and happens once on fall-back day', async () => {
    const task = { name: 'n', schedule: '30 2 * * *', tz: 'Europe/Berlin' };
    await writeHeartbeat(store, 'n', { now: at('2026-03-28T01:35:00Z') });
    expect(await verdict(task, '2026-03-29T01:29:00Z')).toMatchObject({ ok: true });
    expect(await verdict(task, '2026-03-29T01:31:00Z')).toMatchObject({ ok: false, state: 'late' });
    // Fall back: 02:30 CEST (00:30Z) and 02:30 CET (01:30Z); one run at the first is enough.
    await writeHeartbeat(store, 'n', { now: at('2026-10-25T00:35:00Z') });
    expect(await verdict(task, '2026-10-25T01:45:00Z')).toMatchObject({ ok: true, due: Date.parse('2026-10-25T00:30:00Z') / 1000 });
  });

  it('America/New_York, spring forward and fall back', async () => {
    const task = { name: 'ny', schedule: '0 9 * * *', tz: 'America/New_York', grace: 600 };
    await writeHeartbeat(store, 'ny', { now: at('2026-03-07T14:01:00Z') }); // 09:01 EST
    expect(await verdict(task, '2026-03-08T13:05:00Z')).toMatchObject({ ok: true }); // 09:05 EDT, in grace
    expect(await verdict(task, '2026-03-08T13:30:00Z')).toMatchObject({ ok: false, state: 'late', due: Date.parse('2026-03-08T13:00:00Z') / 1000 });
    // Fall back: 09:00 EDT is 13:00Z on Saturday, 09:00 EST 14:00Z on Sunday.
    await writeHeartbeat(store, 'ny', { now: at('2026-10-31T13:02:00Z') });
    expect(await verdict(task, '2026-11-01T13:30:00Z')).toMatchObject({ ok: true, due: Date.parse('2026-10-31T13:00:00Z') / 1000 });
    expect(await verdict(task, '2026-11-01T14:11:00Z')).toMatchObject({ ok: false, state: 'late', due: Date.parse('2026-11-01T14:00:00Z') / 1000 });
    // 01:30 happens twice on fall-back night; the schedule fires once (05:30Z).
    const night = { name: 'ny', schedule: '30 1 * * *', tz: 'America/New_York' };
    await writeHeartbeat(store, 'ny', { now: at('2026-11-01T05:31:00Z') });
    expect(await verdict(night, '2026-11-01T06:45:00Z')).toMatchObject({ ok: true, due: Date.parse('2026-11-01T05:30:00Z') / 1000 });
  });

  it('UTC by default; a heartbeat missing is still missing', async () => {
    const task = { name: 'u', schedule: '0 * * * *' };
    expect(await verdict(task, '2026-06-01T10:30:00Z')).toMatchObject({ ok: false, state: 'missing' });
    await writeHeartbeat(store, 'u', { now: at('2026-06-01T10:00:30Z') });
    expect(await verdict(task, '2026-06-01T10:59:59Z')).toMatchObject({ ok: true, due: Date.parse('2026-06-01T10:00:00Z') / 1000 });
    expect(await verdict(task, '2026-06-01T11:00:00Z')).toMatchObject({ ok: false, state: 'late' });
  });
});

describe('pauses', () => {
  it('paused-until in the future: paused and healthy, even without a heartbeat; past: checked as usual', async () => {
    const until = Date.parse('2026-06-02T00:00:00Z') / 1000;
    const paused = await verdict({ name: 'p', 'paused-until': until }, '2026-06-01T12:00:00Z');
    expect(paused).toMatchObject({ ok: true, state: 'paused', pausedUntil: until });
    expect(renderReport({ ok: true, sites: [], tasks: [paused] })).toBe(
      '\nAll sites and tasks appear healthy\n\np: paused\n  paused until Tuesday, June 2nd, 2026 12:00:00am\n',
    );
    expect(await verdict({ name: 'p', 'paused-until': until }, '2026-06-02T00:00:01Z')).toMatchObject({ ok: false, state: 'missing' });
  });

  it('paused? #t: until resumed', async () => {
    const v = await verdict({ name: 'p', 'paused?': true }, '2026-06-01T12:00:00Z');
    expect(v).toMatchObject({ ok: true, state: 'paused', pausedUntil: null });
    expect(renderReport({ ok: true, sites: [], tasks: [v] })).toContain('\np: paused\n  paused until resumed\n');
  });
});

describe('failures and runs from the signals API', () => {
  it('a failure newer than the last success is ERROR at once, whatever the period; an older one is not', async () => {
    await success(store, 'f', { now: at('2026-06-01T00:00:00Z') });
    const run = await start(store, 'f', { now: at('2026-06-01T01:00:00Z') });
    await fail(store, 'f', { runId: run.runId, started: run.started, now: at('2026-06-01T01:00:42Z'), message: 'backup target unreachable', host: 'db1' });
    const v = await verdict({ name: 'f', period: 7 * 86400 }, '2026-06-01T03:00:00Z');
    expect(v).toMatchObject({ ok: false, state: 'failed', failure: { message: 'backup target unreachable', runId: run.runId } });
    expect(renderReport({ ok: false, sites: [], tasks: [v] })).toBe(
      '\nCHECK FAILED for some site or task\n\nf: ERROR\n' +
        `  failed Monday, June 1st, 2026 1:00:42am (1 hour ago): failed (ran 42 seconds, on db1, run ${run.runId})\n` +
        '  backup target unreachable\n',
    );
    await success(store, 'f', { now: at('2026-06-01T04:00:00Z') });
    expect(await verdict({ name: 'f', period: 7 * 86400 }, '2026-06-01T05:00:00Z')).toMatchObject({ ok: true, state: 'ok' });
  });

  it('a failure with no success ever is reported as the failure, not as a missing heartbeat', async () => {
    await fail(store, 'first', { exitCode: 2, now: at('2026-06-01T00:00:00Z'), output: 'a\nb\n' });
    const v = await verdict({ name: 'first' }, '2026-06-01T00:10:00Z');
    expect(v.state).toBe('failed');
    expect(v.reason).toMatch(/^failed Monday, June 1st, 2026 12:00:00am \(10 minutes ago\): exit status 2 \(on .+, run .+\)\noutput:\n {2}a\n {2}b$/);
  });

  it('max-duration: a start with no end past the limit is ERROR; within it, the task is as its heartbeat says', async () => {
    await success(store, 'long', { now: at('2026-06-01T00:00:00Z') });
    const run = await start(store, 'long', { now: at('2026-06-01T00:30:00Z') });
    const task = { name: 'long', 'max-duration': 3600 };
    expect(await verdict(task, '2026-06-01T01:00:00Z')).toMatchObject({ ok: true, state: 'ok', running: [{ id: run.runId }] });
    const v = await verdict(task, '2026-06-01T03:30:00Z');
    expect(v).toMatchObject({ ok: false, state: 'overrun' });
    expect(v.reason).toBe(`running for 3 hours, limit 1 hour (started Monday, June 1st, 2026 12:30:00am, run ${run.runId})`);
    await success(store, 'long', { runId: run.runId, now: at('2026-06-01T03:31:00Z') });
    expect(await verdict(task, '2026-06-01T03:32:00Z')).toMatchObject({ ok: true, state: 'ok' });
  });
});

describe('the mail', () => {
  it('carries the failure with its exit status and output, indented as the report indents errors', async () => {
    const smtp = await startSmtp();
    try {
      await store.put('config.rktd', '#hash((emails . (#hash((to . "ops@example.com")))) (tasks . (#hash((name . "backup") (period . 86400)))))\n', { contentType: 'application/data' });
      await success(store, 'backup', { now: at('2026-06-01T00:00:00Z') });
      await fail(store, 'backup', { now: at('2026-06-02T03:00:00Z'), exitCode: 3, host: 'db1', output: 'dumping…\nERROR: disk full\n' });
      const result = await takePulse(store, {
        now: () => at('2026-06-02T03:05:00Z'),
        emailConfig: { server: '127.0.0.1', port: smtp.port, from: 'monitor@example.com' },
        publish: false,
        state: false,
      } as Parameters<typeof takePulse>[1]);
      expect(result.ok).toBe(false);
      const [mail] = await smtp.waitFor(1);
      expect(mail!.parsed.subject).toMatch(/FAILED health check/);
      expect(mail!.parsed.text).toContain(
        'backup: ERROR\n  failed Tuesday, June 2nd, 2026 3:00:00am (5 minutes ago): exit status 3 (on db1, run ',
      );
      expect(mail!.parsed.text).toContain(')\n  output:\n    dumping…\n    ERROR: disk full\n');
    } finally {
      await smtp.close();
    }
  });
});

describe('pulse.json (public-read)', () => {
  it('says that and how a task failed, never its output, message or host', async () => {
    await store.put('config.rktd', '#hash((tasks . (#hash((name . "backup")))))\n', { contentType: 'application/data' });
    await fail(store, 'backup', { now: at('2026-06-02T03:00:00Z'), exitCode: 3, host: 'db1', message: 'token abc123 rejected', output: 'password=hunter2\n' });
    const result = await takePulse(store, { now: () => at('2026-06-02T03:05:00Z'), emailMode: 'none' });
    expect(result.report).toContain('password=hunter2');
    const published = (await store.get('pulse.json'))!.body.toString('utf8');
    const task = (JSON.parse(published) as { tasks: { name: string; reason?: string }[] }).tasks[0]!;
    expect(task.reason).toBe('failed Tuesday, June 2nd, 2026 3:00:00am: exit status 3');
    for (const secret of ['hunter2', 'abc123', 'db1']) expect(published).not.toContain(secret);
  });
});
