// Where the commands write, and whether they may use colour. Injected so that
// main() can be embedded and tested without touching the process streams.

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Print one line on stdout. */
  out(line: string): void;
  /** Print one line on stderr. */
  err(line: string): void;
  /** Colours for stdout and stderr (identity functions when colour is off). */
  color: Palette;
  errColor: Palette;
}

export interface Palette {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
function colorEnabled(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

function palette(enabled: boolean): Palette {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
  };
}

export interface IoOptions {
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: NodeJS.ProcessEnv;
}

export function createIo(options: IoOptions = {}): Io {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  return {
    stdout,
    stderr,
    env,
    out: (line) => void stdout.write(`${line}\n`),
    err: (line) => void stderr.write(`${line}\n`),
    color: palette(colorEnabled(stdout, env)),
    errColor: palette(colorEnabled(stderr, env)),
  };
}
