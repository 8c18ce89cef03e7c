// The S3 store. The AWS SDK is imported on first use only, so that loading
// @svcmon/store (and a directory store) stays cheap.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { checkKey, compareKeys } from './_keys.js';
import { StoreError, isStoreError, tooLarge, type StoreErrorCode } from './errors.js';
import { jitteredBackoff, sleep } from './_retry.js';
import type { LiteCredentials } from './_s3-lite.js';
import type { ListEntry, ListedFolder, ListedObject, ListOptions, PutOptions, ReadOptions, Store, StoredObject, StoreOptions } from './types.js';

export interface S3StoreOptions extends StoreOptions {
  bucket: string;
  /** Prepended to every key (`monitors/a/` → `monitors/a/config.rktd`). */
  prefix?: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');

/** The AWS SDK: an optional peer dependency, needed only for credentials other than static keys. */
const SDK_PACKAGE = '@aws-sdk/client-s3';

let sdkPromise: Promise<Sdk> | undefined;
function loadSdk(location: string): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3');
  return sdkPromise.catch((e: unknown) => {
    sdkPromise = undefined;
    const code = (e as { code?: string } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e;
    throw new StoreError(
      'E_NEEDS_SDK',
      `${location}: there are no static AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ` +
        `the store's credentials option), and other credentials (AWS_PROFILE, SSO, instance or task roles) ` +
        `need the AWS SDK, which is not installed: npm install ${SDK_PACKAGE}`,
      { location, kind: 's3', cause: e },
    );
  });
}

/** Discovered bucket regions, per endpoint and bucket, shared by all stores of this process. */
const regionCache = new Map<string, Promise<string>>();

/** GetBucketLocation's answer → a region name (empty → us-east-1, EU → eu-west-1). */
export function regionFromLocationConstraint(constraint: string | null | undefined): string {
  if (constraint === undefined || constraint === null || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function errorCodeOf(e: unknown): StoreErrorCode {
  const err = (e ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
  if (name === 'NoSuchBucket') return 'E_NO_BUCKET';
  if (name === 'NoSuchKey' || name === 'NotFound') return 'E_NOT_FOUND';
  if (CREDENTIAL_ERRORS.has(name)) return 'E_CREDENTIALS';
  if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409) {
    return 'E_PRECONDITION';
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) return 'E_ACCESS_DENIED';
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'RequestTimeout' || err.code === 'ETIMEDOUT') {
    return 'E_TIMEOUT';
  }
  if (err.code !== undefined && NETWORK_CODES.has(err.code)) return 'E_NETWORK';
  if (status === undefined && e instanceof Error && /socket|network|connect/i.test(e.message)) return 'E_NETWORK';
  return 'E_IO';
}

const EXPLAIN: Record<StoreErrorCode, string> = {
  E_NOT_FOUND: 'no such object',
  E_NO_BUCKET: 'the bucket does not exist',
  E_ACCESS_DENIED: 'access denied',
  E_LIST_DENIED: 'listing refused (the credentials lack s3:ListBucket)',
  E_CREDENTIALS: 'the AWS credentials were rejected or are missing',
  E_PRECONDITION: 'the object changed meanwhile (conditional write failed)',
  E_CONFLICT: 'the object kept changing under this update',
  E_WRONG_REGION: 'the bucket is in another region',
  E_NEEDS_SDK: 'the AWS SDK is not installed',
  E_BAD_CONFIG: 'bad config',
  E_BAD_HEARTBEAT: 'bad heartbeat',
  E_NETWORK: 'cannot reach S3',
  E_TIMEOUT: 'S3 did not answer in time',
  E_LOCKED: 'locked by another writer',
  E_BAD_WHERE: 'bad store location',
  E_BAD_KEY: 'invalid object key',
  E_TOO_LARGE: 'the object is too large',
  E_IO: 'S3 request failed',
};

function defaultWarning(message: string): void {
  process.stderr.write(`svcmon: warning: ${message}\n`);
}

/** The one policy of every S3 request, whichever client carries it. */
const CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 20_000;
/** The longest delay a Node timer takes (setTimeout's maximum, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long one operation may take in all, its deadline: every try, and connecting. */
const operationMs = (timeoutMs: number, attempts: number): number => timeoutMs * attempts + CONNECT_TIMEOUT_MS;

/**
 * The largest `timeoutMs` a store can keep with `maxAttempts` tries: an operation's deadline
 * (`timeoutMs` × tries + 5 s to connect) is one timer, and must be a delay Node can set.
 */
export function maxTimeoutMs(maxAttempts: number = DEFAULT_ATTEMPTS): number {
  return Math.floor((MAX_TIMER_MS - CONNECT_TIMEOUT_MS) / Math.max(1, Math.floor(maxAttempts)));
}

/** Worth another try: throttling, 5xx, a try that timed out, a dropped connection. */
function retryable(e: unknown): boolean {
  if (isStoreError(e)) return false;
  const err = (e ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (CREDENTIAL_ERRORS.has(err.name ?? '')) return false;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status !== 0) {
    return status >= 500 || status === 429 || err.name === 'SlowDown' || err.name === 'RequestTimeout';
  }
  // No answer at all (a timeout, a reset): the requests are idempotent, and a conditional PUT
  // that did land answers 412 to its retry, which updateObject recognises. The overall
  // deadline still bounds the whole.
  return err.name !== 'AbortError';
}

/** Answers that mean "signed for, or sent to, the wrong region". */
const REGION_ERRORS = new Set(['AuthorizationHeaderMalformed', 'PermanentRedirect', 'TemporaryRedirect', 'IllegalLocationConstraintException']);

/**
 * The region S3 says the bucket is in, when it refused a request for its region (header or error
 * body). Other answers may carry x-amz-bucket-region too; they are not about the region.
 */
function regionOfError(e: unknown): string | undefined {
  const err = (e ?? {}) as {
    name?: string;
    Region?: unknown;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, unknown> };
  };
  const status = err.$metadata?.httpStatusCode;
  if (!REGION_ERRORS.has(err.name ?? '') && status !== 301 && status !== 307) return undefined;
  const header = err.$response?.headers?.['x-amz-bucket-region'];
  if (typeof header === 'string' && header !== '') return header;
  return typeof err.Region === 'string' && err.Region !== '' ? err.Region : undefined;
}

/** What the bucket answers to a public-read ACL it will not take (either form). */
type AclRefusal = 'not-supported' | 'blocked';
function aclRefusal(e: unknown): AclRefusal | undefined {
  const err = (e ?? {}) as { name?: string };
  if (err.name === 'AccessControlListNotSupported') return 'not-supported';
  // Block Public Access (BlockPublicAcls) answers a public ACL with a plain 403 AccessDenied.
  if (err.name === 'AccessDenied') return 'blocked';
  return undefined;
}

interface PutInput {
  Key: string;
  Body: Uint8Array;
  ContentType: string;
  CacheControl?: string;
  acl: boolean;
  IfMatch?: string;
  IfNoneMatch?: string;
}

/** One page of a listing: full keys (folders: S3's CommonPrefixes), and the token of the next page. */
interface ListPage {
  objects: ListedObject[];
  folders: string[];
  next?: string;
}

/** What one ListObjectsV2 request asks for. */
interface ListRequest {
  Prefix: string;
  token: string | undefined;
  maxKeys: number;
  delimiter: '/' | undefined;
}

/** One try of what the store needs from S3, over the AWS SDK or the built-in light client. */
interface Transport {
  get(Key: string, signal: AbortSignal, maxBytes: number | undefined, tooLarge: (size?: number) => Error): Promise<StoredObject>;
  list(request: ListRequest, signal: AbortSignal): Promise<ListPage>;
  put(input: PutInput, signal: AbortSignal): Promise<string>;
  delete(Key: string, signal: AbortSignal): Promise<void>;
  /** Raw LocationConstraint of the bucket. */
  location(signal: AbortSignal): Promise<string | undefined>;
}

interface Connection {
  region: string;
  transport: Transport;
}

class S3Store implements Store {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3StoreOptions;
  readonly #endpoint: string | undefined;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  #connection: Promise<Connection> | undefined;
  /**
   * The first public-read upload, while it is under way or once it is done: resolves to whether
   * the bucket takes the ACL (undefined when that upload failed for another reason). Concurrent
   * uploads wait for it, so a bucket that refuses ACLs is asked once, not once per upload.
   */
  #aclProbe: Promise<boolean | undefined> | undefined;

  constructor(options: S3StoreOptions) {
    if (!options.bucket) {
      throw new StoreError('E_BAD_WHERE', 'an S3 store needs a bucket name', { kind: 's3' });
    }
    this.#options = options;
    this.bucket = options.bucket;
    let prefix = options.prefix ?? '';
    prefix = prefix.replace(/^\/+/, '');
    if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
    this.prefix = prefix;
    this.location = `s3://${this.bucket}/${prefix}`;
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    this.#endpoint = endpoint === '' ? undefined : endpoint;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#attempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_ATTEMPTS));
  }

  #fail(e: unknown, key: string | undefined, doing: string, region?: string): StoreError {
    if (isStoreError(e)) return e;
    const what = key === undefined ? this.location : `${this.location}${key}`;
    const details = { ...(key === undefined ? {} : { key }), location: this.location, kind: 's3' as const, cause: e };
    const name = (e as { name?: string } | null)?.name;
    const detail = e instanceof Error && e.message && e.message !== name ? `: ${e.message}` : '';
    const right = regionOfError(e);
    if (right !== undefined && region !== undefined && right !== region) {
      return new StoreError(
        'E_WRONG_REGION',
        `${doing} ${what} failed: the bucket is in region ${right}, not ${region} (${name ?? 'Error'}${detail})`,
        { ...details, region: right },
      );
    }
    const code = errorCodeOf(e);
    return new StoreError(code, `${doing} ${what} failed: ${EXPLAIN[code]} (${name ?? 'Error'}${detail})`, details);
  }

  /** Static credentials, when known without the SDK's credential chain. */
  #staticCredentials(): LiteCredentials | undefined {
    const o = this.#options;
    if (o.useSdk === true) return undefined;
    if (o.credentials !== undefined) return o.credentials;
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) return undefined;
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }

  #sdkConfig(region: string): S3ClientConfig {
    const o = this.#options;
    const config: S3ClientConfig = {
      region,
      // One try per send: retries, redirects and the deadline are this store's.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: this.#timeoutMs, throwOnRequestTimeout: true },
      // No extra checksum headers: plain PUTs work on every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (this.#endpoint !== undefined) {
      config.endpoint = this.#endpoint;
      config.forcePathStyle = o.forcePathStyle ?? true;
    } else if (o.forcePathStyle !== undefined) {
      config.forcePathStyle = o.forcePathStyle;
    }
    if (o.credentials !== undefined) config.credentials = o.credentials;
    return config;
  }

  async #makeTransport(region: string): Promise<Transport> {
    const o = this.#options;
    const bucket = this.bucket;
    const creds = this.#staticCredentials();
    if (creds !== undefined) {
      const { LiteS3, parseListPage, parseLocationConstraint } = await import('./_s3-lite.js');
      const lite = new LiteS3({
        region,
        credentials: creds,
        ...(this.#endpoint === undefined ? {} : { endpoint: this.#endpoint }),
        ...(o.forcePathStyle === undefined ? {} : { forcePathStyle: o.forcePathStyle }),
        timeoutMs: this.#timeoutMs,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      return {
        async get(Key, signal, maxBytes, tooLarge) {
          const res = await lite.send(
            { method: 'GET', bucket, key: Key, ...(maxBytes === undefined ? {} : { maxBytes, tooLarge }) },
            signal,
          );
          const obj: StoredObject = { body: res.body, etag: String(res.headers.etag ?? '') };
          const ct = res.headers['content-type'];
          if (ct !== undefined) obj.contentType = ct;
          const lm = res.headers['last-modified'];
          if (lm !== undefined) obj.lastModified = new Date(lm);
          return obj;
        },
        async put(input, signal) {
          const res = await lite.send(
            {
              method: 'PUT',
              bucket,
              key: input.Key,
              body: input.Body,
              headers: {
                'content-type': input.ContentType,
                'cache-control': input.CacheControl,
                'x-amz-acl': input.acl ? 'public-read' : undefined,
                'if-match': input.IfMatch,
                'if-none-match': input.IfNoneMatch,
              },
            },
            signal,
          );
          return String(res.headers.etag ?? '');
        },
        async list({ Prefix, token, maxKeys, delimiter }, signal) {
          const query: Record<string, string> = { 'list-type': '2', prefix: Prefix, 'max-keys': String(maxKeys) };
          if (delimiter !== undefined) query.delimiter = delimiter;
          if (token !== undefined) query['continuation-token'] = token;
          const res = await lite.send({ method: 'GET', bucket, key: '', query }, signal);
          return parseListPage(res.body);
        },
        async delete(Key, signal) {
          await lite.send({ method: 'DELETE', bucket, key: Key }, signal);
        },
        async location(signal) {
          const res = await lite.send({ method: 'GET', bucket, key: '', query: { location: '' } }, signal);
          return parseLocationConstraint(res.body);
        },
      };
    }
    const sdk = await loadSdk(this.location);
    const client = new sdk.S3Client(this.#sdkConfig(region));
    return {
      async get(Key, signal, maxBytes, tooLarge) {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
        if (maxBytes !== undefined && out.ContentLength !== undefined && out.ContentLength > maxBytes) {
          (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
          throw tooLarge(out.ContentLength);
        }
        const bytes = out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
        if (maxBytes !== undefined && bytes.length > maxBytes) throw tooLarge(bytes.length);
        const obj: StoredObject = { body: Buffer.from(bytes), etag: out.ETag ?? '' };
        if (out.ContentType !== undefined) obj.contentType = out.ContentType;
        if (out.LastModified !== undefined) obj.lastModified = out.LastModified;
        return obj;
      },
      async put(input, signal) {
        const out = await client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: input.Key,
            Body: input.Body,
            ContentType: input.ContentType,
            ...(input.CacheControl === undefined ? {} : { CacheControl: input.CacheControl }),
            ...(input.acl ? { ACL: 'public-read' as const } : {}),
            ...(input.IfMatch === undefined ? {} : { IfMatch: input.IfMatch }),
            ...(input.IfNoneMatch === undefined ? {} : { IfNoneMatch: input.IfNoneMatch }),
          }),
          { abortSignal: signal },
        );
        return out.ETag ?? '';
      },
      async list({ Prefix, token, maxKeys, delimiter }, signal) {
        const out = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix,
            MaxKeys: maxKeys,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal: signal },
        );
        const objects = (out.Contents ?? []).map((c) => ({
          key: c.Key ?? '',
          etag: c.ETag ?? '',
          size: c.Size ?? 0,
          lastModified: c.LastModified ?? new Date(0),
        }));
        const folders = (out.CommonPrefixes ?? []).map((c) => c.Prefix ?? '');
        return out.IsTruncated === true && out.NextContinuationToken !== undefined ? { objects, folders, next: out.NextContinuationToken } : { objects, folders };
      },
      async delete(Key, signal) {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
      },
      async location(signal) {
        const out = await client.send(new sdk.GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: signal });
        return out.LocationConstraint;
      },
    };
  }

  /**
   * One store operation: its tries (jittered backoff between them) under one overall deadline,
   * following a region redirect once (AWS only: with a custom endpoint a wrong region is the
   * user's to fix, and the error names the right one). A controller whose timer is cleared when
   * the operation ends, rather than AbortSignal.timeout: that one stays alive, with whatever
   * listens to it, until it fires, so a pulse of thousands of reads would hold every request
   * for the whole deadline.
   */
  async #request<T>(
    doing: string,
    key: string | undefined,
    operation: (transport: Transport, signal: AbortSignal) => Promise<T>,
    connect: () => Promise<Connection> = () => this.#connect(),
  ): Promise<T> {
    const ms = operationMs(this.#timeoutMs, this.#attempts);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
    timer.unref();
    let region: string | undefined;
    try {
      let redirected = false;
      for (let attempt = 1; ; attempt++) {
        const connection = await connect();
        region = connection.region;
        try {
          return await operation(connection.transport, controller.signal);
        } catch (e) {
          const right = regionOfError(e);
          if (right !== undefined && right !== region && this.#endpoint === undefined && !redirected) {
            redirected = true;
            this.#redirect(right);
            attempt--;
            continue;
          }
          if (attempt >= this.#attempts || controller.signal.aborted || isStoreError(e) || !retryable(e)) throw e;
          await sleep(jitteredBackoff(attempt, RETRY_BASE_MS, RETRY_CAP_MS));
        }
      }
    } catch (e) {
      throw this.#fail(e, key, doing, region);
    } finally {
      clearTimeout(timer);
    }
  }

  #redirect(region: string): void {
    const connection = this.#makeTransport(region).then((transport) => ({ region, transport }));
    this.#connection = connection;
    connection.catch(() => {
      if (this.#connection === connection) this.#connection = undefined;
    });
  }

  #discoverRegion(): Promise<string> {
    const cacheKey = `${this.#endpoint ?? 'aws'}\0${this.bucket}`;
    let region = regionCache.get(cacheKey);
    if (region === undefined) {
      // GetBucketLocation is answered from us-east-1 for every bucket.
      const us = this.#makeTransport('us-east-1').then((transport) => ({ region: 'us-east-1', transport }));
      region = this.#request('finding the region of', undefined, (t, signal) => t.location(signal), () => us).then(
        regionFromLocationConstraint,
      );
      regionCache.set(cacheKey, region);
      region.catch(() => regionCache.delete(cacheKey));
    }
    return region;
  }

  #connect(): Promise<Connection> {
    if (this.#connection === undefined) {
      const connection = (async () => {
        const region = this.#options.region ?? (process.env.AWS_REGION || undefined) ?? (await this.#discoverRegion());
        return { region, transport: await this.#makeTransport(region) };
      })();
      this.#connection = connection;
      connection.catch(() => {
        if (this.#connection === connection) this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  #key(key: string): string {
    checkKey(key, this.location, this.prefix);
    return this.prefix + key;
  }

  async get(key: string, options: ReadOptions = {}): Promise<StoredObject | null> {
    const Key = this.#key(key);
    const { maxBytes } = options;
    const refuse = (size?: number) => tooLarge(key, this.location, 's3', maxBytes ?? 0, size);
    try {
      return await this.#request('reading', key, (t, signal) => t.get(Key, signal, maxBytes, refuse));
    } catch (e) {
      if (isStoreError(e) && e.code === 'E_NOT_FOUND') return null;
      throw e;
    }
  }

  list<O extends ListOptions = Record<never, never>>(prefix: string, options?: O): AsyncIterable<ListEntry<O>> {
    return this.#list(prefix, options ?? {}) as AsyncIterable<ListEntry<O>>;
  }

  async *#list(prefix: string, options: ListOptions): AsyncIterable<ListedObject | ListedFolder> {
    const maxKeys = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 1000)));
    const Prefix = this.prefix + prefix;
    const delimiter = options.delimiter;
    let token: string | undefined;
    do {
      let page: ListPage;
      try {
        const request: ListRequest = { Prefix, token, maxKeys, delimiter };
        page = await this.#request('listing', undefined, (t, signal) => t.list(request, signal));
      } catch (e) {
        if (isStoreError(e) && e.code === 'E_ACCESS_DENIED') {
          throw new StoreError(
            'E_LIST_DENIED',
            `listing ${this.location}${prefix} was refused (403 AccessDenied): the credentials lack s3:ListBucket on bucket "${this.bucket}"`,
            { location: this.location, kind: 's3', cause: e.cause },
          );
        }
        throw e;
      }
      // S3 answers the objects and the folders of a page apart; each in key order.
      const folders = page.folders.filter((f) => f.startsWith(this.prefix)).map((f): ListedFolder => ({ key: f.slice(this.prefix.length), folder: true }));
      let f = 0;
      for (const o of page.objects) {
        if (!o.key.startsWith(this.prefix)) continue;
        const key = o.key.slice(this.prefix.length);
        for (; f < folders.length && compareKeys(folders[f]!.key, key) < 0; f++) yield folders[f]!;
        yield { ...o, key };
      }
      yield* folders.slice(f);
      token = page.next;
    } while (token !== undefined);
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const Key = this.#key(key);
    const input: PutInput = {
      Key,
      Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      ContentType: options.contentType,
      acl: false,
      ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
      ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
    };
    const plain = async () => ({ etag: await this.#request('writing', key, (t, signal) => t.put(input, signal)) });
    if (options.publicRead !== true || this.#options.publicRead === false) return plain();
    if (this.#aclProbe !== undefined) {
      const accepted = await this.#aclProbe;
      if (accepted === false) return plain();
      if (accepted === true) return { etag: await this.#request('writing', key, (t, signal) => t.put({ ...input, acl: true }, signal)) };
    }
    // This upload finds out whether the bucket takes ACLs; concurrent ones wait for the answer.
    let settle!: (accepted: boolean | undefined) => void;
    const probe = new Promise<boolean | undefined>((resolve) => (settle = resolve));
    this.#aclProbe = probe;
    const undecided = (e: unknown): never => {
      settle(undefined);
      if (this.#aclProbe === probe) this.#aclProbe = undefined;
      throw e;
    };
    let refusal: AclRefusal | undefined;
    try {
      const etag = await this.#request('writing', key, (t, signal) => t.put({ ...input, acl: true }, signal));
      settle(true);
      return { etag };
    } catch (e) {
      refusal = isStoreError(e) ? aclRefusal(e.cause) : undefined;
      if (refusal === undefined) undecided(e);
    }
    // Refused for its ACL (for a 403 perhaps not: the write without it tells).
    const written = await plain().catch(undecided);
    settle(false);
    (this.#options.onWarning ?? defaultWarning)(
      refusal === 'not-supported'
        ? `bucket "${this.bucket}" does not allow ACLs (AccessControlListNotSupported: its Object Ownership ` +
            `is "bucket owner enforced"), so ${JSON.stringify(Key)} was written WITHOUT the public-read ACL, ` +
            `and later uploads will skip it too. To make heartbeats and the dashboard public, add a bucket ` +
            `policy allowing s3:GetObject; to silence this, turn publicRead off.`
        : `bucket "${this.bucket}" refused the public-read ACL (403 AccessDenied: Block Public Access is on, ` +
            `or the credentials lack s3:PutObjectAcl), so ${JSON.stringify(Key)} was written WITHOUT it, ` +
            `and later uploads will skip it too. To make heartbeats and the dashboard public, turn off ` +
            `BlockPublicAcls or add a bucket policy allowing s3:GetObject; to silence this, turn publicRead off.`,
    );
    return written;
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      await this.#request('deleting', key, (t, signal) => t.delete(Key, signal));
    } catch (e) {
      if (isStoreError(e) && e.code === 'E_NOT_FOUND') return;
      throw e;
    }
  }
}

/** A store in an S3 bucket (optionally under a key prefix). */
export function s3Store(options: S3StoreOptions): Store {
  return new S3Store(options);
}
