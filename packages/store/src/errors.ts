// Every failure of a store is a StoreError with a stable `code`; callers
// branch on `code`, never on message text.

export type StoreErrorCode =
  | 'E_NOT_FOUND'
  | 'E_NO_BUCKET'
  | 'E_ACCESS_DENIED'
  | 'E_LIST_DENIED'
  | 'E_CREDENTIALS'
  | 'E_PRECONDITION'
  | 'E_CONFLICT'
  | 'E_WRONG_REGION'
  | 'E_NEEDS_SDK'
  | 'E_BAD_CONFIG'
  | 'E_BAD_HEARTBEAT'
  | 'E_NETWORK'
  | 'E_TIMEOUT'
  | 'E_LOCKED'
  | 'E_BAD_WHERE'
  | 'E_BAD_KEY'
  | 'E_TOO_LARGE'
  | 'E_IO';

export interface StoreErrorDetails {
  /** The object key involved (without the store's prefix). */
  key?: string;
  /** The store, for people: `s3://bucket/prefix/` or a directory path. */
  location?: string;
  /** Which kind of store failed (so hints fit: no S3 advice for a directory). */
  kind?: 's3' | 'dir';
  /** E_WRONG_REGION: the region the bucket is in, as S3 answered. */
  region?: string;
  /** 1-based position inside the object (bad config). */
  line?: number;
  column?: number;
  cause?: unknown;
}

/** E_TOO_LARGE: `key` holds more than `maxBytes`. */
export function tooLarge(key: string, location: string, kind: 's3' | 'dir', maxBytes: number, size?: number): StoreError {
  const found = size === undefined ? 'more than that' : `${size} bytes`;
  return new StoreError('E_TOO_LARGE', `${JSON.stringify(key)} in ${location} is too large to read: ${found}, at most ${maxBytes} bytes allowed`, {
    key,
    location,
    kind,
  });
}

export class StoreError extends Error {
  override readonly name = 'StoreError' as const;
  readonly code: StoreErrorCode;
  readonly key?: string;
  readonly location?: string;
  readonly kind?: 's3' | 'dir';
  readonly region?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(code: StoreErrorCode, message: string, details: StoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.key !== undefined) this.key = details.key;
    if (details.location !== undefined) this.location = details.location;
    if (details.kind !== undefined) this.kind = details.kind;
    if (details.region !== undefined) this.region = details.region;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
  }
}

/** True for a StoreError, also one thrown by another copy of this library. */
export function isStoreError(e: unknown): e is StoreError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'StoreError' &&
    typeof (e as { code?: unknown }).code === 'string'
  );
}
