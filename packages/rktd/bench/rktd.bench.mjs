// parse + stringify of a generated ~5 MB config.rktd against Racket's own
// read + write of the same text, both timed in this run.
//   pnpm --filter @svcmon/rktd build && node packages/rktd/bench/rktd.bench.mjs [tasks]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromJS, parse, stringify } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TASKS = Number(process.argv[2] ?? 80_000);
const RUNS = 7;

function makeConfig(n) {
  const tasks = [];
  for (let i = 0; i < n; i++) {
    const t = { name: `job-${String(i).padStart(6, '0')}-nightly` };
    if (i % 3 !== 0) t.period = 3600 * (1 + (i % 48));
    if (i % 5 === 0) t.note = `owner "team-${i % 17}"\tλ ${i}`;
    if (i % 7 === 0) t['on-call?'] = i % 2 === 0;
    tasks.push(t);
  }
  const sites = Array.from({ length: n / 50 }, (_, i) => ({ url: `https://service-${i}.example.com/health`, timeout: 10 + (i % 20) }));
  const emails = Array.from({ length: 20 }, (_, i) => ({ to: `ops-${i}@example.com`, 'on-success?': i % 2 === 0 }));
  return fromJS({ tasks, sites, emails, html: { title: 'Benchmark monitor' }, period: 86400, timeout: 30 });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const text = stringify(makeConfig(TASKS)) + '\n';
const mb = Buffer.byteLength(text) / 1e6;
const dir = mkdtempSync(path.join(tmpdir(), 'rktd-bench-'));
const file = path.join(dir, 'config.rktd');
writeFileSync(file, text);

// ---- ours, in process -------------------------------------------------------
let out = '';
for (let i = 0; i < 2; i++) out = stringify(parse(text)); // warm up
const parseMs = [];
const stringifyMs = [];
const bothMs = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const v = parse(text);
  const t1 = performance.now();
  out = stringify(v);
  const t2 = performance.now();
  parseMs.push(t1 - t0);
  stringifyMs.push(t2 - t1);
  bothMs.push(t2 - t0);
}
if (out + '\n' !== text) throw new Error('round trip is not byte-identical');

// ---- racket, in process (startup excluded) -----------------------------------
const racketProgram = `
(define text (call-with-input-file (vector-ref (current-command-line-arguments) 0) port->string))
(define runs ${RUNS})
(define (once)
  (define v (read (open-input-string text)))
  (define o (open-output-string))
  (write v o)
  (get-output-string o))
(once) (once)
(define times
  (for/list ([i runs])
    (define t0 (current-inexact-milliseconds))
    (define s (once))
    (- (current-inexact-milliseconds) t0)))
(unless (equal? (string-append (once) "\\n") text) (error "racket round trip differs"))
(for ([t times]) (printf "~a\\n" t))
`;
const r = spawnSync('racket', ['-I', 'racket/base', '-l', 'racket/base', '-l', 'racket/port', '-e', racketProgram, file], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
if (r.status !== 0) throw new Error(`racket failed: ${r.stderr || r.error}`);
const racketMs = r.stdout.trim().split('\n').map(Number);

// ---- with process startup: one read+write each, timed from outside ---------------
const oneShotRacket = `(define v (call-with-input-file (vector-ref (current-command-line-arguments) 0) read)) (write v (open-output-string))`;
const oneShotNode = `import { readFileSync } from 'node:fs'; import { parse, stringify } from ${JSON.stringify(path.join(here, '../dist/index.js'))}; stringify(parse(readFileSync(process.argv[1], 'utf8')));`;
function wall(cmd, args) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const p = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) throw new Error(`${cmd} failed: ${p.stderr}`);
    times.push(performance.now() - t0);
  }
  return median(times);
}
const racketWall = wall('racket', ['-I', 'racket/base', '-e', oneShotRacket, file]);
const nodeWall = wall(process.execPath, ['--input-type=module', '-e', oneShotNode, file]);
rmSync(dir, { recursive: true, force: true });

const ours = median(bothMs);
const theirs = median(racketMs);
const fmt = (x) => x.toFixed(1).padStart(8);
console.log(`config.rktd: ${TASKS} tasks, ${mb.toFixed(2)} MB (median of ${RUNS} runs after warm-up)`);
console.log(`  @svcmon/rktd parse          ${fmt(median(parseMs))} ms`);
console.log(`  @svcmon/rktd stringify      ${fmt(median(stringifyMs))} ms`);
console.log(`  @svcmon/rktd parse+stringify${fmt(ours)} ms`);
console.log(`  racket read+write (in proc) ${fmt(theirs)} ms`);
console.log(`  ratio racket / ours         ${(theirs / ours).toFixed(2)}x ${theirs > ours ? '(ours faster)' : '(racket faster)'}`);
console.log(`  with process startup: node ${fmt(nodeWall)} ms, racket ${fmt(racketWall)} ms, ratio ${(racketWall / nodeWall).toFixed(2)}x`);
