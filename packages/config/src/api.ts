// get/set/remove for tasks, sites and e-mail addresses, and get/set for the
// dashboard's html settings: the original's plt-service-monitor/config API.
import type { Config, EmailEntry, HtmlEntry, SiteEntry, TaskEntry, Where } from '@svcmon/store';
import { checkRecipient } from './_address.js';
import { editConfig, loadConfig, type EditOptions, type EditResult, type GetOptions } from './_edit.js';
import { validateEntry, validateName, type EntryKind } from './_validate.js';
import type { ConfigFunction } from './errors.js';

type ListKey = 'tasks' | 'sites' | 'emails';

interface ListSpec {
  list: ListKey;
  nameKey: string;
  get: ConfigFunction;
  set: ConfigFunction;
  remove: ConfigFunction;
}

const LISTS: Record<Exclude<EntryKind, 'html'>, ListSpec> = {
  task: { list: 'tasks', nameKey: 'name', get: 'get-task', set: 'set-task', remove: 'remove-task' },
  site: { list: 'sites', nameKey: 'url', get: 'get-site', set: 'set-site', remove: 'remove-site' },
  email: { list: 'emails', nameKey: 'to', get: 'get-email', set: 'set-email', remove: 'remove-email' },
};

function entries(config: Config, list: ListKey): Record<string, unknown>[] {
  const value = config[list];
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function isNamed(entry: unknown, nameKey: string, name: string): boolean {
  return typeof entry === 'object' && entry !== null && (entry as Record<string, unknown>)[nameKey] === name;
}

async function getEntry<T>(kind: Exclude<EntryKind, 'html'>, where: Where, name: string, options?: GetOptions): Promise<T | null> {
  const spec = LISTS[kind];
  const wanted = validateName(spec.get, kind, name);
  const config = await loadConfig(spec.get, where, options);
  const found = entries(config, spec.list).find((e) => isNamed(e, spec.nameKey, wanted));
  return (found as T | undefined) ?? null;
}

async function setEntry(kind: Exclude<EntryKind, 'html'>, where: Where, entry: unknown, options: EditOptions = {}): Promise<EditResult> {
  const spec = LISTS[kind];
  const clean = validateEntry<Record<string, unknown>>(spec.set, kind, entry);
  const name = clean[spec.nameKey] as string;
  // As the original: the new entry goes first, any entry of the same name is dropped.
  return editConfig(spec.set, where, options, (config) => ({
    ...config,
    [spec.list]: [clean, ...entries(config, spec.list).filter((e) => !isNamed(e, spec.nameKey, name))],
  }));
}

async function removeEntry(kind: Exclude<EntryKind, 'html'>, where: Where, name: string, options: EditOptions = {}): Promise<EditResult> {
  const spec = LISTS[kind];
  const wanted = validateName(spec.remove, kind, name);
  return editConfig(spec.remove, where, options, (config) => {
    const list = entries(config, spec.list);
    const kept = list.filter((e) => !isNamed(e, spec.nameKey, wanted));
    // Nothing to drop: leave the config exactly as it is (no write follows).
    return kept.length === list.length ? config : { ...config, [spec.list]: kept };
  });
}

/** The task named `name`, or null. Without `force`, a missing config.rktd is an E_NO_CONFIG error. */
export function getTask(where: Where, name: string, options?: GetOptions): Promise<TaskEntry | null> {
  return getEntry<TaskEntry>('task', where, name, options);
}
/** Adds the task, or replaces the one with the same name; it goes first in the list. */
export async function setTask(where: Where, task: TaskEntry, options?: EditOptions): Promise<EditResult> {
  return setEntry('task', where, task, options);
}
/** Drops the task named `name` (no write when there is none). */
export function removeTask(where: Where, name: string, options?: EditOptions): Promise<EditResult> {
  return removeEntry('task', where, name, options);
}

/** The site with this `url`, or null. */
export function getSite(where: Where, url: string, options?: GetOptions): Promise<SiteEntry | null> {
  return getEntry<SiteEntry>('site', where, url, options);
}
/** Adds the site, or replaces the one with the same url; it goes first in the list. */
export function setSite(where: Where, site: SiteEntry, options?: EditOptions): Promise<EditResult> {
  return setEntry('site', where, site, options);
}
/** Drops the site with this `url`. */
export function removeSite(where: Where, url: string, options?: EditOptions): Promise<EditResult> {
  return removeEntry('site', where, url, options);
}

/** The e-mail entry for address `to`, or null. */
export function getEmail(where: Where, to: string, options?: GetOptions): Promise<EmailEntry | null> {
  return getEntry<EmailEntry>('email', where, to, options);
}
/**
 * Adds the e-mail entry, or replaces the one with the same address; it goes first in the list.
 * `to` must be one address (`ops@example.com` or `Ops <ops@example.com>`), without control characters.
 */
export async function setEmail(where: Where, email: EmailEntry, options?: EditOptions): Promise<EditResult> {
  await checkRecipient('set-email', (email as { to?: unknown } | null)?.to);
  return setEntry('email', where, email, options);
}
/** Drops the e-mail entry for address `to`. */
export function removeEmail(where: Where, to: string, options?: EditOptions): Promise<EditResult> {
  return removeEntry('email', where, to, options);
}

/** The dashboard settings (`{ title }`), or null when the config has none. */
export async function getHtml(where: Where, options?: GetOptions): Promise<HtmlEntry | null> {
  const config = await loadConfig('get-html', where, options);
  const html = config.html;
  return typeof html === 'object' && html !== null && !Array.isArray(html) ? html : null;
}
/** Replaces the dashboard settings as a whole. */
export async function setHtml(where: Where, html: HtmlEntry, options?: EditOptions): Promise<EditResult> {
  const clean = validateEntry<HtmlEntry>('set-html', 'html', html);
  return editConfig('set-html', where, options ?? {}, (config) => ({ ...config, html: clean }));
}
