export type PulseErrorCode =
  /** config.rktd is missing, unreadable or malformed: the pulse cannot know what to check. */
  | 'E_CONFIG_UNREADABLE'
  /** The e-mail configuration file (or object) is unreadable, malformed or has a bad key. */
  | 'E_EMAIL_CONFIG'
  /** Sending the report failed (SMTP refused, unreachable, sendmail failed). */
  | 'E_MAIL'
  /** The store could not be reached or refused access. */
  | 'E_STORE'
  /** The metrics file (`--metrics FILE`) could not be written. */
  | 'E_METRICS';

export interface PulseErrorOptions {
  cause?: unknown;
  /** The file the bad input came from. */
  file?: string;
  /** The key of the bad input (e-mail config key). */
  key?: string;
  line?: number;
  column?: number;
}

export class PulseError extends Error {
  override readonly name = 'PulseError' as const;
  readonly code: PulseErrorCode;
  readonly file?: string;
  readonly key?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(code: PulseErrorCode, message: string, options: PulseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    if (options.key !== undefined) this.key = options.key;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }
}

const CODES: ReadonlySet<string> = new Set(['E_CONFIG_UNREADABLE', 'E_EMAIL_CONFIG', 'E_MAIL', 'E_STORE', 'E_METRICS']);

/** True for a PulseError, also one thrown by another copy of this library. */
export function isPulseError(e: unknown): e is PulseError {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'PulseError' && typeof code === 'string' && CODES.has(code);
}

/** Keeps the error behind a result's message on it, out of JSON (`--debug` prints its chain). */
export function keepCause<T extends object>(target: T, cause: unknown): T {
  if (cause !== undefined) Object.defineProperty(target, 'cause', { value: cause, enumerable: false, configurable: true });
  return target;
}
