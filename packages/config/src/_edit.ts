// One edit of config.rktd: the store's compare-and-swap (read with its etag → change →
// conditional write, retried from a fresh read when someone else wrote in between). Then the
// dashboard, re-rendered until it matches the config that is current.
import {
  hashKindOf,
  keepHashKind,
  CONFIG_CONTENT_TYPE,
  CONFIG_KEY,
  configFromObject,
  configReadError,
  MAX_CONFIG_BYTES,
  isStoreError,
  openStore,
  readConfig,
  stringifyConfig,
  updateObject,
  type Config,
  type Store,
  type Where,
} from '@svcmon/store';
import { ConfigError, type ConfigFunction } from './errors.js';
import { DASHBOARD_CONTENT_TYPES, renderDashboard, type Dashboard } from './dashboard.js';

/**
 * Options of every getter. How to reach the store (credentials, endpoint, region, timeouts) is
 * `openStore`'s business: pass a bucket name, path or URL, or a `Store` it opened.
 */
export interface GetOptions {
  /** A missing config.rktd counts as an empty configuration instead of an error. */
  force?: boolean;
}

/** Options of every edit (set…/remove…). */
export interface EditOptions extends GetOptions {
  /** Do not upload the dashboard (index.html, style.css, script.js). */
  skipHtml?: boolean;
  /** How many times to try the conditional write before E_CONFLICT (default: the store's UPDATE_ATTEMPTS, 25). */
  editAttempts?: number;
}

/** What an edit did. */
export interface EditResult {
  /** False when the config would not change: then nothing at all was written. */
  changed: boolean;
  /** The configuration after the edit (as written, or as found when unchanged). */
  config: Config;
}

/** How often the dashboard is re-rendered when the config moved on while it was uploaded. */
const MAX_DASHBOARD_ROUNDS = 25;

function noConfig(fn: ConfigFunction, store: Store): ConfigError {
  return new ConfigError(
    'E_NO_CONFIG',
    `${fn}: there is no config.rktd at ${store.location} (use force to start from an empty configuration)`,
    { fn, location: store.location },
  );
}

/** Reads the config for a getter: E_NO_CONFIG without force, an empty config with it. */
export async function loadConfig(fn: ConfigFunction, where: Where, options: GetOptions = {}): Promise<Config> {
  const store = openStore(where);
  const found = await readConfig(store);
  if (found) return found.config;
  if (options.force) return {};
  throw noConfig(fn, store);
}

/**
 * Whether two configs are the same data, so write the same bytes: the same values, arrays in
 * order, objects by key in any order (the writer sorts keys; absent and undefined are one).
 * An edit leaves most entries as they were, so this is mostly `===` and never serialises.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  }
  const plain = (o: object) => Object.getPrototypeOf(o) === Object.prototype || Object.getPrototypeOf(o) === null;
  if (!plain(a) || !plain(b)) return false; // rktd values (flonums, chars, ...): only the same one
  if (hashKindOf(a) !== hashKindOf(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Applies `change` to the current config with the store's compare-and-swap (`updateObject`).
 * `change` must not modify its argument; it returns the new config.
 */
export async function editConfig(
  fn: ConfigFunction,
  where: Where,
  options: EditOptions,
  change: (config: Config) => Config,
): Promise<EditResult> {
  const store = openStore(where);
  let edit;
  try {
    /** The bytes the config was read from (an edit that would write them again writes nothing). */
    let read: Buffer | undefined;
    edit = await updateObject(
      store,
      CONFIG_KEY,
      (obj) => {
        if (obj === null && !options.force) throw noConfig(fn, store);
        read = obj?.body;
        return obj === null ? {} : configFromObject(store, obj);
      },
      (before: Config) => {
        const after = keepHashKind(before, change(before));
        if (sameData(after, before)) return { result: before };
        const bytes = stringifyConfig(after);
        return read !== undefined && read.length === Buffer.byteLength(bytes) && read.equals(Buffer.from(bytes, 'utf8')) ? { result: before } : { write: bytes, result: after };
      },
      {
        put: { contentType: CONFIG_CONTENT_TYPE, publicRead: false },
        maxBytes: MAX_CONFIG_BYTES,
        ...(options.editAttempts === undefined ? {} : { attempts: options.editAttempts }),
      },
    );
  } catch (e) {
    if (!(isStoreError(e) && e.code === 'E_CONFLICT')) throw configReadError(store, e);
    throw new ConfigError('E_CONFLICT', `${fn}: config.rktd at ${store.location} kept changing under this edit (${e.message})`, {
      fn,
      location: store.location,
      cause: e,
    });
  }
  if (edit.written && !options.skipHtml) await syncDashboard(store, edit.result, edit.etag ?? undefined);
  return { changed: edit.written, config: edit.result };
}

async function uploadDashboard(store: Store, dashboard: Dashboard, keys: ReadonlyArray<keyof Dashboard>): Promise<void> {
  for (const key of keys) {
    await store.put(key, dashboard[key], { contentType: DASHBOARD_CONTENT_TYPES[key], publicRead: true });
  }
}

/**
 * Uploads the dashboard for the config just written. When another writer
 * changed the config meanwhile, its dashboard upload may land before ours:
 * so re-read, and render again from whatever is current, until the dashboard
 * matches the config as it stands.
 */
async function syncDashboard(store: Store, config: Config, etag: string | undefined): Promise<void> {
  let current = config;
  let currentEtag = etag;
  for (let round = 0; round < MAX_DASHBOARD_ROUNDS; round++) {
    // Script and style first, so a fresh index.html never loads stale assets;
    // they do not depend on the config, so later rounds redo index.html only.
    await uploadDashboard(store, renderDashboard(current), round === 0 ? ['style.css', 'script.js', 'index.html'] : ['index.html']);
    // Parsed again only when it moved on.
    let now;
    try {
      now = await store.get(CONFIG_KEY, { maxBytes: MAX_CONFIG_BYTES });
    } catch (e) {
      throw configReadError(store, e);
    }
    if (!now || currentEtag === undefined || now.etag === currentEtag) return;
    current = configFromObject(store, now);
    currentEtag = now.etag;
  }
}

/**
 * Renders the dashboard from the current config and uploads it, without
 * changing the config: for a bucket whose dashboard is missing or stale (a
 * failed upload, an edit made with skipHtml or by the Racket original).
 */
export async function publishDashboard(where: Where, options: GetOptions = {}): Promise<{ config: Config }> {
  const store = openStore(where);
  const found = await readConfig(store);
  if (!found && !options.force) throw noConfig('publish-dashboard', store);
  const config = found?.config ?? {};
  await syncDashboard(store, config, found?.etag);
  return { config };
}
