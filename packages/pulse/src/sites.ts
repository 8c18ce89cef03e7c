import { DEFAULT_SITE_CONCURRENCY, limiter } from './_limit.js';
import type { OnPulseEvent } from './events.js';
import { problemsText, siteSettings } from '@svcmon/store';
import type { SiteVerdict } from './types.js';
import { certificateExpiry, readBodyUpTo, ruleFailure, siteRules, statusIsUp, type SiteRules } from './_site-rules.js';

/** Redirects followed before a site counts as down. */
export const MAX_REDIRECTS = 5;

export interface SiteLike {
  url: string;
  timeout?: number;
  [key: string]: unknown;
}

export interface CheckSitesOptions {
  /** The config's top-level keys (`timeout`) for defaults. */
  config?: { timeout?: number; [key: string]: unknown };
  /** Site requests in flight at once (default 1024); more wait for a free slot. */
  concurrency?: number;
  /** Told when each check starts (`site-started`) and ends (`site-checked`). */
  onEvent?: OnPulseEvent;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** The clock for `cert-days` (default: the current time). */
  now?: Date;
}

const ERRNO_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_OVERFLOW: 'headers too large',
};

function describeFailure(err: unknown): string {
  // fetch wraps network failures in TypeError('fetch failed', { cause }).
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      const known = ERRNO_REASONS[code];
      if (known) return known;
      if (/CERT|SSL|TLS/.test(code)) return `TLS error: ${typeof message === 'string' ? message : code}`;
    }
    if (cause === undefined) {
      if (typeof message === 'string' && message) return message;
      break;
    }
    e = cause;
  }
  return err instanceof Error ? err.message : String(err);
}

function isTimeout(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TimeoutError';
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Check one site: GET, following at most 5 redirects, within `timeout` seconds; then the site's
 * rules (status, contains, max-ms, cert-days: see _site-rules.ts).
 */
async function checkSite(
  url: string,
  timeout: number,
  fetchImpl: typeof fetch,
  rules: SiteRules,
  now?: Date,
): Promise<SiteVerdict> {
  const started = performance.now();
  const verdict = (rest: Partial<SiteVerdict> & { ok: boolean }, redirects = 0): SiteVerdict => ({
    url,
    ...rest,
    redirects,
    timeout,
    ms: Math.round(performance.now() - started),
  });
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return verdict({ ok: false, reason: 'not a valid URL' });
  }
  // A timer holds whole milliseconds up to 2^31-1 (~24.8 days): clamp rather than let
  // a sub-millisecond or months-long timeout throw or fire at once.
  const signal = AbortSignal.timeout(Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(timeout * 1000))));
  let redirects = 0;
  // The certificate is read on its own connection, beside the GET (no added latency).
  const timeoutMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(timeout * 1000)));
  const cert = rules.certDays > 0 && current.protocol === 'https:' ? certificateExpiry(current, timeoutMs) : Promise.resolve(null);
  try {
    for (;;) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        return verdict({ ok: false, reason: `unsupported URL scheme ${current.protocol}` }, redirects);
      }
      const res = await fetchImpl(current, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { 'user-agent': 'svcmon-pulse', accept: '*/*' },
      });
      const location = res.headers.get('location');
      const listed = rules.status?.includes(res.status) === true;
      const redirect = res.status >= 300 && res.status < 400 && location !== null && !listed;
      // The body is read (at most 1 MiB) only for `contains`; otherwise only the status matters.
      let body: string | undefined;
      if (!redirect && rules.contains !== undefined && statusIsUp(rules, res.status)) body = await readBodyUpTo(res.body);
      else await res.body?.cancel().catch(() => undefined);
      if (redirect && location !== null) {
        if (redirects >= MAX_REDIRECTS) {
          return verdict({ ok: false, status: res.status, finalUrl: current.href, reason: `more than ${MAX_REDIRECTS} redirects` }, redirects);
        }
        redirects++;
        current = new URL(location, current);
        continue;
      }
      const up = statusIsUp(rules, res.status);
      const ms = performance.now() - started;
      const certExpiry = await cert;
      const why = up ? ruleFailure(rules, { ...(body !== undefined ? { body } : {}), ms, certExpiry }, now ?? new Date()) : `HTTP ${res.status}`;
      const expiry = certExpiry ? { certExpiry: Math.floor(certExpiry.getTime() / 1000) } : {};
      return verdict(
        why === undefined
          ? { ok: true, status: res.status, finalUrl: current.href, ...expiry }
          : { ok: false, status: res.status, finalUrl: current.href, reason: why, ...expiry },
        redirects,
      );
    }
  } catch (err) {
    const via = redirects > 0 ? ` at ${current.href}` : '';
    if (isTimeout(err, signal)) return verdict({ ok: false, reason: `timed out after ${timeout} s${via}` }, redirects);
    return verdict({ ok: false, reason: `${describeFailure(err)}${via}` }, redirects);
  }
}

/**
 * Check sites concurrently; verdicts come back in the given order.
 * Policy: GET, redirects followed (at most 5); a final 2xx/3xx answer within the timeout is up;
 * 4xx/5xx, a timeout, or a network error is down, with the reason.
 *
 * The bound (`concurrency`, default 1024) is on open connections, not on waiting: it is high
 * enough that hanging sites never queue behind each other (a pulse costs about one timeout), and
 * it keeps sockets and memory finite for configs beyond it. Sites share no bound with the store.
 */
export async function checkSites(sites: readonly SiteLike[], options: CheckSitesOptions = {}): Promise<SiteVerdict[]> {
  const limit = limiter(options.concurrency ?? DEFAULT_SITE_CONCURRENCY);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const config = options.config ?? {};
  const onEvent = options.onEvent;
  return Promise.all(
    sites.map((site) => {
      const read = siteSettings(site, config);
      // A value config.rktd holds that the schema refuses: the site fails with where and why, unchecked.
      if (read.problems) {
        const verdict: SiteVerdict = { url: String(site.url), ok: false, reason: problemsText(read.problems), redirects: 0, timeout: 0, ms: 0 };
        onEvent?.({ type: 'site-checked', verdict });
        return Promise.resolve(verdict);
      }
      const s = read.settings;
      return limit(async () => {
        onEvent?.({ type: 'site-started', url: s.url });
        const verdict = await checkSite(s.url, s.timeout, fetchImpl, siteRules(s), options.now);
        onEvent?.({ type: 'site-checked', verdict });
        return verdict;
      });
    }),
  );
}
