// The richer site checks (site keys the original ignores): status, contains,
// max-ms, cert-days. sites.ts calls these hooks.
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { SiteSettings } from '@svcmon/store';

/** Body bytes read for `contains`, at most. */
const MAX_BODY_BYTES = 1024 * 1024;


export interface SiteRules {
  /** Statuses that count as up (instead of 2xx/3xx). */
  status?: number[];
  /** Text the body must contain. */
  contains?: string;
  /** Slowest acceptable answer, in milliseconds. */
  maxMs?: number;
  /** https: fail when the certificate expires within this many days (0: never check). */
  certDays: number;
}

/** The rules of a site's settings, as the schema read them. */
export function siteRules(s: SiteSettings): SiteRules {
  const rules: SiteRules = { certDays: s.certDays };
  if (s.status !== undefined) rules.status = s.status;
  if (s.contains !== undefined) rules.contains = s.contains;
  if (s.maxMs !== undefined) rules.maxMs = s.maxMs;
  return rules;
}

/** `2315` → `2,315`. */
function formatMs(ms: number): string {
  return Math.round(ms).toLocaleString('en-US');
}

/** Read a response body up to `limit` bytes (then stop reading) and decode it as UTF-8. */
export async function readBodyUpTo(body: Readable, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the stream: the rest is never read.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * The expiry of the certificate a TLS socket's server presented (trusted or not: the GET itself
 * verifies it); null when the socket is not TLS or the certificate has no valid date; 'resumed'
 * when the TLS session was resumed, so that no certificate was presented.
 */
export function peerCertificateExpiry(socket: unknown): Date | null | 'resumed' {
  const tls = socket as Partial<TLSSocket> | null;
  if (typeof tls?.getPeerCertificate !== 'function') return null;
  const validTo = tls.getPeerCertificate()?.valid_to;
  if (!validTo) return tls.isSessionReused?.() === true ? 'resumed' : null;
  const date = new Date(validTo);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The reason an https site fails its `cert-days` rule, or undefined. */
function certReason(expiry: Date, now: Date, certDays: number): string | undefined {
  const msLeft = expiry.getTime() - now.getTime();
  if (msLeft >= certDays * 86_400_000) return undefined;
  if (msLeft <= 0) return 'certificate expired';
  // Rounded up: a certificate made with `-days 3` a moment ago expires "in 3 days".
  const days = Math.ceil(msLeft / 86_400_000);
  return `certificate expires in ${days} day${days === 1 ? '' : 's'}`;
}

/** Whether a final status counts as up: one of `status`, else any 2xx or 3xx. */
export function statusIsUp(rules: SiteRules, status: number): boolean {
  return rules.status ? rules.status.includes(status) : status >= 200 && status < 400;
}

/**
 * Why an answer that counts as up still fails the site's rules (first failing rule, in the order
 * contains, max-ms, cert-days), or undefined.
 */
export function ruleFailure(
  rules: SiteRules,
  answer: { body?: string; ms: number; certExpiry: Date | null },
  now: Date,
): string | undefined {
  if (rules.contains !== undefined && !(answer.body ?? '').includes(rules.contains)) {
    return `no ${JSON.stringify(rules.contains)} in body`;
  }
  if (rules.maxMs !== undefined && answer.ms > rules.maxMs) return `${formatMs(answer.ms)} ms > ${formatMs(rules.maxMs)} ms`;
  if (answer.certExpiry && rules.certDays > 0) return certReason(answer.certExpiry, now, rules.certDays);
  return undefined;
}
