// Web sites misbehaving, end to end: the built CLI's pulse on a directory
// store whose config lists one bad site each (timeout 2 s). For every
// scenario: exit 1, the site FAILED with a reason in the report (and in
// --json), the pulse ending by itself (the time it took is recorded, never asserted), and
// config.rktd byte-for-byte unchanged.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultySites, startSites, type FaultySites, type Sites } from '@svcmon/testkit';
import { hasStack, record, svcmon, tempDir } from './_helpers.js';

const FILE = 'faults-sites';
const GROUP = 'Faults: web sites';

let faulty: FaultySites;
let sites: Sites;

beforeAll(async () => {
  [faulty, sites] = await Promise.all([startFaultySites(), startSites()]);
});
afterAll(async () => {
  await Promise.all([faulty?.close(), sites?.close()]);
});

interface SiteJson {
  url: string;
  ok: boolean;
  reason?: string;
  status?: number;
  ms: number;
}

/** A directory store with one site (timeout 2 s) plus a healthy one; runs the pulse twice (text and --json). */
async function pulseOn(url: string, timeout = 2) {
  const dir = await tempDir();
  const config = `#hash((sites . (#hash((url . ${JSON.stringify(url)}) (timeout . ${timeout})) #hash((url . ${JSON.stringify(sites.ok)})))))\n`;
  await writeFile(join(dir, 'config.rktd'), config);
  const text = await svcmon(['pulse', dir, '--no-email']);
  const json = await svcmon(['pulse', dir, '--no-email', '--json']);
  const after = await readFile(join(dir, 'config.rktd'), 'utf8');
  expect(after).toBe(config);
  expect(hasStack(text.stderr + json.stderr)).toBe(false);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; sites: SiteJson[] };
  const site = parsed.sites.find((s) => s.url === url);
  const good = parsed.sites.find((s) => s.url === sites.ok);
  expect(site).toBeDefined();
  expect(good?.ok).toBe(true);
  return { text, json, site: site!, dir };
}

describe('a bad site is FAILED with a reason; the pulse stays bounded; the healthy site is still checked', () => {
  it('DNS failure (.invalid host)', async () => {
    const url = 'http://svcmon-reliability.invalid/';
    const { text, json, site } = await pulseOn(url);
    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    expect(text.stdout).toContain(`${url}: FAILED`);
    expect(site.ok).toBe(false);
    expect(site.reason).toMatch(/host not found|ENOTFOUND|EAI_AGAIN|DNS/i);
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'DNS failure (`http://svcmon-reliability.invalid/`)',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `FAILED: ${site.reason}`,
      lost: 'nothing',
      bound: 'the pulse ends by itself',
    });
  });

  it('status line and headers trickled one byte per second → timed out after the site timeout', async () => {
    const { text, site } = await pulseOn(faulty.trickleHeaders, 2);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${faulty.trickleHeaders}: FAILED`);
    // The site's own timeout ended the check (the reason says so), not the body or the hang guard.
    expect(site.reason).toMatch(/timed out after 2 s/);
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'site trickles its status line one byte per second (timeout 2 s)',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `FAILED: ${site.reason} (check took ${site.ms} ms)`,
      lost: 'nothing',
      bound: 'ended by the 2 s site timeout',
    });
  });

  it('headers at once, body trickled forever → up, without waiting for the body', async () => {
    const { text, site } = await pulseOn(faulty.trickleBody, 2);
    expect(text.code).toBe(0);
    // Up within its 2 s timeout although the body never ends: had the check waited for the body,
    // the timeout would have failed it.
    expect(site).toMatchObject({ ok: true, status: 200 });
    expect(site.reason).toBeUndefined();
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'site sends headers, then trickles the body one byte per second',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `ok (status ${site.status}; body not awaited, check took ${site.ms} ms)`,
      lost: 'nothing',
      bound: 'up within the 2 s timeout, body not awaited',
    });
  });

  it('endless body at full speed → the pulse does not read it (bounded bytes and time)', async () => {
    const before = faulty.floodBytes();
    const { text, site } = await pulseOn(faulty.flood, 2);
    // Give the server a moment to notice the closed sockets.
    await new Promise((r) => setTimeout(r, 200));
    const sent = faulty.floodBytes() - before;
    expect(text.code).toBe(0);
    expect(site.ok).toBe(true);
    // Two pulses (text, --json): each may have a few socket buffers in flight, never the stream.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'site sends an endless body as fast as it can',
      how: 'CLI pulse (×2)',
      ms: text.ms,
      exitCode: text.code,
      reported: `ok (status ${site.status}); the server got rid of ${(sent / 1024 / 1024).toFixed(1)} MiB over two pulses before the socket closed`,
      lost: 'nothing',
      bound: '< 64 MiB written, the pulse ends by itself',
    });
  });

  it('headers sent, then silence (testkit okEndless) → up, body not awaited', async () => {
    const { text, site } = await pulseOn(sites.okEndless, 2);
    expect(text.code).toBe(0);
    // Up within its 2 s timeout although the body never ends: had the check waited for the body,
    // the timeout would have failed it.
    expect(site).toMatchObject({ ok: true, status: 200 });
    expect(site.reason).toBeUndefined();
    record(FILE, {
      group: GROUP,
      scenario: 'site sends headers, then nothing, never ending the body',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `ok (status ${site.status}; check took ${site.ms} ms)`,
      lost: 'nothing',
      bound: 'up within the 2 s timeout, body not awaited',
    });
  });

  it('accepts the connection, never answers → timed out after the site timeout', async () => {
    const { text, site } = await pulseOn(sites.hang, 2);
    expect(text.code).toBe(1);
    expect(site.reason).toMatch(/timed out after 2 s/);
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'site accepts the connection and never answers (timeout 2 s)',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `FAILED: ${site.reason}`,
      lost: 'nothing',
      bound: 'the pulse ends by itself',
    });
  });

  it('invalid TLS (self-signed certificate) → FAILED with a TLS reason', async () => {
    const { text, site } = await pulseOn(faulty.selfSigned, 5);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${faulty.selfSigned}: FAILED`);
    expect(site.reason).toMatch(/TLS|certificate|self[- ]signed/i);
    expect(text.killed).toBe(false);
    record(FILE, {
      group: GROUP,
      scenario: 'HTTPS site with a self-signed certificate',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `FAILED: ${site.reason}`,
      lost: 'nothing',
      bound: 'the pulse ends by itself',
    });
  });

  it('connection refused → FAILED with the reason', async () => {
    const { text, site } = await pulseOn(sites.refused, 2);
    expect(text.code).toBe(1);
    expect(site.reason).toMatch(/refused/);
    record(FILE, {
      group: GROUP,
      scenario: 'site port closed (connection refused)',
      how: 'CLI pulse',
      ms: text.ms,
      exitCode: text.code,
      reported: `FAILED: ${site.reason}`,
      lost: 'nothing',
      bound: 'the pulse ends by itself',
    });
  });

  it('many hanging sites cost about one timeout, not one each', async () => {
    const dir = await tempDir();
    const hanging = Array.from({ length: 40 }, (_, i) => `#hash((url . ${JSON.stringify(`${faulty.trickleHeaders}?${i}`)}) (timeout . 2))`);
    const config = `#hash((sites . (${hanging.join(' ')})))\n`;
    await writeFile(join(dir, 'config.rktd'), config);
    const r = await svcmon(['pulse', dir, '--no-email']);
    expect(r.code).toBe(1);
    expect(r.killed).toBe(false);
    expect(r.stdout.match(/: FAILED \(timed out after 2 s/g)?.length).toBe(40);
    // Checked side by side, not one after another: the server saw (at least 32 of) them open together.
    expect(faulty.trickleMaxOpen()).toBeGreaterThanOrEqual(32);
    expect(await readFile(join(dir, 'config.rktd'), 'utf8')).toBe(config);
    record(FILE, {
      group: GROUP,
      scenario: '40 sites that trickle their status line (timeout 2 s each)',
      how: 'CLI pulse',
      ms: r.ms,
      exitCode: r.code,
      reported: '40 × FAILED: timed out after 2 s',
      lost: 'nothing',
      bound: 'checked side by side (≥ 32 connections open at once), each ended by its own 2 s timeout',
    });
  });
});
