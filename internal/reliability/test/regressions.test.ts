// Bugs the reliability scenarios found in other packages, now fixed: each
// test reproduces the original failure and asserts the correct behaviour.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPort, startS3, startSites, type Sites } from '@svcmon/testkit';
import { beat } from '@svcmon/beat';
import { dirStore, openStore } from '@svcmon/store';
import { takePulse } from '@svcmon/pulse';
import { record, svcmon, tempDir } from './_helpers.js';

const FILE = 'regressions';
const GROUP = 'Regressions';

let sites: Sites;
beforeAll(async () => {
  sites = await startSites();
});
afterAll(async () => {
  await sites?.close();
});

describe('@svcmon/pulse checkSite: site timeouts the timer cannot hold', () => {
  // packages/pulse/src/sites.ts, checkSite(): `AbortSignal.timeout(Math.max(0, timeout) * 1000)` runs
  // outside the try, with any finite non-negative number of seconds.
  it('regression: timeout ≥ 4 294 968 s (about 50 days) → the pulse still gives a verdict', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), `#hash((sites . (#hash((url . ${JSON.stringify(sites.ok)}) (timeout . 5000000)))))\n`);
    let outcome: string;
    try {
      const result = await takePulse(dirStore(dir), { emailMode: 'none' });
      outcome = `verdict: ${result.sites[0]?.ok ? 'ok' : `FAILED (${result.sites[0]?.reason})`}`;
      expect(result.sites[0]?.ok).toBe(true);
    } catch (e) {
      outcome = `takePulse threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    }
    const cli = await svcmon(['pulse', dir, '--no-email']);
    record(FILE, {
      group: GROUP,
      scenario: 'regression: site `timeout` of 5 000 000 s (> 2^32 − 1 ms)',
      how: 'takePulse + CLI pulse',
      ms: cli.ms,
      exitCode: cli.code,
      reported: `${outcome}; CLI: ${cli.stderr.split('\n')[0] || cli.stdout.split('\n').find((l) => l.includes(sites.ok))}`,
      lost: 'the whole pulse (no report, no mail) when it throws',
      bound: 'expected: exit 0, site ok',
    });
    expect(outcome).toBe('verdict: ok');
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('regression: timeout between 2 147 484 s and 4 294 967 s → not a 1 ms timer', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), `#hash((sites . (#hash((url . ${JSON.stringify(sites.okEndless)}) (timeout . 3000000)))))\n`);
    const cli = await svcmon(['pulse', dir, '--no-email', '--json']);
    let reason = '';
    try {
      const out = JSON.parse(cli.stdout) as { sites: Array<{ ok: boolean; reason?: string }> };
      reason = out.sites[0]?.ok ? 'ok' : `FAILED (${out.sites[0]?.reason})`;
    } catch {
      reason = cli.stderr.split('\n')[0] ?? '';
    }
    record(FILE, {
      group: GROUP,
      scenario: 'regression: site `timeout` of 3 000 000 s (> 2^31 − 1 ms) on a healthy site',
      how: 'CLI pulse --json',
      ms: cli.ms,
      exitCode: cli.code,
      reported: `${reason}${/TimeoutOverflowWarning/.test(cli.stderr) ? '; stderr: TimeoutOverflowWarning' : ''}`,
      lost: 'a false alarm (healthy site reported down)',
      bound: 'expected: exit 0, site ok',
    });
    expect(cli.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(reason).toBe('ok');
    expect(cli.code).toBe(0);
  });

  it('regression: a sub-millisecond timeout (0.0001 s) → a verdict', async () => {
    const dir = await tempDir();
    const port = await deadPort();
    await writeFile(join(dir, 'config.rktd'), `#hash((sites . (#hash((url . "http://127.0.0.1:${port}/") (timeout . 0.0001)))))\n`);
    const cli = await svcmon(['pulse', dir, '--no-email']);
    record(FILE, {
      group: GROUP,
      scenario: 'regression: site `timeout` of 0.0001 s',
      how: 'CLI pulse',
      ms: cli.ms,
      exitCode: cli.code,
      reported: cli.stderr.split('\n')[0] || (cli.stdout.split('\n').find((l) => l.includes('FAILED')) ?? ''),
      lost: 'the whole pulse when it throws',
      bound: 'expected: exit 1, site FAILED with a reason',
    });
    expect(cli.stderr).not.toMatch(/unexpected error/);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/FAILED/);
  });
});

describe('@svcmon/pulse readEmailConfig: a password in a file others can read', () => {
  it('regression: email config with a password and mode 0644 → a warning on stderr', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash()\n');
    const emailConfig = join(dir, 'email.rktd');
    await writeFile(emailConfig, '#hash((server . "127.0.0.1") (port . 2525) (user . "monitor") (password . "pw-0644-check"))\n');
    await chmod(emailConfig, 0o644);
    const r = await svcmon(['pulse', dir, '--no-email', '--email-config', emailConfig]);
    const warned = /warning/i.test(r.stderr) && r.stderr.includes('email.rktd');
    record(FILE, {
      group: GROUP,
      scenario: 'regression: `--email-config` file with a password, mode 0644',
      how: 'CLI pulse --email-config',
      ms: r.ms,
      exitCode: r.code,
      reported: warned ? (r.stderr.split('\n').find((l) => /warning/i.test(l)) ?? '') : 'no warning',
      lost: 'nothing, but the password is readable by every local user unnoticed',
      bound: 'expected: one warning line naming the file and its mode',
    });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('pw-0644-check');
    expect(warned, r.stderr).toBe(true);
  });

  it('control: mode 0600 → no warning', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.rktd'), '#hash()\n');
    const emailConfig = join(dir, 'email.rktd');
    await writeFile(emailConfig, '#hash((server . "127.0.0.1") (user . "monitor") (password . "pw"))\n');
    await chmod(emailConfig, 0o600);
    const r = await svcmon(['pulse', dir, '--no-email', '--email-config', emailConfig]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/warning/i);
  });
});

describe('@svcmon/store LiteS3.send: a request that times out is never retried', () => {
  // Seen first in bench/load.mjs: 100 `svcmon beat` processes at once on 2 cores, 41 exit 1 with
  // "S3 did not answer in time", 20 heartbeats lost although maxAttempts is 3.
  it('regression: the heartbeat PUT answers after the deadline once → retried (maxAttempts 3), beat succeeds', async () => {
    const s3 = await startS3({ buckets: ['bug5'] });
    try {
      s3.injectFault({ match: (r) => r.method === 'PUT', delayMs: 3_000, times: 1 });
      const started = performance.now();
      let error = '';
      try {
        await beat(openStore('bug5', { endpoint: s3.endpoint, region: 'us-east-1', credentials: s3.credentials, timeoutMs: 1_000, maxAttempts: 3 }), 'nightly');
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const ms = Math.round(performance.now() - started);
      const puts = s3.requests.filter((r) => r.method === 'PUT').length;
      record(FILE, {
        group: GROUP,
        scenario: 'regression: heartbeat PUT answers after the request deadline once (timeoutMs 1000, maxAttempts 3)',
        how: 'beat()',
        ms,
        exitCode: error ? 'StoreError E_TIMEOUT (CLI: 1)' : 'ok',
        reported: error ? `${error} after ${puts} PUT(s)` : `recorded after ${puts} PUTs`,
        lost: error ? 'the beat reports failure after 1 attempt (the slow PUT may still land)' : 'nothing',
        bound: 'expected: retried, beat succeeds',
      });
      expect(error).toBe('');
      expect(puts).toBeGreaterThanOrEqual(2);
    } finally {
      await s3.stop();
    }
  });
});
