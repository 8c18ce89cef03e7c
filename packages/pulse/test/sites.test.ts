import { startSites, type Sites } from '@svcmon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSites, siteLine } from '../src/index.js';

let sites: Sites;
beforeAll(async () => {
  sites = await startSites();
});
afterAll(async () => {
  await sites.close();
});

describe('checkSites', () => {
  it('gives each kind of site its verdict, in order', async () => {
    const list = [
      { url: sites.ok },
      { url: sites.redirect },
      { url: sites.redirectDead },
      { url: sites.notFound },
      { url: sites.serverError },
      { url: sites.refused },
      { url: sites.hang, timeout: 1 },
      { url: sites.okEndless },
      { url: sites.redirectLoop },
      { url: 'ftp://127.0.0.1/' },
      { url: 'not a url' },
    ];
    const v = await checkSites(list, { config: { timeout: 5 } });
    expect(v.map((s) => s.url)).toEqual(list.map((s) => s.url));
    expect(v.map((s) => [s.ok, s.reason ?? null])).toEqual([
      [true, null],
      [true, null],
      [false, expect.stringMatching(/^connection refused at http:\/\/127\.0\.0\.1:\d+\/$/)],
      [false, 'HTTP 404'],
      [false, 'HTTP 500'],
      [false, 'connection refused'],
      [false, 'timed out after 1 s'],
      [true, null],
      [false, 'more than 5 redirects'],
      [false, 'config.rktd: url must be an http:// or https:// URL with a host, no user:password@ (site URLs are published) and no control or invisible characters, got "ftp://127.0.0.1/"'],
      [false, 'config.rktd: url must be an http:// or https:// URL with a host, no user:password@ (site URLs are published) and no control or invisible characters, got "not a url"'],
    ]);
    expect(v[0]).toMatchObject({ status: 200, redirects: 0, timeout: 5 });
    expect(v[1]).toMatchObject({ status: 200, redirects: 1, finalUrl: sites.ok });
    expect(v[3]).toMatchObject({ status: 404 });
    expect(v[6]).toMatchObject({ timeout: 1 });
    expect(v[8]).toMatchObject({ redirects: 5 });
    expect(siteLine(v[4]!)).toBe(`${sites.serverError}: FAILED (HTTP 500)`);
    expect(siteLine(v[0]!)).toBe(`${sites.ok}: ok`);
    // The timed-out check waited about its own timeout, not the config's.
    expect(v[6]!.ms).toBeGreaterThanOrEqual(900);
    expect(v[6]!.ms).toBeLessThan(4000);
  });

  it('uses the top-level timeout, then the default', async () => {
    const [a] = await checkSites([{ url: sites.hang }], { config: { timeout: 1 } });
    expect(a!.reason).toBe('timed out after 1 s');
    const [b] = await checkSites([{ url: sites.ok }]);
    expect(b!.timeout).toBe(30);
  });
});
