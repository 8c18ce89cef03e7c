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
// - injects faults (status codes, delays) and records every request.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no types; load it through require so no declaration file is needed.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

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
}

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
  /** Every request the proxy saw, in order. */
  requests: S3Request[];
  setBucketOptions(bucket: string, options: S3BucketOptions): void;
  createBucket(bucket: string, options?: S3BucketOptions): Promise<void>;
  injectFault(fault: S3Fault): void;
  clearFaults(): void;
  /** GET an object straight from s3rver (no signature): status, headers and body. */
  rawGet(bucket: string, key: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  stop(): Promise<void>;
}

export interface StartS3Options {
  /** Buckets to create: names, or names with options. Default: `['test']`. */
  buckets?: Array<string | ({ name: string } & S3BucketOptions)>;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The canned ACLs Block Public Access counts as public. */
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

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
  const info = await s3rver.run();
  const s3port = info.port;

  const requests: S3Request[] = [];
  const faults: S3Fault[] = [];
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
        sha256: Sha256,
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
    requests.push(record);
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

    const fwdHeaders: http.OutgoingHttpHeaders = {};
    for (const [h, v] of Object.entries(req.headers)) {
      if (h === 'authorization' || h === 'expect' || h === 'if-match' || h === 'if-none-match') continue;
      if (h === 'transfer-encoding') continue;
      fwdHeaders[h] = v;
    }
    if (body.length > 0 || req.method === 'PUT') fwdHeaders['content-length'] = String(body.length);

    const pass = async () => {
      const out = await forward(s3port, req.method ?? 'GET', url, fwdHeaders, body);
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
    setBucketOptions(bucket, opts) {
      bucketOptions.set(bucket, { ...bucketOptions.get(bucket), ...opts });
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
