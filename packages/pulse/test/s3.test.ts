import { openStore, writeHeartbeat, type Store, type StoreOptions } from '@svcmon/store';
import { startS3, startSites, startSmtp, type S3TestServer, type Sites, type TestSmtp } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLines, pulseExitCode, siteRequest, takePulse } from '../src/index.js';
import { fixture } from './_fixtures.js';

// The same pulse against a real S3-protocol server (s3rver behind a SigV4-checking proxy).
let s3: S3TestServer;
let sites: Sites;
let smtp: TestSmtp;
beforeAll(async () => {
  [s3, sites, smtp] = await Promise.all([startS3({ buckets: ['golden', 'empty', 'denied', { name: 'alerts', rejectAcl: true }] }), startSites(), startSmtp()]);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), sites?.close(), smtp?.close()]);
});

const opts = () => ({ endpoint: s3.endpoint, credentials: s3.credentials, onWarning: () => {} });
/** The store a pulse is given (store options go to openStore, never to takePulse). */
const at = (where: string, extra: StoreOptions = {}): Store => openStore(where, { ...opts(), ...extra });

describe('takePulse on S3', () => {
  it('reads config and heartbeats from the bucket, checks sites, mails, --beat order is left to the caller', async () => {
    const store: Store = openStore('golden', opts());
    const config =
      `#hash((emails . (#hash((to . "ops@example.com")))) (sites . (#hash((url . "${sites.ok}")) #hash((url . "${sites.serverError}")) #hash((timeout . 1) (url . "${sites.hang}"))))` +
      ` (tasks . (#hash((name . "backup")) #hash((name . "db backup")) #hash((name . "gone")) #hash((name . "monitor")))))\n`;
    await store.put('config.rktd', config, { contentType: 'application/data' });
    const now = new Date('2026-11-24T02:51:36Z');
    await writeHeartbeat(store, 'backup', { now });
    await writeHeartbeat(store, 'db backup', { now: new Date(now.getTime() - 90_000) });
    const lines: string[] = [];
    const started = Date.now();
    const result = await takePulse(at('golden'), {
      bucket: 'golden',
      now: () => now,
      selfName: 'monitor',
      emailConfig: { server: '127.0.0.1', port: smtp.port },
      onEvent: (e) => lines.push(...eventLines(e)),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.error).toBeUndefined();
    expect(result.bucket).toBe('golden');
    expect(result.sites.map((s) => [s.ok, s.reason ?? null])).toEqual([
      [true, null],
      [false, 'HTTP 500'],
      [false, 'timed out after 1 s'],
    ]);
    expect(result.tasks.map((t) => [t.name, t.state])).toEqual([
      ['backup', 'ok'],
      ['db backup', 'ok'],
      ['gone', 'missing'],
      ['monitor', 'ok'],
    ]);
    expect(lines.join('\n')).toContain(
      [
        '',
        'CHECK FAILED for some site or task',
        '',
        `${sites.ok}: ok`,
        `${sites.serverError}: FAILED (HTTP 500)`,
        `${sites.hang}: FAILED (timed out after 1 s)`,
        'backup: ok',
        '  last reported Tuesday, November 24th, 2026 2:51:36am (0 seconds ago)',
        'db backup: ok',
        '  last reported Tuesday, November 24th, 2026 2:50:06am (1 minute ago)',
        'gone: ERROR',
        '  no heartbeat recorded (gone-beat.json not found)',
        'monitor: ok',
        '  last reported Tuesday, November 24th, 2026 2:51:36am (0 seconds ago)',
        '',
        'Sending email:',
        '  ops@example.com',
      ].join('\n'),
    );
    const [m] = await smtp.waitFor(1);
    expect(m!.parsed.subject).toBe('[take-pulse] FAILED health check at golden');
    expect(pulseExitCode(result)).toBe(1);
    // The pulse writes only its own objects: its state and the shared ledger (private), its own
    // status, pulse.json and the badge (public-read).
    const writes = s3.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.key !== 'config.rktd' && !r.key.endsWith('-beat.json'));
    expect(writes.map((r) => `${r.method} ${r.key} ${r.headers['x-amz-acl'] ?? 'private'}`).sort()).toEqual([
      'PUT pulse-badge.svg public-read',
      'PUT pulse.json public-read',
      'PUT pulse/monitor.status.json public-read',
      'PUT svcmon-pulse-ledger.json private',
      'PUT svcmon-pulse-state/monitor.json private',
      'PUT svcmon-pulse-state/reads/monitor.json private',
    ]);
  });

  it('the fixture config on S3: healthy, the original report', async () => {
    const store = openStore('s3://golden/fixture', opts());
    await store.put('config.rktd', fixture('config.rktd'), { contentType: 'application/data' });
    const now = new Date(1795488696_000);
    for (const m of fixture('config.rktd').matchAll(/\(name \. "([^"]+)"\)/g)) {
      await writeHeartbeat(store, m[1]!, { now: m[1] === 'nightly-build' ? new Date(1795488695_000) : now });
    }
    const lines: string[] = [];
    const result = await takePulse(at('s3://golden/fixture'), {
      emailMode: 'none',
      now: () => new Date(1795488698_000),
      siteRequest: (url, options) => siteRequest(new URL(url.href.replace('http://127.0.0.1:9/', sites.ok)), options),
      onEvent: (e) => lines.push(...eventLines(e)),
    });
    expect(result.ok).toBe(true);
    const want = fixture('pulse-healthy.stdout.txt').replace(/\(\d+ seconds ago\)/g, '(N seconds ago)');
    expect(lines.map((l) => `${l}\n`).join('').replace(/\(\d+ seconds ago\)/g, '(N seconds ago)')).toBe(want);
  });

  it('no config.rktd in the bucket: E_CONFIG_UNREADABLE, exit 2', async () => {
    const result = await takePulse(at('empty'));
    expect(result.errorCode).toBe('E_CONFIG_UNREADABLE');
    expect(result.error).toBe('no config.rktd in s3://empty/');
    expect(pulseExitCode(result)).toBe(2);
  });

  it('the store unreachable: E_STORE in one line, exit 3', async () => {
    const result = await takePulse(at('golden', { endpoint: sites.refused.replace(/\/$/, ''), maxAttempts: 1 }));
    expect(result.errorCode).toBe('E_STORE');
    expect(result.error).toMatch(/cannot reach S3/);
    expect(result.error).not.toContain('\n');
    expect(pulseExitCode(result)).toBe(3);
  });

  it('config readable but no heartbeat readable: E_STORE, the report still lists each task', async () => {
    const store = openStore('s3://golden/beats-down', opts());
    await store.put('config.rktd', '#hash((tasks . (#hash((name . "a")) #hash((name . "b")) #hash((name . "me")))))\n', {
      contentType: 'application/data',
    });
    // The heartbeats are there (the listing names them), but every read of one is refused.
    for (const name of ['a', 'b']) await writeHeartbeat(store, name);
    s3.injectFault({ match: (r) => r.key.startsWith('beats-down/') && r.key.endsWith('-beat.json'), status: 403, code: 'AccessDenied' });
    try {
      const result = await takePulse(at('s3://golden/beats-down', { maxAttempts: 1 }), { emailMode: 'none', selfName: 'me' });
      expect(result.tasks.map((t) => t.state)).toEqual(['error', 'error', 'ok']);
      expect(result.errorCode).toBe('E_STORE');
      expect(result.error).toMatch(/^no heartbeat could be read \(2 tried\): cannot read heartbeat: /);
      expect(result.report).toContain('a: ERROR\n  cannot read heartbeat: ');
      expect(pulseExitCode(result)).toBe(3);
    } finally {
      s3.clearFaults();
    }
  });

  it('access denied (wrong secret): E_STORE', async () => {
    const result = await takePulse(at('golden', { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' }, maxAttempts: 1 }));
    expect(result.errorCode).toBe('E_STORE');
    expect(result.error).not.toContain('wrong');
    expect(pulseExitCode(result)).toBe(3);
  });
});

describe('alert state on S3', () => {
  it('change mode on s3rver: conditional writes (If-None-Match, then If-Match), two monitors apart, one ledger, no-ACL bucket', async () => {
    const store: Store = openStore('alerts', opts());
    await store.put('config.rktd', `#hash((sites . (#hash((url . "${sites.serverError}")))))\n`, { contentType: 'application/data' });
    const pulse = (selfName: string) => takePulse(store, { emailMode: 'change', selfName });
    const [a1, b1, a2] = [await pulse('a'), await pulse('b'), await pulse('a')];
    // One message: monitor b finds the change told already (the ledger).
    expect([a1, b1, a2].map((r) => r.notification?.kind ?? null)).toEqual(['change', null, null]);
    const ledgerPuts = s3.requests.filter((r) => r.method === 'PUT' && r.bucket === 'alerts' && r.key === 'svcmon-pulse-ledger.json');
    expect(ledgerPuts.map((r) => [r.headers['if-none-match'] ?? null, typeof r.headers['if-match'], r.headers['x-amz-acl'] ?? null])).toEqual([
      ['*', 'undefined', null],
      ...Array.from({ length: ledgerPuts.length - 1 }, () => [null, 'string', null]),
    ]);
    expect([a1, b1, a2].map((r) => r.state?.written)).toEqual([true, true, true]);
    const puts = s3.requests.filter((r) => r.method === 'PUT' && r.bucket === 'alerts' && r.key.startsWith('svcmon-pulse-state/'));
    expect(puts.map((r) => [r.key, r.headers['if-none-match'] ?? null, typeof r.headers['if-match']])).toEqual([
      ['svcmon-pulse-state/a.json', '*', 'undefined'],
      ['svcmon-pulse-state/b.json', '*', 'undefined'],
      ['svcmon-pulse-state/a.json', null, 'string'],
    ]);
    // The monitor's status, pulse.json and the badge ask for public-read and fall back to no ACL on
    // a bucket that refuses ACLs; the state and the ledger never ask.
    expect([a1, b1, a2].map((r) => r.published)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const pub = s3.requests.filter((r) => r.method === 'PUT' && r.bucket === 'alerts' && r.key === 'pulse.json');
    expect(pub.some((r) => r.headers['x-amz-acl'] === undefined && r.status === 200)).toBe(true);
    // They go up together: they share the first refusal, one refused ACL request in all.
    const askedAcl = s3.requests.filter((r) => r.method === 'PUT' && r.bucket === 'alerts' && r.headers['x-amz-acl'] !== undefined);
    expect(askedAcl).toHaveLength(1);
    expect(askedAcl.map((r) => r.status)).toEqual([400]);
    expect(['pulse/a.status.json', 'pulse.json', 'pulse-badge.svg']).toContain(askedAcl[0]!.key);
    expect(puts.every((r) => r.headers['x-amz-acl'] === undefined)).toBe(true);
    expect(JSON.parse((await store.get('pulse.json'))!.body.toString())).toMatchObject({ monitor: 'a', ok: false });
  });
});
