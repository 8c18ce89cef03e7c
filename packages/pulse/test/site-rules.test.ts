// The richer site checks against real loopback servers: HTTPS with
// certificates this test makes with openssl (one expiring in 3 days, one
// valid for a year), a slow site, a site without the expected text, statuses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirStore, writeConfig } from '@svcmon/store';
import { listen } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSites, takePulse, type SiteRequest } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'svcmon-certs-'));
let http: Server;
let base = '';
const https: Server[] = [];
let soon = ''; // certificate valid for 3 more days
let valid = ''; // valid for 365 days
let previousTls: string | undefined;

function makeCert(name: string, days: number): { key: Buffer; cert: Buffer } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(days),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

beforeAll(async () => {
  // The certificates are self-signed: the GET must accept them (the cert-days check reads them anyway).
  previousTls = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  http = createServer((req, res) => {
    if (req.url === '/welcome') res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome, friend</h1>');
    else if (req.url === '/other') res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Maintenance</h1>');
    else if (req.url === '/big') {
      // 3 MiB of filler, the text after the first MiB: not found, and not all read.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x'.repeat(3 * 1024 * 1024));
      res.end('Welcome');
    } else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 400);
    else if (req.url === '/slower') setTimeout(() => res.writeHead(200).end('later'), 1100);
    else if (req.url === '/nocontent') res.writeHead(204).end();
    else if (req.url === '/unavailable') res.writeHead(503).end('down');
    else if (req.url === '/moved') res.writeHead(301, { location: '/welcome' }).end();
    else res.writeHead(404).end();
  });
  base = await listen(http);
  for (const [days, set] of [
    [3, (u: string) => (soon = u)],
    [365, (u: string) => (valid = u)],
  ] as const) {
    const server = createHttpsServer(makeCert(`c${days}`, days), (_req, res) => res.writeHead(200).end('Welcome'));
    https.push(server);
    set(`${await listen(server)}/`);
  }
});

afterAll(async () => {
  if (previousTls === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = previousTls;
  await new Promise((r) => http.close(r));
  for (const s of https) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const reasons = async (sites: Array<Record<string, unknown> & { url: string }>) =>
  (await checkSites(sites)).map((v) => (v.ok ? 'ok' : v.reason));

describe('richer site checks', () => {
  it('cert-days: a certificate expiring in 3 days fails by default (14 days), a valid one passes', async () => {
    expect(await reasons([{ url: soon }, { url: valid }])).toEqual(['certificate expires in 3 days', 'ok']);
  });

  it('cert-days N sets the margin; 0 turns the check off', async () => {
    expect(await reasons([{ url: soon, 'cert-days': 2 }, { url: soon, 'cert-days': 0 }, { url: valid, 'cert-days': 400 }])).toEqual([
      'ok',
      'ok',
      expect.stringMatching(/^certificate expires in 365 days$/),
    ]);
  });

  it('cert-days through a request whose agent resumes TLS sessions (no certificate then): said, never passed unchecked', async () => {
    const agent = new HttpsAgent({ keepAlive: false }); // keeps sessions, as https.globalAgent does
    const request: SiteRequest = (url, options) => httpsRequest(url, { ...options, agent });
    const [first] = await checkSites([{ url: valid }], { request });
    const [again] = await checkSites([{ url: valid }], { request });
    expect(first).toMatchObject({ ok: true, status: 200 });
    expect(first!.certExpiry).toBeGreaterThan(0);
    expect(again).toMatchObject({ ok: false, status: 200 });
    expect(again!.reason).toMatch(/^no certificate to check for cert-days: the TLS session was resumed/);
    // The default request never resumes one: the certificate is read on every check.
    for (let i = 0; i < 2; i++) expect(await reasons([{ url: soon }])).toEqual(['certificate expires in 3 days']);
  });

  it('contains: the text must be in the (first MiB of the) body', async () => {
    expect(
      await reasons([
        { url: `${base}/welcome`, contains: 'Welcome' },
        { url: `${base}/other`, contains: 'Welcome' },
        { url: `${base}/big`, contains: 'Welcome' },
        { url: `${base}/moved`, contains: 'Welcome' },
      ]),
    ).toEqual(['ok', 'no "Welcome" in body', 'no "Welcome" in body', 'ok']);
  });

  it('max-ms: a slow answer fails with both times', async () => {
    const [slow, fast] = await checkSites([
      { url: `${base}/slow`, 'max-ms': 100 },
      { url: `${base}/welcome`, 'max-ms': 5000 },
    ]);
    expect(slow!.ok).toBe(false);
    expect(slow!.reason).toMatch(/^\d{3} ms > 100 ms$/);
    expect(fast!.ok).toBe(true);
    const [slower] = await checkSites([{ url: `${base}/slow`, 'max-ms': 1 }]);
    expect(slower!.reason).toMatch(/^\d{3} ms > 1 ms$/);
    const [big] = await checkSites([{ url: `${base}/slow`, 'max-ms': 1000 }]);
    expect(big!.ok).toBe(true);
    const [thousands] = await checkSites([{ url: `${base}/slower`, 'max-ms': 1000 }]);
    expect(thousands!.reason).toMatch(/^1,\d{3} ms > 1,000 ms$/);
  });

  it('status: the listed statuses count as up, others fail with HTTP n; a listed 3xx is not followed', async () => {
    expect(
      await reasons([
        { url: `${base}/nocontent`, status: [200] },
        { url: `${base}/nocontent`, status: [200, 204] },
        { url: `${base}/unavailable`, status: [200, 503] },
        { url: `${base}/welcome`, status: [204] },
        { url: `${base}/moved`, status: [301] },
      ]),
    ).toEqual(['HTTP 204', 'ok', 'ok', 'HTTP 200', 'ok']);
  });

  it('the report says why, with thousands separators for the times', async () => {
    const store = dirStore(mkdtempSync(join(dir, 'bucket-')));
    await writeConfig(store, {
      sites: [
        { url: soon },
        { url: `${base}/other`, contains: 'Welcome' },
        { url: `${base}/unavailable` },
        { url: `${base}/slow`, 'max-ms': 1 },
      ],
    }, {});
    const r = await takePulse(store, { emailMode: 'none' });
    const lines = r.report.split('\n').slice(3, 7);
    expect(lines.slice(0, 3)).toEqual([
      `${soon}: FAILED (certificate expires in 3 days)`,
      `${base}/other: FAILED (no "Welcome" in body)`,
      `${base}/unavailable: FAILED (HTTP 503)`,
    ]);
    expect(lines[3]).toMatch(new RegExp(`^${base}/slow: FAILED \\(\\d{3} ms > 1 ms\\)$`));
  });
});
