// Webhooks: the other channels. Configured in the local e-mail config file
// (never in the bucket: their URLs often hold tokens), sent concurrently,
// each with a timeout and one retry. Output names a webhook by its host only.
import { isSym, RHash } from '@svcmon/rktd';
import type { Notification } from './alerts.js';
import { PulseError } from './errors.js';
import type { SiteVerdict, TaskVerdict } from './types.js';

export type WebhookFormat = 'json' | 'slack' | 'ntfy';

export interface WebhookConfig {
  url: string;
  format: WebhookFormat;
}

/** The `json` format's body (see the README). */
export interface WebhookPayload {
  /** Always 1. */
  version: 1;
  bucket: string;
  /** The monitor (`--beat` name, or `default`). */
  monitor: string;
  /** Everything counted healthy. */
  ok: boolean;
  /** ISO 8601 time of the pulse. */
  time: string;
  /** `report` (always/failure mode), `change`, `reminder`. */
  event: 'report' | 'change' | 'reminder';
  /** One line for people (the mail subject). */
  title: string;
  /** Check ids (`site:<url>`, `task:<name>`) that went down / recovered with this pulse. */
  wentDown: string[];
  recovered: string[];
  checks: Array<{ kind: 'site' | 'task'; name: string; ok: boolean; reason?: string; status?: number; ms?: number }>;
  /** The message text (changes, then the report). */
  text: string;
}

export interface WebhookResult {
  /** The webhook's host (the only part of its URL ever printed). */
  host: string;
  format: WebhookFormat;
  sent: boolean;
  /** HTTP status of the last try. */
  status?: number;
  /** Tries made (1 or 2). */
  attempts: number;
  error?: string;
}

/**
 * The payload of one notification (every format is made from it): the checks as people see
 * them (thresholds applied), what went down and what recovered, and the message text.
 */
export function webhookPayload(input: {
  bucket: string;
  monitor: string;
  ok: boolean;
  time: Date;
  notification: Notification;
  title: string;
  text: string;
  sites: readonly SiteVerdict[];
  tasks: readonly TaskVerdict[];
}): WebhookPayload {
  const { notification } = input;
  return {
    version: 1,
    bucket: input.bucket,
    monitor: input.monitor,
    ok: input.ok,
    time: input.time.toISOString(),
    event: notification.kind,
    title: input.title,
    wentDown: notification.wentDown.map((c) => c.id),
    recovered: notification.recovered.map((c) => c.id),
    checks: [
      ...input.sites.map((s) => ({
        kind: 'site' as const,
        name: s.url,
        ok: s.ok,
        ...(s.reason !== undefined && (!s.ok || s.pending || s.confirming) ? { reason: s.reason } : {}),
        ...(s.status !== undefined ? { status: s.status } : {}),
        ms: s.ms,
      })),
      ...input.tasks.map((t) => ({
        kind: 'task' as const,
        name: t.name,
        ok: t.ok,
        ...(t.reason !== undefined ? { reason: t.reason } : t.ok ? {} : { reason: t.state }),
      })),
    ],
    text: input.text,
  };
}

const FORMATS: ReadonlySet<string> = new Set(['json', 'slack', 'ntfy']);

/** A webhook URL as it may be printed: its host only (paths and queries hold tokens). */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** Check the `webhooks` value of an e-mail config (a list of hashes or JSON objects). */
export function validateWebhooks(input: unknown, source = 'e-mail config'): WebhookConfig[] {
  if (!Array.isArray(input)) {
    throw new PulseError('E_EMAIL_CONFIG', `${source}: webhooks must be a list of hashes with url and format`, { file: source, key: 'webhooks' });
  }
  return input.map((item, i) => {
    const where = `${source}: webhooks[${i}]`;
    const fields: Record<string, unknown> = {};
    if (item instanceof RHash) {
      for (const [k, v] of item.entries) if (isSym(k)) fields[k.name] = v;
    } else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      Object.assign(fields, item);
    } else {
      throw new PulseError('E_EMAIL_CONFIG', `${where} must be a hash with url and format`, { file: source, key: 'webhooks' });
    }
    for (const key of Object.keys(fields)) {
      if (key !== 'url' && key !== 'format') {
        throw new PulseError('E_EMAIL_CONFIG', `${where}: unknown key ${key} (known: url, format)`, { file: source, key: 'webhooks' });
      }
    }
    const url = fields['url'];
    if (typeof url !== 'string') throw new PulseError('E_EMAIL_CONFIG', `${where}: url must be a string`, { file: source, key: 'webhooks' });
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PulseError('E_EMAIL_CONFIG', `${where}: url is not a valid URL`, { file: source, key: 'webhooks' });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new PulseError('E_EMAIL_CONFIG', `${where}: url must be http or https (${parsed.protocol})`, { file: source, key: 'webhooks' });
    }
    if (parsed.username !== '' || parsed.password !== '') {
      // fetch refuses such a URL when it sends; said now, before anything runs.
      throw new PulseError('E_EMAIL_CONFIG', `${where}: url must not hold user:password@ (put a token in its path or query, as Slack and ntfy do)`, {
        file: source,
        key: 'webhooks',
      });
    }
    const rawFormat = fields['format'] ?? 'json';
    const format = isSym(rawFormat) ? rawFormat.name : rawFormat;
    if (typeof format !== 'string' || !FORMATS.has(format)) {
      throw new PulseError('E_EMAIL_CONFIG', `${where}: format must be json, slack or ntfy`, { file: source, key: 'webhooks' });
    }
    return { url, format: format as WebhookFormat };
  });
}

/** The request a webhook gets: body and headers per format. */
export function webhookRequest(format: WebhookFormat, payload: WebhookPayload): { body: string; headers: Record<string, string> } {
  switch (format) {
    case 'json':
      return { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
    case 'slack':
      return {
        body: JSON.stringify({ text: `*${payload.title}*\n\`\`\`\n${payload.text.trim()}\n\`\`\`` }),
        headers: { 'content-type': 'application/json' },
      };
    case 'ntfy':
      return {
        body: payload.text.trim(),
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          // Header values must be ISO-8859-1: ntfy reads RFC 2047 encoded words for anything else.
          title: /^[\x20-\x7e]*$/.test(payload.title) ? payload.title : `=?UTF-8?B?${Buffer.from(payload.title).toString('base64')}?=`,
          priority: payload.ok ? 'default' : 'high',
          tags: payload.ok ? 'white_check_mark' : 'rotating_light',
        },
      };
  }
}

export interface SendWebhooksOptions {
  /** Per try, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Wait before the retry, in milliseconds (default 1 000). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

async function sendOne(hook: WebhookConfig, payload: WebhookPayload, options: SendWebhooksOptions): Promise<WebhookResult> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const host = webhookHost(hook.url);
  const { body, headers } = webhookRequest(hook.format, payload);
  let error = '';
  let status: number | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (attempt === 2) await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
    status = undefined;
    try {
      const res = await fetchImpl(hook.url, {
        method: 'POST',
        body,
        headers: { 'user-agent': 'svcmon-pulse', ...headers },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'follow',
      });
      await res.body?.cancel().catch(() => undefined);
      status = res.status;
      if (res.ok) return { host, format: hook.format, sent: true, status, attempts: attempt };
      error = `HTTP ${res.status}`;
      // A client error will not change on a retry (bad token, bad payload), except rate limits.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        return { host, format: hook.format, sent: false, status, attempts: attempt, error };
      }
    } catch (e) {
      const name = (e as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') error = `timed out after ${(options.timeoutMs ?? 10_000) / 1000} s`;
      else {
        const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
        error = typeof cause?.code === 'string' ? cause.code : e instanceof Error ? e.message : String(e);
      }
      // Never let a URL (with its token) into the message.
      error = error.split(hook.url).join(host);
    }
  }
  const result: WebhookResult = { host, format: hook.format, sent: false, attempts: 2, error };
  if (status !== undefined) result.status = status;
  return result;
}

/** Send to every webhook at once; never throws: each result says whether it went through. */
export function sendWebhooks(
  hooks: readonly WebhookConfig[],
  payload: WebhookPayload,
  options: SendWebhooksOptions = {},
): Promise<WebhookResult[]> {
  return Promise.all(hooks.map((hook) => sendOne(hook, payload, options)));
}
