import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirStore, readConfig, type Store } from '@svcmon/store';
import { isConfigError, removeEmail, setEmail } from '../src/index.js';
import { tempDir } from './_helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: Store;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = dirStore(dir);
});
afterEach(() => cleanup());

describe('set-email: to is one e-mail address', () => {
  it.each([
    ['notanaddress', 'set-email: to must be one e-mail address, but "notanaddress" is not an e-mail address (expected name@domain, or Name <name@domain>)'],
    ['typo@example,com', 'set-email: to must be one e-mail address, but "typo@example,com" is 2 addresses ("typo@example", "com"), not one; give each address its own entry'],
    ['a@x, b@y', 'set-email: to must be one e-mail address, but "a@x, b@y" is 2 addresses ("a@x", "b@y"), not one; give each address its own entry'],
    [
      'ok@example.com\r\nBcc: evil2@attacker.test',
      'set-email: to must be one e-mail address, but "ok@example.com\\r\\nBcc: evil2@attacker.test" contains a control character (U+000D); an address is one line of text',
    ],
  ])('%j is refused and nothing is written', async (to, message) => {
    const e = await setEmail(store, { to }, { force: true }).catch((err: unknown) => err);
    expect(isConfigError(e) && e.code).toBe('E_INVALID_ENTRY');
    expect((e as Error).message).toBe(message);
    expect((e as { key?: string }).key).toBe('to');
    expect(await readdir(dir)).toEqual([]);
  });

  it('one address, bare or with a name, is kept as given', async () => {
    await setEmail(store, { to: 'Ops <ops@example.com>' }, { force: true, skipHtml: true });
    await setEmail(store, { to: 'dev@example.com' }, { skipHtml: true });
    expect((await readConfig(store))?.config.emails).toEqual([{ to: 'dev@example.com' }, { to: 'Ops <ops@example.com>' }]);
  });

  it('a bad entry already in the config can still be removed', async () => {
    await store.put('config.rktd', '#hash((emails . (#hash((to . "a@x, b@y")))))\n', { contentType: 'application/data' });
    const { changed } = await removeEmail(store, 'a@x, b@y', { skipHtml: true });
    expect(changed).toBe(true);
    expect((await readConfig(store))?.config.emails).toEqual([]);
  });
});
