// svcmon config <get-|set-|remove-><task|site|email>, get-html, set-html, publish-dashboard, show
import type { Config, Store, TaskEntry, SiteEntry, EmailEntry, HtmlEntry } from '@svcmon/store';
import { CliError } from '../errors.js';
import type { Io } from '../_io.js';
import { toJson } from '../_json.js';
import { storeOptions, type StoreFlags } from '../_options.js';

interface Flags extends StoreFlags {
  force?: boolean;
  skipHtml?: boolean;
  json?: boolean;
}

async function open(where: string, flags: Flags): Promise<Store> {
  const { openStore } = await import('@svcmon/store');
  return openStore(where, storeOptions(flags));
}

function opts(flags: Flags): { force?: boolean; skipHtml?: boolean } {
  return {
    ...(flags.force ? { force: true } : {}),
    ...(flags.skipHtml ? { skipHtml: true } : {}),
  };
}

/** Prints an entry as Racket's `write` would (`#f` for none), or as JSON. */
async function printEntry(io: Io, entry: object | null, json: boolean | undefined): Promise<number> {
  if (json) {
    io.out(toJson(entry ?? null));
    return 0;
  }
  if (entry === null) {
    io.out('#f');
    return 0;
  }
  const { fromJS, stringify } = await import('@svcmon/rktd');
  io.out(stringify(fromJS(entry as never)));
  return 0;
}

function reportChange(io: Io, store: Store, what: string, verb: string, changed: boolean): number {
  const c = io.color;
  io.out(
    changed
      ? `${c.green(verb)} ${what} in ${store.location}`
      : `${what} ${c.dim('unchanged')} in ${store.location} (nothing written)`,
  );
  return 0;
}

/**
 * The entry `set-…` writes: the name key, then each key the schema gives a flag, as the flag's
 * value (already checked by the schema's parser). The library checks the whole entry again, so
 * the CLI and a library user meet the very same rules.
 */
async function entryFrom(kind: 'task' | 'site' | 'email' | 'html', named: Record<string, string>, flags: object): Promise<Record<string, unknown>> {
  const { SCHEMA } = await import('@svcmon/store');
  const { attributeOf } = await import('../_program.js');
  const entry: Record<string, unknown> = { ...named };
  const values = flags as Record<string, unknown>;
  for (const [key, decl] of Object.entries(SCHEMA[kind].keys)) {
    const value = decl.flag ? values[attributeOf(key.replace(/\?$/, ''))] : undefined;
    if (value !== undefined) entry[key] = value;
  }
  return entry;
}

// tasks

export async function getTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { getTask } = await import('@svcmon/config');
  return printEntry(io, await getTask(store, name, opts(flags)), flags.json);
}

export async function setTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { setTask } = await import('@svcmon/config');
  const { changed } = await setTask(store, (await entryFrom('task', { name }, flags)) as TaskEntry, opts(flags));
  return reportChange(io, store, `task ${JSON.stringify(name)}`, 'set', changed);
}

export async function removeTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { removeTask } = await import('@svcmon/config');
  const { changed } = await removeTask(store, name, opts(flags));
  return reportChange(io, store, `task ${JSON.stringify(name)}`, 'removed', changed);
}

// sites

export async function getSite(io: Io, where: string, url: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { getSite } = await import('@svcmon/config');
  return printEntry(io, await getSite(store, url, opts(flags)), flags.json);
}

export async function setSite(io: Io, where: string, url: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { setSite } = await import('@svcmon/config');
  const { changed } = await setSite(store, (await entryFrom('site', { url }, flags)) as SiteEntry, opts(flags));
  return reportChange(io, store, `site ${url}`, 'set', changed);
}

export async function removeSite(io: Io, where: string, url: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { removeSite } = await import('@svcmon/config');
  const { changed } = await removeSite(store, url, opts(flags));
  return reportChange(io, store, `site ${url}`, 'removed', changed);
}

// emails

export async function getEmail(io: Io, where: string, to: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { getEmail } = await import('@svcmon/config');
  return printEntry(io, await getEmail(store, to, opts(flags)), flags.json);
}

export async function setEmail(io: Io, where: string, to: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { setEmail } = await import('@svcmon/config');
  // No flag → no key, as the original writes it; the pulse then defaults to true.
  const { changed } = await setEmail(store, (await entryFrom('email', { to }, flags)) as EmailEntry, opts(flags));
  return reportChange(io, store, `e-mail ${to}`, 'set', changed);
}

export async function removeEmail(io: Io, where: string, to: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { removeEmail } = await import('@svcmon/config');
  const { changed } = await removeEmail(store, to, opts(flags));
  return reportChange(io, store, `e-mail ${to}`, 'removed', changed);
}

// html

export async function getHtml(io: Io, where: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { getHtml } = await import('@svcmon/config');
  return printEntry(io, (await getHtml(store, opts(flags))) ?? null, flags.json);
}

export async function setHtml(io: Io, where: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { setHtml } = await import('@svcmon/config');
  const { changed } = await setHtml(store, (await entryFrom('html', {}, flags)) as HtmlEntry, opts(flags));
  return reportChange(io, store, 'dashboard title', 'set', changed);
}

export async function publishDashboard(io: Io, where: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { publishDashboard } = await import('@svcmon/config');
  await publishDashboard(store, opts(flags));
  io.out(`${io.color.green('published')} the dashboard (index.html, style.css, script.js) in ${store.location}`);
  return 0;
}

// show

export async function show(io: Io, where: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { readConfig, CONFIG_KEY } = await import('@svcmon/store');
  const read = await readConfig(store);
  if (read === null && !flags.force) {
    throw new CliError(`no ${CONFIG_KEY} in ${store.location}`, {
      code: 'E_NO_CONFIG',
      exitCode: 1,
      hint: 'pass --force to show it as an empty configuration, or create one with svcmon config set-task',
    });
  }
  const config: Config = read?.config ?? {};
  if (flags.json) {
    io.out(toJson(config));
    return 0;
  }
  const { describeConfig } = await import('../_show.js');
  for (const line of await describeConfig(config, store.location, read === null, io.color)) io.out(line);
  return 0;
}
