// Errors of the command line itself, and how every known error of the
// libraries becomes one line on stderr and an exit code. Errors are
// recognised by `name`/`code`, never by instanceof, so that a second copy of a
// library (another version in node_modules) is still understood.

export type CliErrorCode = 'E_USAGE' | 'E_NO_CONFIG' | 'E_DEMO_DIR';

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  /** The exit code this error stands for (2: usage). */
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { code: CliErrorCode; exitCode?: number; hint?: string; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

export function isCliError(e: unknown): e is CliError {
  return isNamed(e, 'CliError');
}

/** Which command failed decides a few exit codes (`pulse` has its own table). */
export type CommandKind = 'beat' | 'pulse' | 'config' | 'demo' | 'run' | 'none';

export interface ErrorVerdict {
  exitCode: number;
  /** One line, without the `svcmon:` prefix. */
  message: string;
  hint?: string;
  /** False for errors that mean a bug in svcmon. */
  known: boolean;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

function isNamed(e: unknown, name: string): e is Error & ErrorLike {
  return typeof e === 'object' && e !== null && (e as ErrorLike).name === name;
}

function codeOf(e: unknown): string {
  const code = (e as ErrorLike | null)?.code;
  return typeof code === 'string' ? code : '';
}

function oneLine(message: unknown): string {
  const text = typeof message === 'string' ? message : String(message);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.join(' ');
}

const RACE_HINT = 'someone else changed it at the same time; run the command again';

/** Hints for an S3 store's errors. */
const STORE_HINTS: Record<string, string> = {
  E_CREDENTIALS: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  E_ACCESS_DENIED: 'check the IAM policy of these credentials (see the svcmon README)',
  E_NO_BUCKET: 'check the bucket name, --region and --endpoint',
  E_NETWORK: 'check --endpoint, AWS_ENDPOINT_URL_S3 and the network',
  E_TIMEOUT: 'check --endpoint, AWS_ENDPOINT_URL_S3 and the network',
  E_PRECONDITION: RACE_HINT,
  E_CONFLICT: RACE_HINT,
};

/** `word` as one word for a POSIX shell (single-quoted unless it is plain). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Hints for a directory store's errors: nothing about S3 or IAM. */
const DIR_HINTS: Record<string, string> = {
  E_ACCESS_DENIED: 'check that the user running svcmon may read and write that folder (ls -ld)',
  E_PRECONDITION: RACE_HINT,
  E_CONFLICT: RACE_HINT,
};

function storeHint(e: unknown, code: string): string | undefined {
  const { kind, region, location } = e as { kind?: unknown; region?: unknown; location?: unknown };
  if (code === 'E_WRONG_REGION' && typeof region === 'string') return `pass --region ${region} (or set AWS_REGION=${region})`;
  if (code === 'E_NO_BUCKET' && kind === 'dir' && typeof location === 'string') return `check the path, or create the folder first: mkdir -p ${shellWord(location)}`;
  return (kind === 'dir' ? DIR_HINTS : STORE_HINTS)[code];
}

/**
 * A missing config.rktd. The library's message says to use force: name the flag where the
 * command has one; a remove has none (there is nothing to remove from no config).
 */
function noConfigMessage(e: unknown, message: string): { message: string; hint?: string } {
  const fn = (e as { fn?: unknown }).fn;
  if (typeof fn === 'string' && fn.startsWith('remove-')) {
    return {
      message: message.replace(/ \(use force to [^)]*\)$/, ', so there is nothing to remove'),
      hint: 'check <where>; svcmon config show <where> prints what is there',
    };
  }
  return { message: message.replace(/\(use force to/, '(pass --force to') };
}

/** Maps an error to an exit code and one line, by the tables in the README. */
export function classifyError(e: unknown, command: CommandKind): ErrorVerdict {
  const code = codeOf(e);
  const message = oneLine((e as ErrorLike | null)?.message ?? e);
  const pulse = command === 'pulse';

  if (isCliError(e)) {
    return { exitCode: e.exitCode, message, ...(e.hint ? { hint: e.hint } : {}), known: true };
  }
  if (isNamed(e, 'StoreError')) {
    let exitCode = pulse ? 3 : 1;
    if (code === 'E_BAD_WHERE' || code === 'E_BAD_KEY') exitCode = 2;
    // A config.rktd the pulse cannot use is a configuration error (exit 2), not an outage.
    if (pulse && code === 'E_BAD_CONFIG') exitCode = 2;
    const hint = storeHint(e, code);
    return { exitCode, message, ...(hint ? { hint } : {}), known: true };
  }
  if (isNamed(e, 'ConfigError')) {
    if (code === 'E_INVALID_ENTRY') return { exitCode: 2, message, known: true };
    if (code === 'E_NO_CONFIG') return { exitCode: pulse ? 2 : 1, ...noConfigMessage(e, message), known: true };
    if (code === 'E_CONFLICT') {
      return { exitCode: pulse ? 3 : 1, message, hint: RACE_HINT, known: true };
    }
    return { exitCode: pulse ? 2 : 1, message, known: true };
  }
  if (isNamed(e, 'PulseError')) {
    const exitCode = code === 'E_CONFIG_UNREADABLE' || code === 'E_EMAIL_CONFIG' ? 2 : 3;
    return { exitCode, message, known: true };
  }
  if (isNamed(e, 'RktdSyntaxError') || isNamed(e, 'RktdWriteError')) {
    return { exitCode: pulse ? 2 : 1, message, known: true };
  }
  // A file the user named (e.g. --email-config) that cannot be read.
  const sys = e as { syscall?: unknown; path?: unknown } | null;
  if (sys && typeof sys.syscall === 'string' && /^E[A-Z]+$/.test(code)) {
    const where = typeof sys.path === 'string' ? `${sys.path}: ` : '';
    const text = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : message;
    return { exitCode: pulse ? 2 : 1, message: `${where}${text}`, known: true };
  }
  return { exitCode: pulse ? 3 : 1, message: message || 'unknown error', known: false };
}

/** What `--debug` adds to an error: its stack, then each cause's (at most 10 deep). */
export function debugLines(error: unknown): string[] {
  const lines = [error instanceof Error && error.stack ? error.stack : String(error)];
  let cause = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 10; depth++) {
    lines.push(`caused by: ${cause instanceof Error && cause.stack ? cause.stack : String(cause)}`);
    cause = (cause as { cause?: unknown }).cause;
  }
  return lines;
}
