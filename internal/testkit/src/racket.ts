// Racket as the reference reader/writer for tests: one `racket` process per
// batch reads every datum from stdin and writes each back with `write`.
import { spawn, spawnSync } from 'node:child_process';

let available: boolean | undefined;

/** Whether a `racket` executable runs on this machine (cached). */
export function racketAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('racket', ['--version'], { encoding: 'utf8', timeout: 30_000 });
    available = r.status === 0 && /Racket/.test(r.stdout ?? '');
  }
  return available;
}

/**
 * True when tests that need racket must run: racket is installed, or we are in
 * CI (where a missing racket must fail the tests, not skip them).
 */
export function mustRunRacketTests(): boolean {
  return racketAvailable() || Boolean(process.env.CI);
}

/** Output framing: `<tag> <byte length>\n<bytes>` per datum, tag `ok` or `err`. */
const ROUND_TRIP_PROGRAM = `
(define in (current-input-port))
(define out (current-output-port))
(let loop ()
  (define-values (tag bs)
    (with-handlers ([exn:fail? (lambda (e) (values "err" (string->bytes/utf-8 (exn-message e))))])
      (define v (read in))
      (if (eof-object? v)
          (values #f #f)
          (let ([o (open-output-bytes)])
            (write v o)
            (values "ok" (get-output-bytes o))))))
  (when tag
    (write-string tag out)
    (write-string " " out)
    (write-string (number->string (bytes-length bs)) out)
    (newline out)
    (write-bytes bs out)
    (when (equal? tag "ok") (loop))))
(flush-output out)
`;

export interface RacketRunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** Runs `racket -e program` with `input` on stdin. */
export function runRacket(program: string, input: string | Buffer = '', timeoutMs = 120_000): Promise<RacketRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('racket', ['-I', 'racket/base', '-e', program], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`racket did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run racket: ${e.message}`, { cause: e }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code });
    });
    child.stdin.on('error', () => {
      /* racket exited early; reported through close */
    });
    child.stdin.end(input);
  });
}

/** Decodes the programs' replies: frames of `<tag> <byte length>\n<bytes>`. */
function readFrames(stdout: Buffer): Array<{ tag: string; body: string }> {
  const frames: Array<{ tag: string; body: string }> = [];
  let pos = 0;
  while (pos < stdout.length) {
    const nl = stdout.indexOf(10, pos);
    if (nl < 0) throw new Error('racket output is truncated');
    const [tag = '', lenText] = stdout.subarray(pos, nl).toString('latin1').split(' ');
    const len = Number(lenText);
    frames.push({ tag, body: stdout.subarray(nl + 1, nl + 1 + len).toString('utf8') });
    pos = nl + 1 + len;
  }
  return frames;
}

/**
 * Racket reads every text (each a complete datum) and writes each value back
 * with `write`; returns Racket's texts in order. One process for the batch.
 * A datum Racket cannot read rejects the promise with Racket's message.
 */
export async function racketRoundTrip(texts: readonly string[]): Promise<string[]> {
  const input = Buffer.from(texts.join('\n') + '\n', 'utf8');
  const { stdout, stderr, code } = await runRacket(ROUND_TRIP_PROGRAM, input);
  if (code !== 0) throw new Error(`racket exited with ${code}: ${stderr}`);
  const results: string[] = [];
  for (const { tag, body } of readFrames(stdout)) {
    if (tag === 'err') {
      throw new Error(`racket could not read datum #${results.length} (${JSON.stringify(texts[results.length])}): ${body}`);
    }
    results.push(body);
  }
  if (results.length !== texts.length) {
    throw new Error(`racket read ${results.length} data from ${texts.length} texts`);
  }
  return results;
}

/** Racket's `write` of the single datum in `text`. */
export async function racketReadWrite(text: string): Promise<string> {
  const [out] = await racketRoundTrip([text]);
  return out!;
}

/** Racket's verdict on one text: what `write` prints for its only datum, or its error message. */
export type RacketReadResult = { ok: true; written: string } | { ok: false; message: string };

const READ_EACH_PROGRAM = `
(define in (current-input-port))
(define out (current-output-port))
(define (emit tag bs)
  (write-string tag out) (write-string " " out)
  (write-string (number->string (bytes-length bs)) out) (newline out)
  (write-bytes bs out))
(let loop ()
  (define line (read-line in))
  (unless (eof-object? line)
    (define bs (read-bytes (string->number line) in))
    (read-char in)
    (with-handlers ([exn:fail? (lambda (e) (emit "err" (string->bytes/utf-8 (exn-message e))))])
      (define p (open-input-bytes bs))
      (port-count-lines! p)
      (define v (read p))
      (cond
        [(eof-object? v) (emit "err" #"no datum")]
        [(not (eof-object? (read p))) (emit "err" #"more than one datum")]
        [else (let ([o (open-output-bytes)]) (write v o) (emit "ok" (get-output-bytes o)))]))
    (loop)))
(flush-output out)
`;

/**
 * Racket reads each text on its own (exactly one datum expected, like
 * `parse`) and reports what `write` prints, or its error. One process.
 */
export async function racketReadEach(texts: readonly string[]): Promise<RacketReadResult[]> {
  const chunks: Buffer[] = [];
  for (const t of texts) {
    const b = Buffer.from(t, 'utf8');
    chunks.push(Buffer.from(`${b.length}\n`, 'latin1'), b, Buffer.from('\n'));
  }
  const { stdout, stderr, code } = await runRacket(READ_EACH_PROGRAM, Buffer.concat(chunks));
  if (code !== 0) throw new Error(`racket exited with ${code}: ${stderr}`);
  const results: RacketReadResult[] = readFrames(stdout).map(({ tag, body }) =>
    tag === 'ok' ? { ok: true, written: body } : { ok: false, message: body },
  );
  if (results.length !== texts.length) throw new Error(`racket answered ${results.length} of ${texts.length} texts`);
  return results;
}
