// The contract between the store and everything built on it (beat, config,
// pulse, cli, custom monitors). Keep it free of AWS SDK types.

/** An object as read back from a store. */
export interface StoredObject {
  body: Buffer;
  /** Opaque version tag (S3 ETag, quotes included; for directories, from the file's inode, size and mtime). */
  etag: string;
  contentType?: string;
  lastModified?: Date;
}

export interface ReadOptions {
  /** Refuse an object larger than this many bytes (E_TOO_LARGE) instead of reading it. */
  maxBytes?: number;
}

export interface PutOptions {
  contentType: string;
  cacheControl?: string;
  /**
   * Ask for a public-read ACL, as the original does for heartbeats and the
   * dashboard. When the bucket rejects ACLs the object is still written
   * without one, and the store warns once.
   */
  publicRead?: boolean;
  /** Write only if the current object has this etag (S3 If-Match). */
  ifMatch?: string;
  /** Write only if no object exists yet (S3 If-None-Match: *). */
  ifNoneMatch?: '*';
}

/** One object as a listing names it (no body). */
export interface ListedObject {
  /** The key, without the store's prefix. */
  key: string;
  /** The same tag `get` answers for this object (S3 ETag, quotes included; for directories, from the file's inode, size and mtime). */
  etag: string;
  size: number;
  lastModified: Date;
  /**
   * Directory stores only: something is at this key that is not an object, and `get` refuses it
   * with an error saying so: a `folder`, or a `special` file (a FIFO, a socket, a device).
   */
  unreadable?: 'folder' | 'special';
}

/**
 * With `delimiter`: what a listing names in place of every key under it, as S3 names it (a
 * CommonPrefix): the folder's key up to and including the `/` after the listing's prefix.
 * Something is under it (on S3 an object; in a directory store something the listing without
 * `delimiter` would name).
 */
export interface ListedFolder {
  /** The folder, without the store's prefix, ending with `/`. */
  key: string;
  folder: true;
}

export interface ListOptions {
  /** Keys per request (S3 max-keys, at most 1000, the default). A folder counts as one. */
  pageSize?: number;
  /**
   * List one level: a key with a `/` after the prefix is not named, its folder is, once
   * (S3 delimiter `/`, CommonPrefixes; a directory store reads that folder without descending).
   */
  delimiter?: '/';
}

/** What `list` yields for these options: objects, and folders too when `delimiter` may be set. */
export type ListEntry<O extends ListOptions = ListOptions> = 'delimiter' extends keyof O
  ? O['delimiter' & keyof O] extends undefined
    ? ListedObject
    : ListedObject | ListedFolder
  : ListedObject;

/** Where svcmon state lives: an S3 bucket (with optional prefix) or a local directory. */
export interface Store {
  readonly kind: 's3' | 'dir';
  /** For people: `s3://bucket/prefix/` or an absolute directory path. */
  readonly location: string;
  /**
   * The object, or null when there is none. Other failures throw a StoreError; an object larger
   * than `maxBytes` is E_TOO_LARGE (naming the key and the bound), found without reading it whole.
   */
  get(key: string, options?: ReadOptions): Promise<StoredObject | null>;
  /**
   * Every object whose key starts with `prefix` ('' for all), in key order (UTF-8 bytes), page by
   * page; with `delimiter`, the objects and folders of one level, folders in key order among the
   * objects. A listing the store refuses (S3 without s3:ListBucket) throws StoreError E_LIST_DENIED.
   */
  list<O extends ListOptions = Record<never, never>>(prefix: string, options?: O): AsyncIterable<ListEntry<O>>;
  /** Writes atomically. A failed precondition throws StoreError code E_PRECONDITION. */
  put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }>;
  delete(key: string): Promise<void>;
}

/** How to reach an S3 store (ignored by directory stores). */
export interface StoreOptions {
  /** The bucket's region. Default: AWS_REGION, else asked of S3 (GetBucketLocation), cached per bucket. */
  region?: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver). Default: AWS_ENDPOINT_URL_S3, else AWS. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`). Default: true with a custom endpoint, else false. */
  forcePathStyle?: boolean;
  /** Default: the standard AWS credential chain (env, AWS_PROFILE, SSO, instance roles, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Give heartbeats and dashboard files a public-read ACL (default true). */
  publicRead?: boolean;
  /** Where warnings go (default: one line on stderr). */
  onWarning?: (message: string) => void;
  /** Give up on one request after this long (default 15000 ms). */
  timeoutMs?: number;
  /** Tries per request, retries included (default 3). */
  maxAttempts?: number;
  /**
   * Always talk to S3 through the AWS SDK. By default, when static credentials
   * are at hand (`credentials`, or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY),
   * the store signs its few requests itself and never loads the SDK, which
   * keeps a heartbeat's cold start short; other credentials (profiles, SSO,
   * instance roles) always go through the SDK.
   */
  useSdk?: boolean;
}
