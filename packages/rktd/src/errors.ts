export type RktdSyntaxErrorCode = 'E_RKTD_SYNTAX' | 'E_RKTD_DEPTH' | 'E_RKTD_UNSUPPORTED';

/** Text that is not Racket data this library reads. `line` and `column` are 1-based (column in code points). */
export class RktdSyntaxError extends Error {
  override readonly name = 'RktdSyntaxError' as const;
  readonly code: RktdSyntaxErrorCode;
  readonly line: number;
  readonly column: number;
  /** 0-based offset in UTF-16 code units. */
  readonly offset: number;
  readonly source: string | undefined;
  /** The message without the `source:line:column: ` prefix. */
  readonly reason: string;
  constructor(
    code: RktdSyntaxErrorCode,
    reason: string,
    where: { line: number; column: number; offset: number; source?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(`${where.source ?? '<string>'}:${where.line}:${where.column}: ${reason}`, options);
    this.code = code;
    this.reason = reason;
    this.line = where.line;
    this.column = where.column;
    this.offset = where.offset;
    this.source = where.source;
  }
}

export function isRktdSyntaxError(e: unknown): e is RktdSyntaxError {
  return (
    e instanceof RktdSyntaxError ||
    (e instanceof Error &&
      e.name === 'RktdSyntaxError' &&
      typeof (e as { code?: unknown }).code === 'string' &&
      String((e as unknown as { code: string }).code).startsWith('E_RKTD_'))
  );
}

export type RktdWriteErrorCode = 'E_RKTD_UNWRITABLE';

/** A value that `stringify`/`fromJS` cannot turn into Racket data (a function, `null`, a cycle, ...). */
export class RktdWriteError extends Error {
  override readonly name = 'RktdWriteError' as const;
  readonly code: RktdWriteErrorCode;
  /** Where in the value: e.g. `tasks[3].name`. */
  readonly path: string;
  readonly value: unknown;
  constructor(code: RktdWriteErrorCode, message: string, path: string, value: unknown, options?: { cause?: unknown }) {
    super(path === '' ? message : `${message} (at ${path})`, options);
    this.code = code;
    this.path = path;
    this.value = value;
  }
}

export function isRktdWriteError(e: unknown): e is RktdWriteError {
  return (
    e instanceof RktdWriteError ||
    (e instanceof Error && e.name === 'RktdWriteError' && typeof (e as { code?: unknown }).code === 'string')
  );
}
