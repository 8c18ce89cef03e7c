// The S3 store. The AWS SDK is imported on first use only, so that loading
// @svcmon/store (and a directory store) stays cheap.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { checkKey } from './_keys.js';
import { StoreError, type StoreErrorCode } from './errors.js';
import type { LiteCredentials } from './_s3-lite.js';
import type { PutOptions, Store, StoredObject, StoreOptions } from './types.js';

export interface S3StoreOptions extends StoreOptions {
  bucket: string;
  /** Prepended to every key (`monitors/a/` → `monitors/a/config.rktd`). */
  prefix?: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');

let sdkPromise: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3');
  return sdkPromise;
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
  E_CREDENTIALS: 'the AWS credentials were rejected or are missing',
  E_PRECONDITION: 'the object changed meanwhile (conditional write failed)',
  E_BAD_CONFIG: 'bad config',
  E_BAD_HEARTBEAT: 'bad heartbeat',
  E_NETWORK: 'cannot reach S3',
  E_TIMEOUT: 'S3 did not answer in time',
  E_BAD_WHERE: 'bad store location',
  E_BAD_KEY: 'invalid object key',
  E_IO: 'S3 request failed',
};

function defaultWarning(message: string): void {
  process.stderr.write(`svcmon: warning: ${message}\n`);
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

/** What the store needs from S3, over the AWS SDK or the built-in light client. */
interface Transport {
  get(Key: string, signal: AbortSignal): Promise<StoredObject>;
  put(input: PutInput, signal: AbortSignal): Promise<string>;
  delete(Key: string, signal: AbortSignal): Promise<void>;
  /** Raw LocationConstraint of the bucket. */
  location(signal: AbortSignal): Promise<string | undefined>;
}

class S3Store implements Store {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3StoreOptions;
  readonly #endpoint: string | undefined;
  #transport: Promise<Transport> | undefined;
  /** Set once the bucket has refused an ACL: later puts go without one. */
  #aclRejected = false;

  constructor(options: S3StoreOptions) {
    if (!options.bucket) {
      throw new StoreError('E_BAD_WHERE', 'an S3 store needs a bucket name');
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
  }

  #fail(e: unknown, key: string | undefined, doing: string): StoreError {
    if (e instanceof StoreError) return e;
    const code = errorCodeOf(e);
    const what = key === undefined ? this.location : `${this.location}${key}`;
    const name = (e as { name?: string } | null)?.name;
    const detail = e instanceof Error && e.message && e.message !== name ? `: ${e.message}` : '';
    const msg = `${doing} ${what} failed: ${EXPLAIN[code]} (${name ?? 'Error'}${detail})`;
    return new StoreError(code, msg, {
      ...(key === undefined ? {} : { key }),
      location: this.location,
      cause: e,
    });
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
      maxAttempts: o.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: o.timeoutMs ?? 15_000, throwOnRequestTimeout: true },
      // No extra checksum headers: plain PUTs work on every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (this.#endpoint !== undefined) {
      config.endpoint = this.#endpoint;
      config.forcePathStyle = o.forcePathStyle ?? true;
    } else {
      if (o.forcePathStyle !== undefined) config.forcePathStyle = o.forcePathStyle;
      config.followRegionRedirects = true;
    }
    if (o.credentials !== undefined) config.credentials = o.credentials;
    return config;
  }

  async #makeTransport(region: string): Promise<Transport> {
    const o = this.#options;
    const bucket = this.bucket;
    const creds = this.#staticCredentials();
    if (creds !== undefined) {
      const { LiteS3, parseLocationConstraint } = await import('./_s3-lite.js');
      const lite = new LiteS3({
        region,
        credentials: creds,
        ...(this.#endpoint === undefined ? {} : { endpoint: this.#endpoint }),
        ...(o.forcePathStyle === undefined ? {} : { forcePathStyle: o.forcePathStyle }),
        timeoutMs: o.timeoutMs ?? 15_000,
        connectTimeoutMs: 5_000,
        maxAttempts: o.maxAttempts ?? 3,
      });
      return {
        async get(Key, signal) {
          const res = await lite.send({ method: 'GET', bucket, key: Key }, signal);
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
        async delete(Key, signal) {
          await lite.send({ method: 'DELETE', bucket, key: Key }, signal);
        },
        async location(signal) {
          const res = await lite.send({ method: 'GET', bucket, key: '', query: { location: '' } }, signal);
          return parseLocationConstraint(res.body);
        },
      };
    }
    const sdk = await loadSdk();
    const client = new sdk.S3Client(this.#sdkConfig(region));
    return {
      async get(Key, signal) {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
        const bytes = out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
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
      async delete(Key, signal) {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
      },
      async location(signal) {
        const out = await client.send(new sdk.GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: signal });
        return out.LocationConstraint;
      },
    };
  }

  #discoverRegion(): Promise<string> {
    const cacheKey = `${this.#endpoint ?? 'aws'}\0${this.bucket}`;
    let region = regionCache.get(cacheKey);
    if (region === undefined) {
      region = (async () => {
        // GetBucketLocation is answered from us-east-1 for every bucket.
        const transport = await this.#makeTransport('us-east-1');
        try {
          return regionFromLocationConstraint(await this.#withDeadline((signal) => transport.location(signal)));
        } catch (e) {
          throw this.#fail(e, undefined, 'finding the region of');
        }
      })();
      regionCache.set(cacheKey, region);
      region.catch(() => regionCache.delete(cacheKey));
    }
    return region;
  }

  /**
   * Runs one store operation (all its tries) under the overall deadline. A
   * controller whose timer is cleared when the operation ends, rather than
   * AbortSignal.timeout: that one stays alive, with whatever listens to it,
   * until it fires, so a pulse of thousands of reads would hold every request
   * for the whole deadline.
   */
  async #withDeadline<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const o = this.#options;
    const ms = (o.timeoutMs ?? 15_000) * (o.maxAttempts ?? 3) + 5_000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
    timer.unref();
    try {
      return await operation(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  #getTransport(): Promise<Transport> {
    if (this.#transport === undefined) {
      const t = (async () => {
        const region = this.#options.region ?? (process.env.AWS_REGION || undefined) ?? (await this.#discoverRegion());
        return this.#makeTransport(region);
      })();
      this.#transport = t;
      t.catch(() => {
        if (this.#transport === t) this.#transport = undefined;
      });
    }
    return this.#transport;
  }

  #key(key: string): string {
    checkKey(key, this.location);
    return this.prefix + key;
  }

  async get(key: string): Promise<StoredObject | null> {
    const Key = this.#key(key);
    try {
      const transport = await this.#getTransport();
      return await this.#withDeadline((signal) => transport.get(Key, signal));
    } catch (e) {
      if (errorCodeOf(e) === 'E_NOT_FOUND') return null;
      throw this.#fail(e, key, 'reading');
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const Key = this.#key(key);
    const wantAcl = options.publicRead === true && this.#options.publicRead !== false;
    const input: PutInput = {
      Key,
      Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      ContentType: options.contentType,
      acl: false,
      ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
      ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
    };
    try {
      const transport = await this.#getTransport();
      if (!wantAcl || this.#aclRejected) return { etag: await this.#withDeadline((signal) => transport.put(input, signal)) };
      try {
        return { etag: await this.#withDeadline((signal) => transport.put({ ...input, acl: true }, signal)) };
      } catch (e) {
        if ((e as { name?: string } | null)?.name !== 'AccessControlListNotSupported') throw e;
        const first = !this.#aclRejected;
        this.#aclRejected = true;
        const etag = await this.#withDeadline((signal) => transport.put(input, signal));
        if (first) {
          (this.#options.onWarning ?? defaultWarning)(
            `bucket "${this.bucket}" does not allow ACLs (AccessControlListNotSupported: its Object Ownership ` +
              `is "bucket owner enforced"), so ${JSON.stringify(Key)} was written WITHOUT the public-read ACL, ` +
              `and later uploads will skip it too. To make heartbeats and the dashboard public, add a bucket ` +
              `policy allowing s3:GetObject; to silence this, turn publicRead off.`,
          );
        }
        return { etag };
      }
    } catch (e) {
      throw this.#fail(e, key, 'writing');
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      const transport = await this.#getTransport();
      await this.#withDeadline((signal) => transport.delete(Key, signal));
    } catch (e) {
      if (errorCodeOf(e) === 'E_NOT_FOUND') return;
      throw this.#fail(e, key, 'deleting');
    }
  }
}

/** A store in an S3 bucket (optionally under a key prefix). */
export function s3Store(options: S3StoreOptions): Store {
  return new S3Store(options);
}
