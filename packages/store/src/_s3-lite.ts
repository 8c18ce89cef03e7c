// A minimal S3 client for the requests a store makes (GET, PUT, DELETE
// object; ListObjectsV2; GetBucketLocation), signed with SigV4 using node:crypto. It exists
// so that a heartbeat does not pay for loading the AWS SDK (~3× a bare Node
// start): it is used when static credentials are at hand (options or the
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment, which is also the
// first thing the SDK's credential chain looks at); everything else
// (profiles, SSO, instance roles) goes through the SDK. It makes one try per
// call: retries, the overall deadline and region redirects are the S3 store's
// (one policy whichever client carries the bytes). Its failures look like the
// SDK's (`name` = the S3 error code, `$metadata.httpStatusCode`,
// `$response.headers`, `Region` from the body) so both are read the same way.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { httpModule, httpsModule } from './_builtins.js';

export interface LiteCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface LiteOptions {
  region: string;
  credentials: LiteCredentials;
  endpoint?: string;
  forcePathStyle?: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface LiteResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface LiteRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  bucket: string;
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string | undefined>;
  body?: Uint8Array;
  /** Fail with `tooLarge()` instead of reading a successful answer longer than this. */
  maxBytes?: number;
  tooLarge?: (size?: number) => Error;
}

type Aws4 = typeof import('aws4');
let aws4Module: Promise<Aws4> | undefined;
/** aws4 is tiny and has no dependencies; loaded on first use like the rest of the S3 path. */
function loadAws4(): Promise<Aws4> {
  aws4Module ??= import('aws4').then((m) => ((m as { default?: Aws4 }).default ?? m) as Aws4);
  return aws4Module;
}

/** RFC 3986 encoding, as SigV4 wants it. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function s3Error(status: number, body: Buffer, headers: http.IncomingHttpHeaders): Error {
  const text = body.toString('utf8');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? 'NotFound' : `Http${status}`);
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
  const region = /<Region>([^<]+)<\/Region>/.exec(text)?.[1];
  return Object.assign(new Error(message), {
    name: code,
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers },
    ...(region === undefined ? {} : { Region: region }),
  });
}

export class LiteS3 {
  readonly #o: LiteOptions;
  /** Keep-alive agents per protocol: a pulse of thousands of reads reuses a few sockets. */
  #agents = new Map<string, http.Agent>();
  constructor(options: LiteOptions) {
    this.#o = options;
  }

  #agent(protocol: string, lib: typeof http): http.Agent {
    let agent = this.#agents.get(protocol);
    if (agent === undefined) {
      // Idle sockets are unref'd by Node, so they never keep a finished process alive.
      agent = new lib.Agent({ keepAlive: true, maxSockets: 64, timeout: this.#o.timeoutMs });
      this.#agents.set(protocol, agent);
    }
    return agent;
  }

  #url(bucket: string, key: string): URL {
    const path = key === '' ? '' : key.split('/').map(encode).join('/');
    const o = this.#o;
    if (o.endpoint !== undefined) {
      const base = new URL(o.endpoint);
      const prefix = base.pathname.replace(/\/+$/, '');
      if (o.forcePathStyle !== false) {
        base.pathname = `${prefix}/${encode(bucket)}/${path}`;
      } else {
        base.hostname = `${bucket}.${base.hostname}`;
        base.pathname = `${prefix}/${path}`;
      }
      return base;
    }
    const host = o.region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${o.region}.amazonaws.com`;
    // Bucket names with dots break the TLS wildcard: use path style for them.
    if (o.forcePathStyle === true || bucket.includes('.')) {
      return new URL(`https://${host}/${encode(bucket)}/${path}`);
    }
    return new URL(`https://${bucket}.${host}/${path}`);
  }

  /** Signs in place with aws4 (SigV4); returns the query string to send. */
  async #sign(method: string, url: URL, query: Record<string, string>, headers: Record<string, string>, body: Uint8Array) {
    const { credentials, region } = this.#o;
    const canonicalQuery = Object.keys(query)
      .sort()
      .map((k) => `${encode(k)}=${encode(query[k] ?? '')}`)
      .join('&');
    headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
    const aws4 = await loadAws4();
    const signed = aws4.sign(
      {
        service: 's3',
        region,
        method,
        host: url.host,
        path: url.pathname + (canonicalQuery === '' ? '' : `?${canonicalQuery}`),
        headers,
        body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      },
      credentials,
    );
    // aws4 signs a copy of the headers: take back what it added (Authorization, X-Amz-Date, Host, …).
    for (const [h, v] of Object.entries(signed.headers ?? {})) headers[h.toLowerCase()] = String(v);
    return canonicalQuery;
  }

  /** One try of one request (the S3 store retries). */
  async send(req: LiteRequest, signal: AbortSignal): Promise<LiteResponse> {
    const url = this.#url(req.bucket, req.key);
    const body = req.body ?? new Uint8Array();
    const headers: Record<string, string> = {};
    for (const [h, v] of Object.entries(req.headers ?? {})) if (v !== undefined) headers[h.toLowerCase()] = v;
    const query = { ...req.query };
    const qs = await this.#sign(req.method, url, query, headers, body);
    if (req.method === 'PUT') headers['content-length'] = String(body.length);
    const lib = url.protocol === 'http:' ? await httpModule() : await httpsModule();
    return new Promise((resolve, reject) => {
      const r = lib.request(
        {
          method: req.method,
          hostname: url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: url.pathname + (qs === '' ? '' : `?${qs}`),
          headers,
          signal,
          agent: this.#agent(url.protocol, lib as typeof http),
        },
        (res) => {
          const chunks: Buffer[] = [];
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          const limit = ok ? req.maxBytes : undefined;
          const tooLarge = (size?: number) => {
            reject(req.tooLarge?.(size) ?? new Error('too large'));
            r.destroy();
          };
          const length = Number(res.headers['content-length']);
          if (limit !== undefined && Number.isFinite(length) && length > limit) return tooLarge(length);
          let received = 0;
          res.on('data', (c: Buffer) => {
            received += c.length;
            if (limit !== undefined && received > limit) return tooLarge();
            chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const out = { status, headers: res.headers, body: Buffer.concat(chunks) };
            if (status >= 200 && status < 300) resolve(out);
            else reject(s3Error(status, out.body, res.headers));
          });
        },
      );
      const connectTimer = setTimeout(() => {
        r.destroy(Object.assign(new Error(`could not connect within ${this.#o.connectTimeoutMs} ms`), { name: 'TimeoutError' }));
      }, this.#o.connectTimeoutMs);
      r.on('socket', (socket) => {
        // A socket reused from the agent is connected already.
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once(url.protocol === 'http:' ? 'connect' : 'secureConnect', () => clearTimeout(connectTimer));
      });
      r.setTimeout(this.#o.timeoutMs, () => {
        r.destroy(Object.assign(new Error(`no answer within ${this.#o.timeoutMs} ms`), { name: 'TimeoutError' }));
      });
      r.on('error', (e) => {
        clearTimeout(connectTimer);
        reject(e);
      });
      r.on('close', () => clearTimeout(connectTimer));
      r.end(body);
    });
  }

}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (all, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (XML_ENTITIES[e] ?? all),
  );
}
/** One pattern per element, made once (a listing page asks for four elements of 1,000 objects). */
const TAGS = new Map<string, RegExp>();
const tag = (xml: string, name: string): string | undefined => {
  let re = TAGS.get(name);
  if (re === undefined) TAGS.set(name, (re = new RegExp(`<${name}>([^<]*)</${name}>`)));
  const m = re.exec(xml);
  return m?.[1] === undefined ? undefined : xmlText(m[1]);
};

/** One page of a ListObjectsV2 answer: its objects and folders (CommonPrefixes; full keys) and the token of the next page. */
export function parseListPage(body: Buffer): {
  objects: Array<{ key: string; etag: string; size: number; lastModified: Date }>;
  folders: string[];
  next?: string;
} {
  const xml = body.toString('utf8');
  const objects = [];
  for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const c = m[1] ?? '';
    objects.push({
      key: tag(c, 'Key') ?? '',
      etag: tag(c, 'ETag') ?? '',
      size: Number(tag(c, 'Size') ?? 0),
      lastModified: new Date(tag(c, 'LastModified') ?? 0),
    });
  }
  const folders = [];
  for (const m of xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)) folders.push(tag(m[1] ?? '', 'Prefix') ?? '');
  const next = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined;
  return next === undefined ? { objects, folders } : { objects, folders, next };
}

/** GetBucketLocation's raw LocationConstraint ('' for us-east-1). */
export function parseLocationConstraint(body: Buffer): string {
  return /<LocationConstraint[^>]*>([^<]*)<\/LocationConstraint>/.exec(body.toString('utf8'))?.[1] ?? '';
}
