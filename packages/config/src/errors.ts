// Errors of @svcmon/config. Callers (the CLI) branch on `code`, never on message text.

export type ConfigErrorCode =
  /** The store has no config.rktd and `force` was not given. */
  | 'E_NO_CONFIG'
  /** An entry (or a name argument) failed validation: unknown key, wrong type, missing name key. */
  | 'E_INVALID_ENTRY'
  /** Other writers kept changing config.rktd; the edit gave up after its retries. */
  | 'E_CONFLICT';

/** The function that failed, in the original's words (`set-task`, `get-html`, …). */
export type ConfigFunction =
  | 'get-task'
  | 'set-task'
  | 'remove-task'
  | 'get-site'
  | 'set-site'
  | 'remove-site'
  | 'get-email'
  | 'set-email'
  | 'remove-email'
  | 'get-html'
  | 'set-html'
  | 'pause-task'
  | 'resume-task'
  | 'publish-dashboard';

export interface ConfigErrorOptions {
  fn: ConfigFunction;
  key?: string;
  value?: unknown;
  location?: string;
  cause?: unknown;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError' as const;
  readonly code: ConfigErrorCode;
  /** The function that failed, e.g. `set-task`. */
  readonly fn: ConfigFunction;
  /** The entry key at fault (`period`, `on-success?`, …), when there is one. */
  readonly key?: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  /** The store, for people (`s3://bucket/`, a directory). */
  readonly location?: string;

  constructor(code: ConfigErrorCode, message: string, options: ConfigErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fn = options.fn;
    if (options.key !== undefined) this.key = options.key;
    if ('value' in options) this.value = options.value;
    if (options.location !== undefined) this.location = options.location;
  }
}

/** Recognises a ConfigError, also one thrown by a second copy of this library. */
export function isConfigError(e: unknown): e is ConfigError {
  if (e instanceof ConfigError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const { name, code, fn } = e as { name?: unknown; code?: unknown; fn?: unknown };
  return (
    name === 'ConfigError' &&
    typeof fn === 'string' &&
    (code === 'E_NO_CONFIG' || code === 'E_INVALID_ENTRY' || code === 'E_CONFLICT')
  );
}
