// One edit of config.rktd: read (with its etag) → change → conditional write,
// retried from a fresh read when someone else wrote in between. Then the
// dashboard, re-rendered until it matches the config that is current.
import {
  isStoreError,
  openStore,
  readConfig,
  stringifyConfig,
  writeConfig,
  type Config,
  type Store,
  type StoreOptions,
  type Where,
} from '@svcmon/store';
import { ConfigError, type ConfigFunction } from './errors.js';
import { DASHBOARD_CONTENT_TYPES, renderDashboard, type Dashboard } from './dashboard.js';

/** Options of every getter: the store's options, plus `force`. */
export interface GetOptions extends StoreOptions {
  /** A missing config.rktd counts as an empty configuration instead of an error. */
  force?: boolean;
}

/** Options of every edit (set…/remove…). */
export interface EditOptions extends GetOptions {
  /** Do not upload the dashboard (index.html, style.css, script.js). */
  skipHtml?: boolean;
  /** How many times to try the conditional write before E_CONFLICT (default MAX_EDIT_ATTEMPTS = 25). */
  editAttempts?: number;
}

/** What an edit did. */
export interface EditResult {
  /** False when the config would not change: then nothing at all was written. */
  changed: boolean;
  /** The configuration after the edit (as written, or as found when unchanged). */
  config: Config;
}

/** How often an edit re-reads and retries after losing a race, before E_CONFLICT. */
export const MAX_EDIT_ATTEMPTS = 25;
const BACKOFF_BASE_MS = 20;
const BACKOFF_CAP_MS = 1500;
/** How often the dashboard is re-rendered when the config moved on while it was uploaded. */
const MAX_DASHBOARD_ROUNDS = 25;

const CONFIG_OPTION_KEYS = new Set(['force', 'skipHtml', 'editAttempts']);

export function resolveStore(where: Where, options: GetOptions = {}): Store {
  if (typeof where !== 'string') return where;
  const storeOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (!CONFIG_OPTION_KEYS.has(k)) storeOptions[k] = v;
  return openStore(where, storeOptions as StoreOptions);
}

function noConfig(fn: ConfigFunction, store: Store): ConfigError {
  return new ConfigError(
    'E_NO_CONFIG',
    `${fn}: there is no config.rktd at ${store.location} (use force to start from an empty configuration)`,
    { fn, location: store.location },
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the config for a getter: E_NO_CONFIG without force, an empty config with it. */
export async function loadConfig(fn: ConfigFunction, where: Where, options: GetOptions = {}): Promise<Config> {
  const store = resolveStore(where, options);
  const found = await readConfig(store);
  if (found) return found.config;
  if (options.force) return {};
  throw noConfig(fn, store);
}


function backoff(attempt: number): number {
  // Full jitter: spreads competing writers out so one of them wins each round.
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/**
 * Applies `change` to the current config with a conditional write. `change`
 * must not modify its argument; it returns the new config.
 */
export async function editConfig(
  fn: ConfigFunction,
  where: Where,
  options: EditOptions,
  change: (config: Config) => Config,
): Promise<EditResult> {
  const store = resolveStore(where, options);
  const attempts = Math.max(1, Math.floor(options.editAttempts ?? MAX_EDIT_ATTEMPTS));
  let lastConflict: unknown;
  // The bytes of the last write refused with a failed precondition.
  let refused: string | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = await readConfig(store);
    if (!found && !options.force) throw noConfig(fn, store);
    const before = found?.config ?? {};
    const after = change(before);
    const beforeBytes = stringifyConfig(before);
    if (stringifyConfig(after) === beforeBytes) {
      if (found && refused === beforeBytes) {
        // The config already holds exactly what this edit wrote: a write whose
        // answer was lost and then retried by the SDK (or an identical edit
        // that won the race). The change happened during this call, so the
        // dashboard must follow it.
        if (!options.skipHtml) await syncDashboard(store, before, found.etag);
        return { changed: true, config: before };
      }
      return { changed: false, config: before };
    }
    let etag: string;
    try {
      ({ etag } = await writeConfig(store, after, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' }));
    } catch (e) {
      if (isStoreError(e) && e.code === 'E_PRECONDITION') {
        lastConflict = e;
        refused = stringifyConfig(after);
        if (attempt + 1 < attempts) await sleep(backoff(attempt));
        continue;
      }
      throw e;
    }
    if (!options.skipHtml) await syncDashboard(store, after, etag);
    return { changed: true, config: after };
  }
  throw new ConfigError(
    'E_CONFLICT',
    `${fn}: config.rktd at ${store.location} kept changing under this edit; gave up after ${attempts} attempts`,
    { fn, location: store.location, cause: lastConflict },
  );
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
export async function syncDashboard(store: Store, config: Config, etag: string | undefined): Promise<void> {
  let current = config;
  let currentEtag = etag;
  for (let round = 0; round < MAX_DASHBOARD_ROUNDS; round++) {
    // Script and style first, so a fresh index.html never loads stale assets;
    // they do not depend on the config, so later rounds redo index.html only.
    await uploadDashboard(store, renderDashboard(current), round === 0 ? ['style.css', 'script.js', 'index.html'] : ['index.html']);
    const now = await readConfig(store);
    if (!now || currentEtag === undefined || now.etag === currentEtag) return;
    current = now.config;
    currentEtag = now.etag;
  }
}

/**
 * Renders the dashboard from the current config and uploads it, without
 * changing the config: for a bucket whose dashboard is missing or stale (a
 * failed upload, an edit made with skipHtml or by the Racket original).
 */
export async function publishDashboard(where: Where, options: GetOptions = {}): Promise<{ config: Config }> {
  const store = resolveStore(where, options);
  const found = await readConfig(store);
  if (!found && !options.force) throw noConfig('publish-dashboard', store);
  const config = found?.config ?? {};
  await syncDashboard(store, config, found?.etag);
  return { config };
}
