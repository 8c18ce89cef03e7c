// A real S3-protocol server for tests: s3rver on loopback, behind a small
// proxy that does what s3rver does not and real S3 does:
// - verifies every request's SigV4 signature (wrong secret or signing region → 403),
// - can reject ACLs per bucket, either way S3 does: 400 AccessControlListNotSupported
//   (Object Ownership "bucket owner enforced", the default since 2023) or 403 AccessDenied
//   for a public ACL (Block Public Access, BlockPublicAcls),
// - refuses a request signed for another region than the bucket's as S3 does (400
//   AuthorizationHeaderMalformed naming the right region, and x-amz-bucket-region),
// - enforces If-Match / If-None-Match on PUT (412 PreconditionFailed),
// - answers GetBucketLocation with a configurable LocationConstraint,
// - answers ListObjectsV2 itself from s3rver's files, as AWS documents it (s3rver 3.7.1 pages
//   with a DES token Node >= 17 refuses, and stats every object of the bucket for every page;
//   with a delimiter it counts CommonPrefixes apart from max-keys and names one again on the
//   next page: AWS counts each as one key, and a page never repeats one),
//   and can refuse listing as a policy without s3:ListBucket does (403 AccessDenied, and then
//   403 AccessDenied rather than 404 NoSuchKey for a GET or HEAD of a missing key, as AWS does),
// - writes each object whole before it answers the PUT (s3rver 3.7.1 answers once the body has
//   gone into its write stream, before the file is written, so a GET right after could read it
//   empty or short), and replaces it atomically, as S3 does,
// - injects faults (status codes, delays), records every request and counts them by kind.
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface S3rverObject {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  content: Buffer | Readable;
}
/** The part of s3rver's FilesystemStore the testkit replaces. */
interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: S3rverStore;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no types; load it through require so no declaration file is needed.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverCtor;

export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3BucketOptions {
  /** What GetBucketLocation answers: '' (us-east-1, the default), 'EU', 'eu-west-1', ... */
  location?: string;
  /** Answer 400 AccessControlListNotSupported to requests carrying x-amz-acl. */
  rejectAcl?: boolean;
  /**
   * Block Public Access (BlockPublicAcls): answer 403 AccessDenied to requests carrying a
   * public canned ACL (public-read, public-read-write, authenticated-read).
   */
  blockPublicAcls?: boolean;
  /**
   * A policy without s3:ListBucket: answer 403 AccessDenied to listings, and, as AWS documents
   * for a caller without s3:ListBucket, to a GET or HEAD of a key that does not exist (instead
   * of 404 NoSuchKey).
   */
  denyList?: boolean;
}

/** What a request was, for counting: LIST (ListObjects/V2), GET, PUT, DELETE, HEAD, or OTHER. */
export type S3RequestKind = 'LIST' | 'GET' | 'PUT' | 'DELETE' | 'HEAD' | 'OTHER';

export interface S3Fault {
  /** Which requests: default all. */
  match?: (req: S3Request) => boolean;
  /** Answer with this status instead of forwarding (with `code` as the S3 error code). */
  status?: number;
  code?: string;
  /** Wait this long before answering (or forwarding). */
  delayMs?: number;
  /** Drop the connection without an answer. */
  destroy?: boolean;
  /** How many requests it applies to (default: every matching one). */
  times?: number;
  /**
   * With `status`: carry the request out first, then answer with the fault instead of its
   * success (a write that landed but whose answer was lost).
   */
  afterForward?: boolean;
}

export interface S3Request {
  method: string;
  /** Raw path as sent, e.g. `/bucket/db%20backup-beat.json`. */
  path: string;
  /** Decoded bucket and key (key '' for bucket-level requests). */
  bucket: string;
  key: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The region from the request's credential scope, if signed. */
  signingRegion?: string;
  /** Status the proxy answered (filled in when the answer is sent). */
  status?: number;
}

export interface S3TestServer {
  /** The proxy's URL, e.g. `http://127.0.0.1:41234`: use as `endpoint` (path-style). */
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the proxy saw, in order (unless started with `record: false`). */
  requests: S3Request[];
  /** Requests by kind since the start or the last `resetCounts`. */
  counts: Record<S3RequestKind, number>;
  resetCounts(): void;
  setBucketOptions(bucket: string, options: S3BucketOptions): void;
  /**
   * Fill a bucket fast: write the objects straight into s3rver's files, in the format s3rver
   * writes and reads (the body as `<key>._S3rver_object`, its md5 beside it, the content type and
   * cache control in `<key>._S3rver_metadata.json`), as a PUT without an ACL would leave them.
   * For setting up large benchmarks; not while requests on those keys are under way.
   */
  writeObjects(bucket: string, objects: Iterable<S3SeedObject>): Promise<number>;
  createBucket(bucket: string, options?: S3BucketOptions): Promise<void>;
  injectFault(fault: S3Fault): void;
  clearFaults(): void;
  /** GET an object straight from s3rver (no signature): status, headers and body. */
  rawGet(bucket: string, key: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  stop(): Promise<void>;
}

/** An object for `writeObjects`. */
export interface S3SeedObject {
  key: string;
  /** The bytes, or `{ zeros: n }`: n zero bytes as a sparse file (a huge object without the disk). */
  body: string | Uint8Array | { zeros: number };
  contentType?: string;
  cacheControl?: string;
}

export interface StartS3Options {
  /** Buckets to create: names, or names with options. Default: `['test']`. */
  buckets?: Array<string | ({ name: string } & S3BucketOptions)>;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Keep every request in `requests` (default true; benchmarks of 100,000 requests turn it off). */
  record?: boolean;
}

/** The canned ACLs Block Public Access counts as public. */
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): Buffer =>
  typeof d === 'string' ? Buffer.from(d, 'utf8') : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** SHA-256 and HMAC-SHA-256 for the signer, from node:crypto (a pure-JS hash made the proxy the bottleneck of every benchmark). */
class NodeSha256 {
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.#secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

function regionOf(location: string | undefined): string {
  if (location === undefined || location === '') return 'us-east-1';
  if (location === 'EU') return 'eu-west-1';
  return location;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorXml(code: string, message: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(
    message,
  )}</Message>${extra}<RequestId>svcmon-testkit</RequestId></Error>`;
}

function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (raw === '') return query;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const v = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1));
    query[k] = v;
  }
  return query;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  port: number,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders,
  body?: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kindOf(method: string, key: string, query: Record<string, string>): S3RequestKind {
  if (method === 'GET' && key === '' && !('location' in query)) return 'LIST';
  if (method === 'GET' || method === 'PUT' || method === 'DELETE' || method === 'HEAD') return key === '' && method !== 'HEAD' ? 'OTHER' : method;
  return 'OTHER';
}

/** s3rver's files for an object: `<key>._S3rver_object` (and `.md5` beside it), folders per "/". */
const OBJECT_SUFFIX = '._S3rver_object';

/** Every key of a bucket in s3rver's directory, in S3's order (UTF-8 bytes). */
async function bucketKeys(bucketDir: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (dir: string, base: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name), `${base}${e.name}/`);
      else if (e.name.endsWith(OBJECT_SUFFIX)) keys.push(base + e.name.slice(0, -OBJECT_SUFFIX.length));
    }
  };
  await walk(bucketDir, '');
  const bytes = new Map(keys.map((k) => [k, Buffer.from(k, 'utf8')]));
  return keys.sort((a, b) => Buffer.compare(bytes.get(a)!, bytes.get(b)!));
}

/** The first index of `keys` (sorted by UTF-8 bytes) whose key is after `after` (or equal to it, with `orEqual`). */
function firstAfter(keys: readonly string[], after: string, orEqual = false): number {
  const target = Buffer.from(after, 'utf8');
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = Buffer.compare(Buffer.from(keys[mid]!, 'utf8'), target);
    if (c < 0 || (c === 0 && !orEqual)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let partialNo = 0;
/**
 * s3rver's putObject, but the PUT is answered only once the object's file is written, and the
 * file is replaced by a rename (a GET that has it open reads the old object whole). Its metadata
 * is written after, as s3rver does; the proxy's per-key lock keeps a GET from seeing the two apart.
 */
function writeWholeObjects(store: S3rverStore): void {
  store.putObject = async function putObject(object) {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    // Not ending in the object suffix, so neither s3rver's listing nor the proxy's sees it.
    const partial = `${path}.partial-${process.pid}-${partialNo++}`;
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(source, count, createWriteStream(partial));
      await rename(partial, path);
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
    const hex = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, hex);
    return { size, md5: hex };
  };
}

/** Start s3rver + the checking proxy on 127.0.0.1 (free ports, temp directory). */
export async function startS3(options: StartS3Options = {}): Promise<S3TestServer> {
  const credentials = options.credentials ?? { ...S3_TEST_CREDENTIALS };
  const directory = await mkdtemp(join(tmpdir(), 'svcmon-s3rver-'));
  const bucketOptions = new Map<string, S3BucketOptions>();
  const initial = options.buckets ?? ['test'];
  for (const b of initial) {
    if (typeof b === 'string') bucketOptions.set(b, {});
    else {
      const { name, ...rest } = b;
      bucketOptions.set(name, rest);
    }
  }
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    allowMismatchedSignatures: true,
    configureBuckets: [...bucketOptions.keys()].map((name) => ({ name })),
  });
  writeWholeObjects(s3rver.store);
  const info = await s3rver.run();
  const s3port = info.port;

  const requests: S3Request[] = [];
  const keepRequests = options.record ?? true;
  const counts: Record<S3RequestKind, number> = { LIST: 0, GET: 0, PUT: 0, DELETE: 0, HEAD: 0, OTHER: 0 };
  const faults: S3Fault[] = [];
  /** Each bucket's sorted keys, read from s3rver's files once and dropped on any write to it. */
  const keyIndex = new Map<string, Promise<string[]>>();

  /**
   * ListObjectsV2 as AWS documents it (prefix, delimiter, start-after, continuation-token,
   * max-keys). With a delimiter, the keys with it after the prefix are rolled up into one
   * CommonPrefix each, which counts as one key against max-keys and in KeyCount; a page that
   * ends with one resumes after every key under it.
   */
  async function listV2(bucket: string, query: Record<string, string>): Promise<{ status: number; body: string }> {
    const maxKeys = query['max-keys'] === undefined ? 1000 : Number(query['max-keys']);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      return { status: 400, body: errorXml('InvalidArgument', 'Provided max-keys not an integer or within integer range', '<ArgumentName>max-keys</ArgumentName>') };
    }
    let index = keyIndex.get(bucket);
    if (index === undefined) {
      index = bucketKeys(join(directory, bucket));
      keyIndex.set(bucket, index);
    }
    const keys = await index;
    const prefix = query.prefix ?? '';
    const token = query['continuation-token'];
    let after = query['start-after'] ?? '';
    if (token !== undefined) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (token === '' || !decoded.startsWith('svcmon-testkit:')) {
        return { status: 400, body: errorXml('InvalidArgument', 'The continuation token provided is incorrect', '<ArgumentName>continuation-token</ArgumentName>') };
      }
      after = decoded.slice('svcmon-testkit:'.length);
    }
    const delimiter = query.delimiter === undefined || query.delimiter === '' ? undefined : query.delimiter;
    let i = after === '' ? 0 : firstAfter(keys, after);
    if (prefix !== '') i = Math.max(i, firstAfter(keys, prefix, true));
    const page: string[] = [];
    const folders: string[] = [];
    /** The last key the page covers (a folder covers every key under it): where the next page starts. */
    let last = after;
    while (i < keys.length && page.length + folders.length < Math.min(maxKeys, 1000)) {
      const k = keys[i]!;
      if (!k.startsWith(prefix)) break;
      const d = delimiter === undefined ? -1 : k.indexOf(delimiter, prefix.length);
      if (d === -1) {
        page.push(k);
        last = k;
        i++;
        continue;
      }
      const folder = k.slice(0, d + delimiter!.length);
      folders.push(folder);
      while (i < keys.length && keys[i]!.startsWith(folder)) last = keys[i++]!;
    }
    const truncated = i < keys.length && keys[i]!.startsWith(prefix);
    const contents = await Promise.all(
      page.map(async (k) => {
        const file = join(directory, bucket, ...k.split('/')) + OBJECT_SUFFIX;
        const [st, md5] = await Promise.all([stat(file), readFile(`${file}.md5`, 'utf8').catch(async () => createHash('md5').update(await readFile(file)).digest('hex'))]);
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${st.mtime.toISOString()}</LastModified><ETag>&quot;${md5}&quot;</ETag><Size>${st.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      }),
    );
    const next = truncated ? Buffer.from(`svcmon-testkit:${last}`, 'utf8').toString('base64url') : undefined;
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
      (query['start-after'] !== undefined ? `<StartAfter>${xmlEscape(query['start-after'])}</StartAfter>` : '') +
      (delimiter !== undefined ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : '') +
      `<KeyCount>${page.length + folders.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
      (next !== undefined ? `<NextContinuationToken>${next}</NextContinuationToken>` : '') +
      contents.join('') +
      folders.map((f) => `<CommonPrefixes><Prefix>${xmlEscape(f)}</Prefix></CommonPrefixes>`).join('') +
      `</ListBucketResult>`;
    return { status: 200, body };
  }
  const keyLocks = new Map<string, Promise<unknown>>();

  // Requests on one key are serialised so a conditional PUT's check and write are one step.
  async function withKeyLock<T>(k: string, fn: () => Promise<T>): Promise<T> {
    const prev = keyLocks.get(k) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    keyLocks.set(k, tail);
    try {
      return await run;
    } finally {
      if (keyLocks.get(k) === tail) keyLocks.delete(k);
    }
  }

  async function verifySignature(
    req: http.IncomingMessage,
    rawPath: string,
    query: Record<string, string>,
    region: string,
    alsoRegion?: string,
  ): Promise<
    { ok: true; region?: string } | { ok: false; status: number; code: string; message: string; extra?: string; region?: string }
  > {
    const auth = req.headers.authorization;
    if (auth === undefined) {
      return { ok: false, status: 403, code: 'AccessDenied', message: 'Anonymous requests are not allowed here' };
    }
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
    if (m === null) {
      return { ok: false, status: 400, code: 'AuthorizationHeaderMalformed', message: `Unsupported Authorization: ${auth}` };
    }
    const [, accessKeyId, , scopeRegion, service, signedHeaders, signature] = m as unknown as string[];
    if (accessKeyId !== credentials.accessKeyId) {
      return {
        ok: false,
        status: 403,
        code: 'InvalidAccessKeyId',
        message: 'The AWS Access Key Id you provided does not exist in our records.',
      };
    }
    // S3 checks the credential scope's region before the signature.
    if (scopeRegion !== region && scopeRegion !== alsoRegion) {
      return {
        ok: false,
        status: 400,
        code: 'AuthorizationHeaderMalformed',
        message: `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`,
        extra: `<Region>${xmlEscape(region)}</Region>`,
        region,
      };
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (dm === null) return { ok: false, status: 403, code: 'AccessDenied', message: 'missing or bad X-Amz-Date' };
    const signingDate = new Date(Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!));
    const headers: Record<string, string> = {};
    for (const h of signedHeaders!.split(';')) {
      const v = req.headers[h];
      if (v === undefined) continue;
      headers[h] = Array.isArray(v) ? v.join(',') : v;
    }
    const candidates = alsoRegion !== undefined && alsoRegion !== region ? [region, alsoRegion] : [region];
    for (const r of candidates) {
      const signer = new SignatureV4({
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
        region: r,
        service: service ?? 's3',
        sha256: NodeSha256,
        uriEscapePath: false,
        applyChecksum: true,
      });
      const signed = await signer.sign(
        {
          method: req.method ?? 'GET',
          protocol: 'http:',
          hostname: String(req.headers.host ?? '').replace(/:\d+$/, ''),
          path: rawPath,
          query,
          headers: { ...headers },
        },
        { signingDate, signableHeaders: new Set(signedHeaders!.split(';')) },
      );
      const got = String(signed.headers.authorization ?? signed.headers.Authorization ?? '');
      if (got.endsWith(`Signature=${signature}`)) return { ok: true, region: scopeRegion };
    }
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  }

  const proxy = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(errorXml('InternalError', String(e)));
      } else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi === -1 ? url : url.slice(0, qi);
    const query = parseQuery(qi === -1 ? '' : url.slice(qi + 1));
    const segs = rawPath.replace(/^\//, '');
    const slash = segs.indexOf('/');
    const bucket = decodeURIComponent(slash === -1 ? segs : segs.slice(0, slash));
    const key = slash === -1 ? '' : decodeURIComponent(segs.slice(slash + 1));
    const record: S3Request = { method: req.method ?? 'GET', path: rawPath, bucket, key, query, headers: req.headers };
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '');
    if (scope?.[1] !== undefined) record.signingRegion = scope[1];
    if (keepRequests) requests.push(record);
    counts[kindOf(record.method, key, query)]++;
    if (record.method !== 'GET' && record.method !== 'HEAD') {
      // A write: the listing index of the bucket is read again once it is done.
      res.on('finish', () => keyIndex.delete(bucket));
      keyIndex.delete(bucket);
    }
    const body = await readBody(req);

    let lostAnswer: S3Fault | undefined;
    const send = (status: number, headers: http.OutgoingHttpHeaders, payload: Buffer | string = '') => {
      if (lostAnswer !== undefined && status < 300) {
        status = lostAnswer.status!;
        headers = { 'content-type': 'application/xml' };
        payload = req.method === 'HEAD' ? '' : errorXml(lostAnswer.code ?? 'InternalError', `injected fault ${status}`);
      }
      record.status = status;
      res.writeHead(status, headers);
      res.end(payload);
    };
    const sendError = (status: number, code: string, message: string, extra = '', headers: http.OutgoingHttpHeaders = {}) =>
      send(status, { 'content-type': 'application/xml', ...headers }, req.method === 'HEAD' ? '' : errorXml(code, message, extra));

    for (let i = 0; i < faults.length; i++) {
      const f = faults[i]!;
      if (f.match !== undefined && !f.match(record)) continue;
      if (f.times !== undefined) {
        f.times -= 1;
        if (f.times <= 0) faults.splice(i--, 1);
      }
      if (f.delayMs !== undefined) await sleep(f.delayMs);
      if (f.destroy) {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      if (f.status !== undefined && f.afterForward) {
        lostAnswer = f;
        break;
      }
      if (f.status !== undefined) {
        sendError(f.status, f.code ?? 'InternalError', `injected fault ${f.status}`);
        return;
      }
      break;
    }

    const known = bucketOptions.get(bucket);
    const isLocation = key === '' && 'location' in query && req.method === 'GET';
    const region = regionOf(known?.location);
    // GetBucketLocation is answered from us-east-1 for any bucket, as on AWS.
    const check = await verifySignature(req, rawPath, query, region, isLocation ? 'us-east-1' : undefined);
    if (!check.ok) {
      sendError(check.status, check.code, check.message, check.extra, check.region ? { 'x-amz-bucket-region': check.region } : {});
      return;
    }
    if (known === undefined && bucket !== '') {
      sendError(404, 'NoSuchBucket', 'The specified bucket does not exist', `<BucketName>${xmlEscape(bucket)}</BucketName>`);
      return;
    }
    if (isLocation) {
      const loc = known?.location ?? '';
      send(
        200,
        { 'content-type': 'application/xml' },
        `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${xmlEscape(
          loc,
        )}</LocationConstraint>`,
      );
      return;
    }
    const acl = req.headers['x-amz-acl'];
    if (acl !== undefined && known?.rejectAcl) {
      sendError(400, 'AccessControlListNotSupported', 'The bucket does not allow ACLs');
      return;
    }
    if (known?.blockPublicAcls && typeof acl === 'string' && PUBLIC_ACLS.has(acl)) {
      sendError(403, 'AccessDenied', 'Access Denied');
      return;
    }

    if (kindOf(record.method, key, query) === 'LIST' && bucket !== '') {
      if (known?.denyList) {
        sendError(403, 'AccessDenied', 'Access Denied');
        return;
      }
      // ListObjectsV2 is answered here; the older ListObjects s3rver answers.
      if (query['list-type'] === '2') {
        const out = await listV2(bucket, query);
        send(out.status, { 'content-type': 'application/xml' }, out.body);
        return;
      }
    }

    const fwdHeaders: http.OutgoingHttpHeaders = {};
    for (const [h, v] of Object.entries(req.headers)) {
      if (h === 'authorization' || h === 'expect' || h === 'if-match' || h === 'if-none-match') continue;
      if (h === 'transfer-encoding') continue;
      fwdHeaders[h] = v;
    }
    if (body.length > 0 || req.method === 'PUT') fwdHeaders['content-length'] = String(body.length);

    const pass = async () => {
      const out = await forward(s3port, req.method ?? 'GET', url, fwdHeaders, body);
      if (known?.denyList && out.status === 404 && (req.method === 'GET' || req.method === 'HEAD')) {
        // Without s3:ListBucket, S3 will not say whether a key exists.
        sendError(403, 'AccessDenied', 'Access Denied');
        return;
      }
      const headers = { ...out.headers };
      delete headers['transfer-encoding'];
      delete headers.connection;
      send(out.status, headers, out.body);
    };

    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (req.method === 'PUT' && key !== '' && (ifMatch !== undefined || ifNoneMatch !== undefined)) {
      await withKeyLock(`${bucket}/${key}`, async () => {
        const head = await forward(s3port, 'HEAD', rawPath, {});
        const current = head.status === 200 ? String(head.headers.etag ?? '') : undefined;
        const failed =
          (ifNoneMatch !== undefined && current !== undefined) ||
          (ifMatch !== undefined && (current === undefined || current !== ifMatch));
        if (failed) {
          sendError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', '<Condition>If-Match</Condition>');
          return;
        }
        await pass();
      });
      return;
    }
    if (key !== '') {
      // Reads wait for writes too: s3rver writes objects in place, where S3
      // replaces them atomically, so an unserialised GET could see half a file.
      await withKeyLock(`${bucket}/${key}`, pass);
      return;
    }
    await pass();
  }

  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    credentials,
    requests,
    counts,
    resetCounts() {
      for (const k of Object.keys(counts) as S3RequestKind[]) counts[k] = 0;
    },
    setBucketOptions(bucket, opts) {
      bucketOptions.set(bucket, { ...bucketOptions.get(bucket), ...opts });
    },
    async writeObjects(bucket, objects) {
      if (!bucketOptions.has(bucket)) throw new Error(`no bucket ${bucket} in this test server`);
      const it = objects[Symbol.iterator]();
      const folders = new Set<string>();
      let written = 0;
      const one = async (o: S3SeedObject): Promise<void> => {
        const parts = o.key.split('/');
        const name = parts.pop()!;
        const folder = join(directory, bucket, ...parts);
        if (!folders.has(folder)) {
          await mkdir(folder, { recursive: true });
          folders.add(folder);
        }
        const meta: Record<string, string> = { 'content-type': o.contentType ?? 'binary/octet-stream' };
        if (o.cacheControl !== undefined) meta['cache-control'] = o.cacheControl;
        const file = join(folder, `${name}${OBJECT_SUFFIX}`);
        const md5 = createHash('md5');
        if (typeof o.body === 'object' && 'zeros' in o.body) {
          await writeFile(file, '');
          await truncate(file, o.body.zeros);
          const chunk = Buffer.alloc(1 << 20);
          for (let left = o.body.zeros; left > 0; left -= chunk.length) md5.update(left >= chunk.length ? chunk : chunk.subarray(0, left));
        } else {
          const body = typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : o.body;
          await writeFile(file, body);
          md5.update(body);
        }
        await writeFile(`${file}.md5`, md5.digest('hex'));
        await writeFile(join(folder, `${name}._S3rver_metadata.json`), JSON.stringify(meta, null, 2));
        written++;
      };
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          for (let r = it.next(); !r.done; r = it.next()) await one(r.value);
        }),
      );
      keyIndex.delete(bucket);
      return written;
    },
    async createBucket(bucket, opts = {}) {
      const out = await forward(s3port, 'PUT', `/${encodeURIComponent(bucket)}`, { 'content-length': '0' });
      if (out.status !== 200) throw new Error(`s3rver could not create bucket ${bucket}: ${out.status} ${out.body.toString()}`);
      bucketOptions.set(bucket, opts);
    },
    injectFault(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults.length = 0;
    },
    async rawGet(bucket, key) {
      const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
      return forward(s3port, 'GET', path, {});
    },
    async stop() {
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      });
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** md5 hex of a body in quotes, as S3 writes a single-part ETag. */
export function s3Etag(body: string | Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}
