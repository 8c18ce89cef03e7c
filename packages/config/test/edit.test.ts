import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirStore, isStoreError, StoreError, type Store } from '@svcmon/store';
import {
  ConfigError,
  getEmail,
  getHtml,
  getSite,
  getTask,
  isConfigError,
  publishDashboard,
  removeEmail,
  removeSite,
  removeTask,
  setEmail,
  setHtml,
  setSite,
  setTask,
} from '../src/index.js';
import { tempDir } from './_helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: Store;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = dirStore(dir);
});
afterEach(() => cleanup());

async function files(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
}
async function configText(): Promise<string> {
  return readFile(path.join(dir, 'config.rktd'), 'utf8');
}
async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isConfigError(e)).toBe(true);
  return e as ConfigError;
}

describe('a store without config.rktd', () => {
  it('get/set/remove fail with E_NO_CONFIG without force, and write nothing', async () => {
    for (const call of [
      () => getTask(store, 'x'),
      () => setTask(store, { name: 'x' }),
      () => removeTask(store, 'x'),
      () => getSite(store, 'http://x/'),
      () => setSite(store, { url: 'http://x/' }),
      () => removeSite(store, 'http://x/'),
      () => getEmail(store, 'a@b'),
      () => setEmail(store, { to: 'a@b' }),
      () => removeEmail(store, 'a@b'),
      () => getHtml(store),
      () => setHtml(store, { title: 'T' }),
    ]) {
      const e = await rejection(call());
      expect(e.code).toBe('E_NO_CONFIG');
      expect(e.message).toContain(e.fn);
    }
    const e = await rejection(setTask(store, { name: 'x' }));
    expect(e.fn).toBe('set-task');
    expect(e.name).toBe('ConfigError');
    expect(await files()).toEqual([]);
  });

  it('with force counts as empty: getters answer null, set creates config and dashboard', async () => {
    expect(await getTask(store, 'x', { force: true })).toBeNull();
    expect(await getHtml(store, { force: true })).toBeNull();
    expect(await files()).toEqual([]);
    const r = await setHtml(store, { title: 'Example Service Monitor' }, { force: true });
    expect(r.changed).toBe(true);
    expect(await configText()).toBe('#hash((html . #hash((title . "Example Service Monitor"))))\n');
    expect(await files()).toEqual(['config.rktd', 'index.html', 'script.js', 'style.css']);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('<title>Example Service Monitor</title>');
  });

  it('remove with force on a missing config writes nothing', async () => {
    const r = await removeTask(store, 'x', { force: true });
    expect(r).toEqual({ changed: false, config: {} });
    expect(await files()).toEqual([]);
  });

  it('skipHtml writes only config.rktd', async () => {
    await setTask(store, { name: 'a' }, { force: true, skipHtml: true });
    expect(await files()).toEqual(['config.rktd']);
  });
});

describe('edits', () => {
  beforeEach(async () => {
    await writeFile(path.join(dir, 'config.rktd'), '#hash((tasks . (#hash((name . "a")) #hash((name . "b") (period . 60)))))\n');
  });

  it('set replaces the entry of the same name and puts it first', async () => {
    const r = await setTask(store, { name: 'b', period: 120 });
    expect(r.changed).toBe(true);
    expect(await configText()).toBe('#hash((tasks . (#hash((name . "b") (period . 120)) #hash((name . "a")))))\n');
    expect(await getTask(store, 'b')).toEqual({ name: 'b', period: 120 });
    expect(await getTask(store, 'zzz')).toBeNull();
  });

  it('set of an entry equal to the first one writes nothing at all', async () => {
    await setTask(store, { name: 'b', period: 60 }, { skipHtml: true });
    const before = await stat(path.join(dir, 'config.rktd'));
    expect(await files()).toEqual(['config.rktd']);
    const r = await setTask(store, { name: 'b', period: 60 });
    expect(r.changed).toBe(false);
    expect(await files()).toEqual(['config.rktd']); // no dashboard either
    expect((await stat(path.join(dir, 'config.rktd'))).mtimeMs).toBe(before.mtimeMs);
  });

  it('remove drops the entry; removing a missing one writes nothing', async () => {
    expect((await removeTask(store, 'a')).changed).toBe(true);
    expect(await configText()).toBe('#hash((tasks . (#hash((name . "b") (period . 60)))))\n');
    const r = await removeTask(store, 'nope');
    expect(r.changed).toBe(false);
    expect((await removeSite(store, 'http://nope/')).changed).toBe(false);
    expect(await configText()).toBe('#hash((tasks . (#hash((name . "b") (period . 60)))))\n');
  });

  it('sites accept timeout; emails accept on-success?', async () => {
    await setSite(store, { url: 'https://example.com/', timeout: 2.5 });
    await setEmail(store, { to: 'ops@example.com', 'on-success?': true });
    expect(await getSite(store, 'https://example.com/')).toEqual({ url: 'https://example.com/', timeout: 2.5 });
    expect(await getEmail(store, 'ops@example.com')).toEqual({ to: 'ops@example.com', 'on-success?': true });
    expect(await configText()).toBe(
      '#hash((emails . (#hash((on-success? . #t) (to . "ops@example.com")))) (sites . (#hash((timeout . 2.5) (url . "https://example.com/")))) (tasks . (#hash((name . "a")) #hash((name . "b") (period . 60)))))\n',
    );
    expect((await removeEmail(store, 'ops@example.com')).changed).toBe(true);
    expect(await getEmail(store, 'ops@example.com')).toBeNull();
  });

  it('keeps unknown keys of the config when editing', async () => {
    await writeFile(
      path.join(dir, 'config.rktd'),
      '#hash((future . #(1 2.0 x)) (period . 3600) (tasks . (#hash((name . "a") (owner . "ops")))))\n',
    );
    await setSite(store, { url: 'http://x/' }, { skipHtml: true });
    expect(await configText()).toBe(
      '#hash((future . #(1 2.0 x)) (period . 3600) (sites . (#hash((url . "http://x/")))) (tasks . (#hash((name . "a") (owner . "ops")))))\n',
    );
  });

  it('uploads the dashboard with the config change', async () => {
    await setTask(store, { name: 'c', period: 3600 });
    const html = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('data-task="c"');
    expect(html).toContain('href="c-beat.json"');
    expect(html).toContain('1 hour');
    expect(await files()).toEqual(['config.rktd', 'index.html', 'script.js', 'style.css']);
  });
});

describe('publishDashboard', () => {
  it('renders the dashboard from the current config without touching it', async () => {
    const e = await rejection(publishDashboard(store));
    expect(e).toMatchObject({ code: 'E_NO_CONFIG', fn: 'publish-dashboard' });
    await setTask(store, { name: 'quiet' }, { force: true, skipHtml: true });
    const config = await configText();
    expect(await files()).toEqual(['config.rktd']);
    await publishDashboard(store);
    expect(await files()).toEqual(['config.rktd', 'index.html', 'script.js', 'style.css']);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('data-task="quiet"');
    expect(await configText()).toBe(config);
  });
});

describe('a write whose answer was lost', () => {
  it('counts as done when the retry finds exactly its bytes, and publishes the dashboard', async () => {
    await writeFile(path.join(dir, 'config.rktd'), '#hash((tasks . ()))\n');
    const inner = dirStore(dir);
    let lost = 0;
    // The write lands, but the caller sees a failed precondition (as when the
    // SDK retries a PUT whose first answer never arrived).
    const flaky: Store = {
      kind: inner.kind,
      location: inner.location,
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      list: (prefix, options) => inner.list(prefix, options),
      put: async (key, body, options) => {
        const result = await inner.put(key, body, options);
        if (key === 'config.rktd' && lost++ === 0) {
          throw new StoreError('E_PRECONDITION', 'precondition failed (simulated lost answer)', { key });
        }
        return result;
      },
    };
    const r = await setTask(flaky, { name: 'a' });
    expect(r.changed).toBe(true);
    expect(lost).toBe(1);
    expect(await configText()).toBe('#hash((tasks . (#hash((name . "a")))))\n');
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('data-task="a"');
  });
});

describe('a malformed config.rktd', () => {
  it('fails with the store\'s E_BAD_CONFIG (line and column) and is left alone', async () => {
    const bad = '#hash((tasks . (#hash((name . "a"))))\n';
    await writeFile(path.join(dir, 'config.rktd'), bad);
    for (const call of [() => getTask(store, 'a'), () => setTask(store, { name: 'b' }), () => removeTask(store, 'a', { force: true })]) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isStoreError(e) && e.code === 'E_BAD_CONFIG').toBe(true);
      expect(e).toHaveProperty('line', 1);
    }
    expect(await configText()).toBe(bad);
    expect(await files()).toEqual(['config.rktd']);
  });
});

describe('validation', () => {
  const initial = '#hash((tasks . (#hash((name . "a")))))\n';
  beforeEach(async () => {
    await writeFile(path.join(dir, 'config.rktd'), initial);
  });

  const cases: Array<[string, string, string, () => Promise<unknown>]> = [
    ['unknown task key', 'set-task', 'priority', () => setTask(store, { name: 'x', priority: 1 })],
    ['negative period', 'set-task', 'period', () => setTask(store, { name: 'x', period: -1 })],
    ['fractional period', 'set-task', 'period', () => setTask(store, { name: 'x', period: 1.5 })],
    ['string period', 'set-task', 'period', () => setTask(store, { name: 'x', period: '60' as unknown as number })],
    ['missing name', 'set-task', 'name', () => setTask(store, { period: 5 } as never)],
    ['non-string name', 'set-task', 'name', () => setTask(store, { name: 5 as unknown as string })],
    ['site without url', 'set-site', 'url', () => setSite(store, { timeout: 5 } as never)],
    ['zero timeout', 'set-site', 'timeout', () => setSite(store, { url: 'http://x/', timeout: 0 })],
    ['string timeout', 'set-site', 'timeout', () => setSite(store, { url: 'http://x/', timeout: '5' as unknown as number })],
    ['unknown site key', 'set-site', 'period', () => setSite(store, { url: 'http://x/', period: 5 })],
    ['non-boolean on-success?', 'set-email', 'on-success?', () => setEmail(store, { to: 'a@b', 'on-success?': 'no' as unknown as boolean })],
    ['email without to', 'set-email', 'to', () => setEmail(store, {} as never)],
    ['unknown html key', 'set-html', 'color', () => setHtml(store, { title: 'T', color: 'red' })],
    ['non-string title', 'set-html', 'title', () => setHtml(store, { title: 7 as unknown as string })],
    ['ftp:// site URL (the library checks it, not only the CLI)', 'set-site', 'url', () => setSite(store, { url: 'ftp://example.com/' })],
    ['empty task name', 'set-task', 'name', () => setTask(store, { name: '' })],
    ['task name with a ".." segment', 'set-task', 'name', () => setTask(store, { name: '../../etc/passwd' })],
    ['task name with a newline', 'set-task', 'name', () => setTask(store, { name: 'a\nb: ok' })],
    ['task name too long for an object key', 'set-task', 'name', () => setTask(store, { name: 'x'.repeat(2000) })],
    ['bad schedule', 'set-task', 'schedule', () => setTask(store, { name: 'x', schedule: 'bogus' })],
    ['unknown time zone', 'set-task', 'tz', () => setTask(store, { name: 'x', tz: 'Mars/X' })],
    ['empty title', 'set-html', 'title', () => setHtml(store, { title: '' })],
    ['non-string name to get', 'get-task', 'name', () => getTask(store, 7 as unknown as string)],
    ['non-string url to remove', 'remove-site', 'url', () => removeSite(store, null as unknown as string)],
  ];

  it.each(cases)('%s → E_INVALID_ENTRY naming %s and %s; nothing written', async (_what, fn, key, call) => {
    const e = await rejection(call());
    expect(e.code).toBe('E_INVALID_ENTRY');
    expect(e.fn).toBe(fn);
    expect(e.key).toBe(key);
    expect(e.message).toContain(fn);
    expect(e.message).toContain(key);
    expect(await configText()).toBe(initial);
    expect(await files()).toEqual(['config.rktd']);
  });

  it('accepts big exact periods and drops undefined properties', async () => {
    await setTask(store, { name: 'x', period: 10n ** 20n as unknown as number, extra: undefined }, { skipHtml: true });
    expect(await configText()).toBe('#hash((tasks . (#hash((name . "x") (period . 100000000000000000000)) #hash((name . "a")))))\n');
  });
});

describe('how config.rktd wrote its tables', () => {
  it('a top-level #hasheq stays #hasheq through edits of every kind, as nested #hasheqv tables do', async () => {
    await writeFile(path.join(dir, 'config.rktd'), '#hasheq((tasks . (#hasheqv((name . "a")))) (timeout . 5))\n');
    await setTask(store, { name: 'b' });
    expect(await configText()).toMatch(/^#hasheq\(\(/);
    expect(await configText()).toContain('#hasheqv((name . "a"))');
    await setSite(store, { url: 'http://x/' }, { skipHtml: true });
    await removeTask(store, 'b', { skipHtml: true });
    await setHtml(store, { title: 'T' }, { skipHtml: true });
    expect(await configText()).toBe('#hasheq((html . #hash((title . "T"))) (sites . (#hash((url . "http://x/")))) (tasks . (#hasheqv((name . "a")))) (timeout . 5))\n');
  });
});
