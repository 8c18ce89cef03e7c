// svcmon config <get-|set-|remove-><task|site|email>, get-html, set-html, show
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

/** Setters refuse what could never work; getters and removers take anything (to clean up). */
function nonEmpty(value: string, what: string): void {
  if (value.trim() === '') throw new CliError(`the ${what} is empty`, { code: 'E_USAGE' });
}

function httpUrl(url: string): void {
  nonEmpty(url, 'site URL');
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new CliError(`${JSON.stringify(url)} is not an http:// or https:// URL`, {
      code: 'E_USAGE',
      hint: 'the pulse fetches each site with a GET, e.g. https://example.com/',
    });
  }
}

// tasks

export async function getTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const store = await open(where, flags);
  const { getTask } = await import('@svcmon/config');
  return printEntry(io, await getTask(store, name, opts(flags)), flags.json);
}

export async function setTask(
  io: Io,
  where: string,
  name: string,
  flags: Flags & { period?: number; grace?: number; schedule?: string; tz?: string; maxDuration?: number },
): Promise<number> {
  nonEmpty(name, 'task name');
  const store = await open(where, flags);
  const { setTask } = await import('@svcmon/config');
  const entry: TaskEntry = {
    name,
    ...(flags.period !== undefined ? { period: flags.period } : {}),
    ...(flags.grace !== undefined ? { grace: flags.grace } : {}),
    ...(flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
    ...(flags.tz !== undefined ? { tz: flags.tz } : {}),
    ...(flags.maxDuration !== undefined ? { 'max-duration': flags.maxDuration } : {}),
  };
  const { changed } = await setTask(store, entry, opts(flags));
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

export async function setSite(
  io: Io,
  where: string,
  url: string,
  flags: Flags & { timeout?: number; status?: number[]; contains?: string; maxMs?: number; certDays?: number; failures?: number },
): Promise<number> {
  httpUrl(url);
  const store = await open(where, flags);
  const { setSite } = await import('@svcmon/config');
  const entry: SiteEntry = {
    url,
    ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
    ...(flags.status !== undefined ? { status: flags.status } : {}),
    ...(flags.contains !== undefined ? { contains: flags.contains } : {}),
    ...(flags.maxMs !== undefined ? { 'max-ms': flags.maxMs } : {}),
    ...(flags.certDays !== undefined ? { 'cert-days': flags.certDays } : {}),
    ...(flags.failures !== undefined ? { failures: flags.failures } : {}),
  };
  const { changed } = await setSite(store, entry, opts(flags));
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

export async function setEmail(io: Io, where: string, to: string, flags: Flags & { onSuccess?: boolean }): Promise<number> {
  nonEmpty(to, 'e-mail address');
  const store = await open(where, flags);
  const { setEmail } = await import('@svcmon/config');
  // No flag → no key, as the original writes it; the pulse then defaults to true.
  const entry: EmailEntry = { to, ...(flags.onSuccess !== undefined ? { 'on-success?': flags.onSuccess } : {}) };
  const { changed } = await setEmail(store, entry, opts(flags));
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

export async function setHtml(io: Io, where: string, flags: Flags & { title: string }): Promise<number> {
  nonEmpty(flags.title, 'title');
  const store = await open(where, flags);
  const { setHtml } = await import('@svcmon/config');
  const html: HtmlEntry = { title: flags.title };
  const { changed } = await setHtml(store, html, opts(flags));
  return reportChange(io, store, 'dashboard title', 'set', changed);
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
