// The S3 store. The AWS SDK is imported on first use only, so that loading
// @svcmon/store (and a directory store) stays cheap.
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { checkKey } from './_keys.js';
import { StoreError, type StoreErrorCode } from './errors.js';
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
  E_IO: 'S3 request failed',
};

function defaultWarning(message: string): void {
  process.stderr.write(`svcmon: warning: ${message}\n`);
}

class S3Store implements Store {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3StoreOptions;
  readonly #endpoint: string | undefined;
  #client: Promise<S3Client> | undefined;
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

  #config(sdk: Sdk, region: string): S3ClientConfig {
    const o = this.#options;
    const config: S3ClientConfig = {
      region,
      maxAttempts: o.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: o.timeoutMs ?? 15_000, throwOnRequestTimeout: true },
      // Plain PUT bodies with Content-MD5-free requests work on every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    void sdk;
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

  async #discoverRegion(sdk: Sdk): Promise<string> {
    const cacheKey = `${this.#endpoint ?? 'aws'}\0${this.bucket}`;
    let region = regionCache.get(cacheKey);
    if (region === undefined) {
      region = (async () => {
        // GetBucketLocation is answered from us-east-1 for every bucket.
        const client = new sdk.S3Client(this.#config(sdk, 'us-east-1'));
        try {
          const out = await client.send(new sdk.GetBucketLocationCommand({ Bucket: this.bucket }), {
            abortSignal: this.#abortSignal(),
          });
          return regionFromLocationConstraint(out.LocationConstraint);
        } catch (e) {
          throw this.#fail(e, undefined, 'finding the region of');
        } finally {
          client.destroy();
        }
      })();
      regionCache.set(cacheKey, region);
      region.catch(() => regionCache.delete(cacheKey));
    }
    return region;
  }

  #abortSignal(): AbortSignal {
    const o = this.#options;
    const perTry = o.timeoutMs ?? 15_000;
    return AbortSignal.timeout(perTry * (o.maxAttempts ?? 3) + 5_000);
  }

  #getClient(): Promise<S3Client> {
    this.#client ??= (async () => {
      const sdk = await loadSdk();
      const region = this.#options.region ?? (process.env.AWS_REGION || undefined) ?? (await this.#discoverRegion(sdk));
      return new sdk.S3Client(this.#config(sdk, region));
    })();
    this.#client.catch(() => {
      this.#client = undefined;
    });
    return this.#client;
  }

  #key(key: string): string {
    checkKey(key, this.location);
    return this.prefix + key;
  }

  async get(key: string): Promise<StoredObject | null> {
    const Key = this.#key(key);
    try {
      const [sdk, client] = await Promise.all([loadSdk(), this.#getClient()]);
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }), {
        abortSignal: this.#abortSignal(),
      });
      const bytes = out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
      const obj: StoredObject = { body: Buffer.from(bytes), etag: out.ETag ?? '' };
      if (out.ContentType !== undefined) obj.contentType = out.ContentType;
      if (out.LastModified !== undefined) obj.lastModified = out.LastModified;
      return obj;
    } catch (e) {
      if (errorCodeOf(e) === 'E_NOT_FOUND') return null;
      throw this.#fail(e, key, 'reading');
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const Key = this.#key(key);
    const wantAcl = options.publicRead === true && this.#options.publicRead !== false;
    try {
      const [sdk, client] = await Promise.all([loadSdk(), this.#getClient()]);
      const send = async (acl: boolean): Promise<{ etag: string }> => {
        const out = await client.send(
          new sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
            ContentType: options.contentType,
            ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
            ...(acl ? { ACL: 'public-read' as const } : {}),
            ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
            ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
          }),
          { abortSignal: this.#abortSignal() },
        );
        return { etag: out.ETag ?? '' };
      };
      if (!wantAcl || this.#aclRejected) return await send(false);
      try {
        return await send(true);
      } catch (e) {
        if ((e as { name?: string } | null)?.name !== 'AccessControlListNotSupported') throw e;
        const first = !this.#aclRejected;
        this.#aclRejected = true;
        const result = await send(false);
        if (first) {
          (this.#options.onWarning ?? defaultWarning)(
            `bucket "${this.bucket}" does not allow ACLs (AccessControlListNotSupported: its Object Ownership ` +
              `is "bucket owner enforced"), so ${JSON.stringify(Key)} was written WITHOUT the public-read ACL, ` +
              `and later uploads will skip it too. To make heartbeats and the dashboard public, add a bucket ` +
              `policy allowing s3:GetObject; to silence this, turn publicRead off.`,
          );
        }
        return result;
      }
    } catch (e) {
      throw this.#fail(e, key, 'writing');
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      const [sdk, client] = await Promise.all([loadSdk(), this.#getClient()]);
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key }), {
        abortSignal: this.#abortSignal(),
      });
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
