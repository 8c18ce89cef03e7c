// The richer site checks' keys: accepted, written as Racket data, rejected with the key named.
import { dirStore, readConfig, stringifyConfig } from '@svcmon/store';
import { describe, expect, it } from 'vitest';
import { getSite, isConfigError, setSite } from '../src/index.js';
import { tempDir } from './_helpers.js';

describe('site keys status, contains, max-ms, cert-days, failures, confirm', () => {
  it('are accepted and written as Racket data', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = dirStore(dir);
      await setSite(
        store,
        { url: 'https://example.com/', status: [200, 204], contains: 'Welcome', 'max-ms': 1000, 'cert-days': 30, failures: 3, confirm: 2 },
        { force: true, skipHtml: true },
      );
      const read = await readConfig(store);
      expect(stringifyConfig(read!.config)).toBe(
        '#hash((sites . (#hash((cert-days . 30) (confirm . 2) (contains . "Welcome") (failures . 3) (max-ms . 1000) (status . (200 204)) (url . "https://example.com/")))))\n',
      );
      expect(await getSite(store, 'https://example.com/')).toMatchObject({ status: [200, 204], failures: 3, confirm: 2 });
    } finally {
      await cleanup();
    }
  });

  it.each([
    ['status', [], /status must be a non-empty list of HTTP statuses/],
    ['status', [200, 999], /status must be a non-empty list/],
    ['contains', '', /contains must be a non-empty string/],
    ['max-ms', 0, /max-ms must be a positive exact integer/],
    ['cert-days', -1, /cert-days must be a non-negative exact integer/],
    ['failures', 1.5, /failures must be a positive exact integer/],
    ['confirm', 0, /confirm must be an exact integer from 1 to 10 \(monitors\), got 0/],
    // A count of monitors: 1e6 through the library is refused as on the command line.
    ['confirm', 1e6, /confirm must be an exact integer from 1 to 10 \(monitors\), got 1000000/],
  ])('%s %j is rejected', async (key, value, message) => {
    const { dir, cleanup } = await tempDir();
    try {
      const err = await setSite(dirStore(dir), { url: 'https://example.com/', [key]: value }, { force: true, skipHtml: true }).catch(
        (e: unknown) => e,
      );
      expect(isConfigError(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(message);
    } finally {
      await cleanup();
    }
  });
});
