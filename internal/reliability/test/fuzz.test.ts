// Hostile input with fast-check. Every case ends in a value or the package's
// typed error, never anything else and never a hang (input sizes are bounded;
// the time each property took is recorded in RELIABILITY.md, never asserted: a hang is caught by the test timeout).
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRktdSyntaxError, parse, stringify, valueEquals, type Value } from '@svcmon/rktd';
import { dirStore, isStoreError, parseConfig } from '@svcmon/store';
import { checkTasks, isPulseError, parseEmailConfig, takePulse } from '@svcmon/pulse';
import { propertySeed } from '@svcmon/testkit';
import { FIXTURES, hasStack, record, svcmon, tempDir } from './_helpers.js';

const FILE = 'fuzz';
const GROUP = 'Hostile input';
// A fixed seed: RELIABILITY.md's rows are these very cases (FUZZ_SEED=<n> hunts elsewhere).
const SEED = propertySeed('FUZZ_SEED', 'reliability fuzz', 20261125);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1);

const fixtureTexts: string[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.rktd'))
  .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));

/** Characters that matter to the reader, to make random text interesting. */
const SYNTAX = [
  '(', ')', '[', ']', '{', '}', '#', '|', ';', '"', '\\', "'", '`', ',', '.', ' ', '\n', '#hash(', '#hasheq(', '#(',
  '#\\', '#:', '#;', '#|', '|#', '#t', '#f', '1', '-', '+', 'e', '/', 'x', 'u', '0', '9', '+inf.0', '+nan.0', '1/0',
  '#x', '#e', '#i', '\u0000', '\uFFFF', '\uD800', 'λ', '"\\u', '"\\x', '#rx', '#px', '#&', '#s(', '#0=', '#0#',
];

const syntaxText = fc
  .array(fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ maxLength: 3 })), { maxLength: 80 })
  .map((parts) => parts.join(''));

type Mutation = { at: number; kind: 'delete' | 'insert' | 'replace' | 'duplicate' | 'truncate'; text: string; len: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate', 'truncate'),
  text: fc.constantFrom(...SYNTAX),
  len: fc.integer({ min: 1, max: 20 }),
});

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    switch (m.kind) {
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      case 'insert':
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      case 'replace':
        t = t.slice(0, at) + m.text + t.slice(at + m.len);
        break;
      case 'duplicate':
        t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at);
        break;
      case 'truncate':
        t = t.slice(0, at);
        break;
    }
  }
  return t;
}

const mutatedFixture = fc
  .tuple(fc.constantFrom(...fixtureTexts), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([text, ms]) => mutate(text, ms));

type Outcome = 'value' | 'syntax-error';
/** parse(): a value or RktdSyntaxError, nothing else. A value also survives write → read. */
function parseOutcome(text: string): Outcome {
  let v: Value;
  try {
    v = parse(text, { source: 'fuzz.rktd' });
  } catch (e) {
    if (isRktdSyntaxError(e)) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.message).toMatch(/^fuzz\.rktd:\d+:\d+: /);
      return 'syntax-error';
    }
    throw e;
  }
  expect(valueEquals(parse(stringify(v)), v)).toBe(true);
  return 'value';
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: Math.round(performance.now() - started) };
}

describe('the rktd reader', () => {
  it('random text → a value or RktdSyntaxError (never anything else, never a hang)', () => {
    const tally = { value: 0, 'syntax-error': 0 };
    const { ms } = timed(() =>
      fc.assert(
        fc.property(fc.oneof(syntaxText, fc.string({ maxLength: 200, unit: 'binary' })), (text) => {
          tally[parseOutcome(text)]++;
        }),
        { seed: SEED, numRuns: 3000 * RUNS },
      ),
    );
    record(FILE, {
      group: GROUP,
      scenario: 'rktd reader: random text (syntax-biased and arbitrary Unicode, ≤ 200 chars)',
      how: 'fast-check ×3000',
      ms,
      exitCode: '—',
      reported: `${tally.value} values, ${tally['syntax-error']} RktdSyntaxError (with line:column); nothing else`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  });

  it('mutated fixture configs → a value or RktdSyntaxError', () => {
    const tally = { value: 0, 'syntax-error': 0 };
    const { ms } = timed(() =>
      fc.assert(
        fc.property(mutatedFixture, (text) => {
          tally[parseOutcome(text)]++;
        }),
        { seed: SEED, numRuns: 2000 * RUNS },
      ),
    );
    record(FILE, {
      group: GROUP,
      scenario: `rktd reader: ${fixtureTexts.length} fixture configs written by Racket, 1–6 random mutations each`,
      how: 'fast-check ×2000',
      ms,
      exitCode: '—',
      reported: `${tally.value} values, ${tally['syntax-error']} RktdSyntaxError; nothing else`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  });

  it('pathological nesting and sizes stay bounded', () => {
    const cases: Array<[string, string]> = [
      ['100 000 open parens', '('.repeat(100_000)],
      ['100 000 nested lists', `${'('.repeat(100_000)}${')'.repeat(100_000)}`],
      ['100 000 nested hashes', `${'#hash((a . '.repeat(20_000)}1${'))'.repeat(20_000)}`],
      ['nested block comments', `${'#|'.repeat(50_000)}`],
      ['1 MB string', `"${'x'.repeat(1_000_000)}"`],
      ['10 000-digit integer', '9'.repeat(10_000)],
      ['unterminated string', `"${'\\"'.repeat(100_000)}`],
      ['100 000 datum comments', `${'#; '.repeat(100_000)}1`],
    ];
    const tally = { value: 0, 'syntax-error': 0 };
    let slowest = 0;
    let slowestName = '';
    const { ms } = timed(() => {
      for (const [name, text] of cases) {
        const { value, ms: one } = timed(() => parseOutcome(text));
        if (one >= slowest) [slowest, slowestName] = [one, name];
        tally[value]++;
      }
    });
    const outcomes = [`${tally['syntax-error']} RktdSyntaxError (depth limit, unterminated), ${tally.value} values; slowest ${slowest} ms (${slowestName})`];
    record(FILE, {
      group: GROUP,
      scenario: 'rktd reader: deep nesting (100 000 levels), 1 MB strings, 10 000-digit numbers',
      how: `${cases.length} fixed inputs`,
      ms,
      exitCode: '—',
      reported: outcomes.join('; '),
      lost: 'nothing',
      bound: 'each answered (slowest recorded, not asserted)',
    });
  });
});

// ---- the config model -------------------------------------------------------------------

const rkString = fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s));
const oddScalar = fc.oneof(
  rkString,
  fc.constantFrom('-1', '0', '-86400', '1e308', '+inf.0', '-inf.0', '+nan.0', '1/3', '-5/2', '#t', '#f', 'foo', '#\\a', '#:kw', '1.5', '-0.0'),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.integer().map(String),
);
// Site timeouts: odd, but at most 2 000 000 s and not sub-millisecond: larger or tinier ones hit known
// bugs (RangeError from AbortSignal.timeout, or a 1 ms timer overflow; see regressions.test.ts).
const oddTimeout = fc.oneof(
  fc.constantFrom('-1', '0', '2', '-30', '+inf.0', '-inf.0', '+nan.0', '1/3', '#t', '"30"', '1.5', '-0.0', 'x', '-100000000000000000000000'),
  fc.integer({ min: -1_000_000, max: 2_000_000 }).map(String),
);
const oddValue: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddScalar,
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => `(${xs.join(' ')})`),
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => `#(${xs.join(' ')})`),
    fc.array(fc.tuple(fc.constantFrom('name', 'url', 'to', 'period', 'timeout', 'x'), tie('v')), { maxLength: 3 })
      .map((es) => `#hash(${es.map(([k, v]) => `(${k} . ${v})`).join(' ')})`),
  ),
})).v;

const names = ['backup', 'backup', 'db backup', '', '<script>', 'zählwerk', 'a/b', '../x', '.', 'x'.repeat(300)];
const taskEntry = fc.record({
  name: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...names).map((s) => JSON.stringify(s)) }, oddValue),
  period: fc.option(oddScalar, { nil: undefined }),
  extra: fc.option(oddValue, { nil: undefined, freq: 4 }),
});
const siteEntry = fc.record({
  url: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('"http://127.0.0.1:9/"', '"file:///etc/passwd"', '"javascript:alert(1)"', '"not a url"', '""', '"http://svcmon.invalid/"') },
    oddValue,
  ),
  timeout: fc.option(oddTimeout, { nil: undefined }),
});
/** `a` with probability `present` (0..1), else absent. */
const maybe = <T,>(a: fc.Arbitrary<T>, present = 0.5) =>
  fc.oneof({ weight: Math.round(present * 100), arbitrary: a }, { weight: Math.round((1 - present) * 100), arbitrary: fc.constant(undefined) });
const entry = (e: { [k: string]: string | undefined }) =>
  `#hash(${Object.entries(e)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `(${k === 'extra' ? 'x' : k} . ${v})`)
    .join(' ')})`;

const oddConfig = fc
  .record({
    tasks: maybe(fc.oneof({ weight: 12, arbitrary: fc.array(taskEntry, { maxLength: 5 }).map((es) => `(${es.map(entry).join(' ')})`) }, oddValue), 0.9),
    sites: maybe(fc.oneof({ weight: 12, arbitrary: fc.array(siteEntry, { maxLength: 3 }).map((es) => `(${es.map(entry).join(' ')})`) }, oddValue), 0.7),
    emails: maybe(oddValue, 0.1),
    html: maybe(oddValue, 0.1),
    period: maybe(oddScalar),
    timeout: maybe(oddTimeout),
  })
  .map((c) => `#hash(${Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => `(${k} . ${v})`).join(' ')})\n`);

const CLI_ODD_CONFIGS: Array<[string, string]> = [
  ['duplicate task names', '#hash((tasks . (#hash((name . "a")) #hash((name . "a") (period . 1)))))'],
  ['huge period (10^30 s)', '#hash((tasks . (#hash((name . "a") (period . 1000000000000000000000000000000)))))'],
  ['negative period and timeout', '#hash((period . -5) (timeout . -5) (tasks . (#hash((name . "a") (period . -1)))) (sites . (#hash((url . "http://127.0.0.1:9/") (timeout . -3)))))'],
  ['`tasks` not a list', '#hash((tasks . "backup"))'],
  ['task entry not a hash', '#hash((tasks . ("backup" 42)))'],
  ['task name not a string', '#hash((tasks . (#hash((name . backup)))))'],
  ['top level a list', '(tasks)'],
  ['`html` a string', '#hash((html . "title"))'],
];

describe('the config model', () => {
  it('the CLI pulse on odd configs → exit 0/1/2 with a report or one clean line, never an unexpected error', async () => {
    const results: string[] = [];
    let total = 0;
    for (const [name, text] of CLI_ODD_CONFIGS) {
      const dir = await tempDir();
      await writeFile(join(dir, 'config.rktd'), `${text}\n`);
      const r = await svcmon(['pulse', dir, '--no-email']);
      total += r.ms;
      expect([0, 1, 2], `${name}: ${r.stdout}${r.stderr}`).toContain(r.code);
      expect(r.stderr, name).not.toMatch(/unexpected error/);
      expect(hasStack(r.stderr), name).toBe(false);
      if (r.code === 2) expect(r.stderr, name).toMatch(/svcmon: error: .*config\.rktd/);
      else expect(r.stdout, name).toMatch(/appear healthy|CHECK FAILED/);
      expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(`${text}\n`);
      results.push(`${name} → ${r.code}`);
    }
    record(FILE, {
      group: GROUP,
      scenario: 'CLI pulse on odd configs: duplicate names, period 10^30, negative period/timeout, `tasks` a string, entries not hashes, names not strings, top level a list, `html` a string',
      how: `CLI pulse ×${CLI_ODD_CONFIGS.length}`,
      ms: total,
      exitCode: '0/1/2',
      reported: results.join('; '),
      lost: 'nothing (config.rktd unchanged)',
      bound: 'no unexpected error, no stack',
    });
  });

  it('well-typed but odd configs → parseConfig gives a Config or StoreError E_BAD_CONFIG', () => {
    const tally = { value: 0, bad: 0 };
    const { ms } = timed(() =>
      fc.assert(
        fc.property(fc.oneof(oddConfig, mutatedFixture), (text) => {
          try {
            parseConfig(text);
            tally.value++;
          } catch (e) {
            if (!(isStoreError(e) && e.code === 'E_BAD_CONFIG')) throw e;
            expect(e.message).toContain('config.rktd');
            tally.bad++;
          }
        }),
        { seed: SEED, numRuns: 2000 * RUNS },
      ),
    );
    record(FILE, {
      group: GROUP,
      scenario: 'config model: odd configs (duplicate names, huge/negative/fractional/NaN periods and timeouts, `tasks` not a list, entries not hashes, names not strings) and mutated fixtures',
      how: 'parseConfig, fast-check ×2000',
      ms,
      exitCode: '—',
      reported: `${tally.value} Configs, ${tally.bad} StoreError E_BAD_CONFIG; nothing else`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  });

  it('the pulse on every odd config that parses → a verdict or a clean error, never a throw', async () => {
    const dir = await tempDir();
    const store = dirStore(dir);
    const seen = { verdicts: 0, errors: 0, rejected: 0 };
    const samples = fc.sample(oddConfig, { seed: SEED, numRuns: 150 * RUNS });
    const started = performance.now();
    for (const text of samples) {
      // Sites on unroutable/unused loopback ports or bad schemes only: never the network.
      await writeFile(join(dir, 'config.rktd'), text);
      let result;
      try {
        result = await takePulse(store, { emailMode: 'none', now: () => new Date('2026-11-25T00:00:00Z') });
      } catch (e) {
        throw new Error(`takePulse threw on ${JSON.stringify(text)}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      if (result.error !== undefined) {
        expect(result.errorCode, text).toBe('E_CONFIG_UNREADABLE');
        seen.rejected++;
        continue;
      }
      for (const t of result.tasks) if (!t.ok) expect(t.reason ?? t.state, text).toBeTruthy();
      for (const s of result.sites) if (!s.ok) expect(s.reason, text).toBeTruthy();
      expect(typeof result.report).toBe('string');
      seen.verdicts++;
    }
    const ms = Math.round(performance.now() - started);
    record(FILE, {
      group: GROUP,
      scenario: 'pulse on odd configs (as above; sites with bad schemes, odd timeouts)',
      how: `takePulse on a directory store ×${samples.length}`,
      ms,
      exitCode: '—',
      reported: `${seen.verdicts} reports with verdicts, ${seen.rejected} clean E_CONFIG_UNREADABLE errors; no throw`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  }, 120_000);
});

// ---- heartbeats ----------------------------------------------------------------------------

const hostileHeartbeat = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 60 }),
  fc
    .record({
      seconds: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constantFrom('1e400', '-1e400', '99999999999999999999999', '1795488696.5', '"1795488696"', 'null', 'true', '[]', '{}', '-0', '1E3', '9007199254740993'),
        fc.json({ maxDepth: 2 }),
      ),
      date: fc.oneof(fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)), fc.json({ maxDepth: 2 })),
      junk: fc.option(fc.json({ maxDepth: 6 }), { nil: undefined }),
    })
    .map((r) => `{"seconds":${r.seconds},"date":${r.date}${r.junk === undefined ? '' : `,"junk":${r.junk}`}}`),
  fc.constantFrom('', '{', '{"seconds":', '\u0000', '{"seconds":1795488696}'.repeat(2), `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
);

describe('heartbeat JSON', () => {
  it('hostile <task>-beat.json → a task verdict (ERROR with a reason when not a heartbeat), never a crash', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    const store = dirStore(dir);
    const now = new Date('2026-11-25T00:00:00Z');
    const tally: Record<string, number> = {};
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(hostileHeartbeat, async (text) => {
        await writeFile(join(dir, 't-beat.json'), text);
        const [v] = await checkTasks(store, [{ name: 't', period: 3600 }], { now });
        expect(v).toBeDefined();
        tally[v!.state] = (tally[v!.state] ?? 0) + 1;
        let valid = false;
        try {
          const j = JSON.parse(text) as { seconds?: unknown };
          valid = typeof j === 'object' && j !== null && Number.isSafeInteger(j.seconds);
        } catch {
          valid = false;
        }
        if (!valid) {
          expect(v!.ok, text).toBe(false);
          expect(['malformed', 'error'], text).toContain(v!.state);
          expect(v!.reason, text).toMatch(/t-beat\.json|heartbeat/);
        } else if (!v!.ok) {
          expect(['late', 'future'], text).toContain(v!.state);
        }
      }),
      { seed: SEED, numRuns: 600 * RUNS },
    );
    const ms = Math.round(performance.now() - started);
    record(FILE, {
      group: GROUP,
      scenario: 'heartbeat JSON: wrong types, huge numbers (1e400, 2^53+1), nested junk, non-JSON, 10 000-deep arrays',
      how: 'checkTasks on a directory store, fast-check ×600',
      ms,
      exitCode: '—',
      reported: `verdicts by state: ${Object.entries(tally).map(([k, n]) => `${k} ${n}`).join(', ')}; every non-heartbeat is ERROR with a reason`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  }, 60_000);
});

// ---- e-mail config -----------------------------------------------------------------------

const emailKeys = ['server', 'port', 'connect', 'user', 'password', 'from', 'sending-server', 'tls-ca', 'tls-verify?', 'sendmail', 'x'];
const emailRktd = fc
  .array(fc.tuple(fc.constantFrom(...emailKeys), fc.oneof(oddScalar, oddValue, fc.constantFrom('plain', 'ssl', 'tls', '25', '65536'))), { maxLength: 6 })
  .map((es) => `#hash(${es.map(([k, v]) => `(${k} . ${v})`).join(' ')})`);
const emailJson = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...emailKeys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
);

describe('e-mail config files', () => {
  it('random rktd and JSON → an EmailConfig or PulseError E_EMAIL_CONFIG (never echoing the password)', () => {
    const tally = { value: 0, bad: 0 };
    const { ms } = timed(() =>
      fc.assert(
        fc.property(fc.oneof(emailRktd, emailJson, syntaxText, fc.string({ maxLength: 80 })), (text) => {
          try {
            parseEmailConfig(text, 'email.rktd');
            tally.value++;
          } catch (e) {
            if (!(isPulseError(e) && e.code === 'E_EMAIL_CONFIG')) throw e;
            expect(e.message).toContain('email.rktd');
            tally.bad++;
          }
        }),
        { seed: SEED, numRuns: 2000 * RUNS },
      ),
    );
    record(FILE, {
      group: GROUP,
      scenario: 'e-mail config: random Racket hashes, random JSON, random text',
      how: 'parseEmailConfig, fast-check ×2000',
      ms,
      exitCode: '—',
      reported: `${tally.value} EmailConfigs, ${tally.bad} PulseError E_EMAIL_CONFIG; nothing else`,
      lost: 'nothing',
      bound: 'every case answered (time recorded, not asserted)',
    });
  });
});

