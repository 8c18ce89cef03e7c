// Issue 14 items 2 and 3 on the pulse side: a value config.rktd holds that the schema refuses is
// that entry's failure (with config.rktd line:column and the key), everything else is still
// checked; malformed or out-of-range objects are that task's error, never the pulse's crash.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, writeHeartbeat, type Store } from '@svcmon/store';
import { propertySeed } from '@svcmon/testkit';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { pulseExitCode, takePulse } from '../src/index.js';

let store: Store;
beforeEach(async () => {
  store = dirStore(await mkdtemp(join(tmpdir(), 'svcmon-schema-')));
});

const NOW = new Date('2026-06-01T12:00:00Z');
const put = (key: string, text: string) => store.put(key, text, { contentType: 'application/octet-stream' });
/** `config.rktd:line:column` of the first `needle` in `text`, found independently of the reader. */
function where(text: string, needle: string): string {
  const at = text.indexOf(needle);
  const before = text.slice(0, at).split('\n');
  return `config.rktd:${before.length}:${before.at(-1)!.length + 1}`;
}
const SEED = propertySeed('SCHEMA_VERDICTS_SEED', 'pulse never throws; wrong-shaped run states');
/** The run state's shape, written out here independently of the store's parser (the oracle). */
function isRunState(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const time = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
  if (!obj(v) || !Array.isArray(v.running)) return false;
  if (!v.running.every((r) => obj(r) && typeof r.id === 'string' && time(r.started))) return false;
  const f = v.failed;
  if (f === undefined) return true;
  return obj(f) && typeof f.id === 'string' && time(f.at) && (f.exit === undefined || Number.isSafeInteger(f.exit)) && (f.signal === undefined || typeof f.signal === 'string');
}
const pulse = () => takePulse(store, { emailMode: 'none', now: () => NOW, publish: false, state: false });

describe('values the schema refuses', () => {
  it('fails each such entry with where and why, checks the rest, exits 1', async () => {
    const config = [
      '#hash((tasks . (#hash((name . "neg") (period . -5))',
        '  #hash((name . "str") (period . "86400"))',
        '  #hash((name . "cron") (schedule . "bogus"))',
        '  #hash((name . "zone") (schedule . "0 3 * * *") (tz . "Mars/X"))',
        '  #hash((name . "pause") (paused-until . "tomorrow"))',
        '  #hash((name . "fine") (period . 3600))))',
        ' (sites . (#hash((url . "http://127.0.0.1:9/") (timeout . -1)) #hash((url . "http://127.0.0.1:9/b") (timeout . "5")))))',
      ].join('\n');
    await put('config.rktd', config);
    for (const name of ['neg', 'str', 'cron', 'zone', 'pause', 'fine']) {
      await writeHeartbeat(store, name, { now: new Date(NOW.getTime() - 2 * 3600_000 + 60_000) });
    }
    await writeHeartbeat(store, 'fine', { now: NOW });
    const result = await pulse();
    expect(result.error).toBeUndefined();
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    // With period -5 a beat two hours old was "ok": now the entry is refused.
    expect(byName['neg']).toMatchObject({ ok: false, state: 'invalid', reason: `${where(config, '(period . -5)')}: period must be a non-negative exact integer (seconds), got -5` });
    expect(byName['str']!.reason).toBe(`${where(config, '(period . "86400")')}: period must be a non-negative exact integer (seconds), got "86400"`);
    expect(byName['cron']!.reason).toBe(`${where(config, '(schedule . "bogus")')}: schedule must be a five-field cron expression such as "0 3 * * *", got "bogus"`);
    expect(byName['zone']!.reason).toBe(`${where(config, '(tz . "Mars/X")')}: tz must be an IANA time zone such as "Europe/Berlin", got "Mars/X"`);
    expect(byName['pause']!.reason).toBe(`${where(config, '(paused-until . "tomorrow")')}: paused-until must be a time as an exact integer of unix seconds, got "tomorrow"`);
    expect(byName['fine']).toMatchObject({ ok: true, state: 'ok' });
    expect(result.sites.map((s) => [s.ok, s.reason])).toEqual([
      [false, `${where(config, '(timeout . -1)')}: timeout must be a positive number (seconds), got -1`],
      [false, `${where(config, '(timeout . "5")')}: timeout must be a positive number (seconds), got "5"`],
    ]);
    expect(result.report).toContain(`neg: ERROR\n  ${where(config, '(period . -5)')}: period must be`);
    expect(pulseExitCode(result)).toBe(1);
  });

  it('a wrong top-level value fails the entries that use it, not silently the default', async () => {
    await put('config.rktd', '#hash((period . "day") (tasks . (#hash((name . "uses")) #hash((name . "own") (period . 60)))))');
    await writeHeartbeat(store, 'uses', { now: NOW });
    await writeHeartbeat(store, 'own', { now: NOW });
    const result = await pulse();
    expect(result.tasks.map((t) => [t.name, t.state, t.reason])).toEqual([
      ['uses', 'invalid', 'config.rktd:1:7: top-level period must be a non-negative exact integer (seconds), got "day"'],
      ['own', 'ok', undefined],
    ]);
    expect(pulseExitCode(result)).toBe(1);
  });

  it('a task name no heartbeat can have is that task\'s error, and cannot forge a report line', async () => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "x\\nforged: ok")) #hash((name . "../../etc/passwd")) #hash((name . "good")))))');
    await writeHeartbeat(store, 'good', { now: NOW });
    const result = await pulse();
    expect(result.tasks.map((t) => t.state)).toEqual(['invalid', 'invalid', 'ok']);
    expect(result.report.split('\n')).not.toContain('forged: ok');
    expect(result.report).toContain('"x\\nforged: ok": ERROR');
    expect(result.tasks[1]!.reason).toMatch(/name must be a task name/);
  });

  it('a name with a right-to-left override or a zero-width space is printed escaped, never as it would display', async () => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "c\u202Eko :yltghin")) #hash((name . "good\u200B")) #hash((name . "good")))))');
    await writeHeartbeat(store, 'good', { now: NOW });
    const result = await pulse();
    expect(result.tasks.map((t) => t.state)).toEqual(['invalid', 'invalid', 'ok']);
    expect(result.report).not.toMatch(/[\u202e\u200b]/);
    expect(result.report).toContain('"c\\u{202e}ko :yltghin": ERROR');
    expect(result.report).toContain('"good\\u{200b}": ERROR');
  });

  it('a name with a Unicode line separator or a C1 control (NEL) is printed escaped: JSON leaves them raw', async () => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "ls\u2028fake: ok")) #hash((name . "nel\u0085x")) #hash((name . "good")))))');
    await writeHeartbeat(store, 'good', { now: NOW });
    const result = await pulse();
    expect(result.tasks.map((t) => t.state)).toEqual(['invalid', 'invalid', 'ok']);
    expect(result.report).not.toMatch(/[\u2028\u0085]/);
    expect(result.report).toContain('"ls\\u{2028}fake: ok": ERROR');
    expect(result.report).toContain('"nel\\u{85}x": ERROR');
  });
});

describe('a scheduled task', () => {
  it('that beat on time is ok, whatever its period would say', async () => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "weekly") (schedule . "0 3 * * 1")))))');
    // Monday 2026-06-01 03:00Z was due; it beat at 03:05; at noon a 1-day period would still hold,
    // and a week later (before the next Monday) the period would say late but the schedule says ok.
    await writeHeartbeat(store, 'weekly', { now: new Date('2026-06-01T03:05:00Z') });
    const later = await takePulse(store, { emailMode: 'none', now: () => new Date('2026-06-07T12:00:00Z'), publish: false, state: false });
    expect(later.tasks[0]).toMatchObject({ ok: true, state: 'ok', due: Date.parse('2026-06-01T03:00:00Z') / 1000 });
  });
});

describe('malformed or out-of-range objects', () => {
  it('a run state with "at": 9999999999999 is that task\'s error, the pulse goes on', async () => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "bad")) #hash((name . "good")))))');
    await writeHeartbeat(store, 'bad', { now: NOW });
    await writeHeartbeat(store, 'good', { now: NOW });
    await put('bad-run.json', '{"running":[],"failed":{"id":"r","at":9999999999999,"exit":1}}');
    const result = await pulse();
    expect(result.tasks.map((t) => [t.name, t.state])).toEqual([
      ['bad', 'malformed'],
      ['good', 'ok'],
    ]);
    expect(result.tasks[0]!.reason).toBe('malformed run state "bad-run.json": "failed.at" is not a time: 9999999999999');
    expect(pulseExitCode(result)).toBe(1);
  });

  it.each([
    ['{"at":9999999999999}', '"running" is not a list: missing'],
    ['{"at":"x"}', '"running" is not a list: missing'],
    ['[{"running":[]}]', 'not a JSON object: a list'],
    ['{"running":[{"id":"r","started":"x"}]}', '"running[0].started" is not a time: "x"'],
    ['{"running":[{"started":1}]}', '"running[0].id" is not a string: missing'],
    ['{"running":[],"failed":{"at":1}}', '"failed.id" is not a string: missing'],
    ['{"running":[],"failed":{"id":"r","at":1,"exit":"1"}}', '"failed.exit" is not an integer: "1"'],
  ])('a run state %s is that task\'s error naming the object, the other task is still ok', async (body, why) => {
    await put('config.rktd', '#hash((tasks . (#hash((name . "bad")) #hash((name . "good")))))');
    await writeHeartbeat(store, 'bad', { now: NOW });
    await writeHeartbeat(store, 'good', { now: NOW });
    await put('bad-run.json', body);
    const result = await pulse();
    expect(result.tasks.map((t) => [t.name, t.state])).toEqual([
      ['bad', 'malformed'],
      ['good', 'ok'],
    ]);
    expect(result.tasks[0]!.reason).toBe(`malformed run state "bad-run.json": ${why}`);
  });

  it('takePulse never throws, whatever JSON sits in the objects it reads, and a wrong-shaped run state is never ok (property)', async () => {
    const json = fc.jsonValue().map((v) => JSON.stringify(v));
    const text = fc.oneof(json, fc.string(), json.map((t) => t.slice(0, Math.max(0, t.length - 1))));
    const objectLike = fc.oneof(
      text,
      fc.record({ seconds: fc.oneof(fc.integer(), fc.double(), fc.constant(9999999999999), fc.jsonValue()), date: fc.jsonValue() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.record({
        running: fc.oneof(fc.jsonValue(), fc.array(fc.record({ id: fc.oneof(fc.string(), fc.jsonValue()), started: fc.oneof(fc.integer(), fc.nat(), fc.constant(9999999999999), fc.double()) }, { requiredKeys: [] }))),
        failed: fc.oneof(fc.jsonValue(), fc.record({ id: fc.oneof(fc.string(), fc.jsonValue()), at: fc.oneof(fc.integer(), fc.nat(), fc.constant(-1), fc.constant(9999999999999)), exit: fc.oneof(fc.integer(), fc.jsonValue()), signal: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] })),
        at: fc.oneof(fc.constant(9999999999999), fc.jsonValue()),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.record({ task: fc.jsonValue(), runId: fc.constant('r'), ended: fc.oneof(fc.string(), fc.jsonValue()), output: fc.jsonValue(), durationMs: fc.jsonValue(), exitCode: fc.jsonValue(), host: fc.jsonValue(), message: fc.jsonValue() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.record({ version: fc.constant(1), monitor: fc.jsonValue(), seconds: fc.jsonValue(), ok: fc.jsonValue(), alerted: fc.jsonValue(), notifiedAt: fc.jsonValue(), checks: fc.dictionary(fc.constantFrom('task:t', 'task:good', '__proto__', 'site:x'), fc.oneof(fc.jsonValue(), fc.record({ down: fc.boolean(), failures: fc.oneof(fc.integer(), fc.double()), since: fc.oneof(fc.integer(), fc.constant(9999999999999), fc.double()), history: fc.string(), reason: fc.jsonValue(), lastFailure: fc.jsonValue() }))) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    const keys = ['t-beat.json', 't-run.json', 't-failure.json', 'svcmon-pulse-state/default.json'] as const;
    await put('config.rktd', '#hash((tasks . (#hash((name . "t") (max-duration . 60)) #hash((name . "good")))))');
    await writeHeartbeat(store, 'good', { now: NOW });
    await fc.assert(
      fc.asyncProperty(fc.tuple(...keys.map(() => fc.option(objectLike, { nil: undefined }))), fc.constantFrom('always', 'change'), async (bodies, mode) => {
        for (const [i, key] of keys.entries()) {
          const body = bodies[i];
          if (body === undefined) await store.delete(key);
          else await put(key, body);
        }
        const result = await takePulse(store, { emailMode: mode === 'always' ? 'none' : 'change', now: () => NOW, publish: true });
        // Whatever t's objects hold, the other task is still judged, and t gets a verdict.
        expect(result.error).toBeUndefined();
        expect(result.tasks.map((t) => t.name)).toEqual(['t', 'good']);
        expect(result.tasks[1]).toMatchObject({ ok: true, state: 'ok' });
        expect(typeof result.report).toBe('string');
        const run = bodies[1];
        if (run !== undefined && !isRunState(run)) {
          expect(result.tasks[0]!.ok).toBe(false);
          // With no heartbeat to judge first, the run state is what the verdict names.
          if (bodies[0] === undefined) expect(result.tasks[0]).toMatchObject({ state: 'malformed', reason: expect.stringContaining('"t-run.json"') });
        }
      }),
      { numRuns: 150, verbose: 1, seed: SEED },
    );
  });
});
