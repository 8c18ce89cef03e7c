import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DEFAULT_SITE_CONCURRENCY, limiter } from './_limit.js';
import type { OnPulseEvent } from './events.js';
import { MAX_TIMER_MS, hideCredentials, problemsText, secondsText, siteSettings } from '@svcmon/store';
import type { SiteVerdict } from './types.js';
import { peerCertificateExpiry, readBodyUpTo, ruleFailure, siteRules, statusIsUp, type SiteRules } from './_site-rules.js';

/** Redirects followed before a site counts as down. */
export const MAX_REDIRECTS = 5;

export interface SiteLike {
  url: string;
  timeout?: number;
  [key: string]: unknown;
}

/**
 * How a site check sends one request: the shape of `http.request(url, options)` (the response
 * comes as its `response` event, a failure as its `error` event or thrown). The default,
 * `siteRequest`, is `node:http`'s or `node:https`'s by the URL's scheme.
 */
export type SiteRequest = (url: URL, options: RequestOptions) => ClientRequest;

// One connection per check, closed with it: no keep-alive pool outlives a pulse (the number of
// sockets open at once is checkSites' `concurrency`). Each TLS handshake is a full one, no session
// resumed: the server presents its certificate every time, which is verified, and `cert-days` reads.
const httpAgent = new HttpAgent({ keepAlive: false });
const httpsAgent = new HttpsAgent({ keepAlive: false, maxCachedSessions: 0 });

/**
 * The default `SiteRequest`: `node:https`'s request for https: URLs, `node:http`'s for the rest,
 * through agents without keep-alive or TLS sessions unless `options.agent` names another.
 */
export const siteRequest: SiteRequest = (url, options) =>
  url.protocol === 'https:' ? httpsRequest(url, { agent: httpsAgent, ...options }) : httpRequest(url, { agent: httpAgent, ...options });

export interface CheckSitesOptions {
  /** The config's top-level keys (`timeout`) for defaults. */
  config?: { timeout?: number; [key: string]: unknown };
  /** Site requests in flight at once (default 1024); more wait for a free slot. */
  concurrency?: number;
  /** Told when each check starts (`site-started`) and ends (`site-checked`). */
  onEvent?: OnPulseEvent;
  /** How each GET is sent (default `siteRequest`): an agent of one's own, or a test's network. */
  request?: SiteRequest;
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
  HPE_HEADER_OVERFLOW: 'headers too large',
};

function describeFailure(err: unknown): string {
  // An injected request may wrap the network's error in others' `cause`.
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      // node:http's word for a socket closed before any answer (a reset says "read ECONNRESET").
      if (code === 'ECONNRESET' && message === 'socket hang up') return 'connection closed by the server';
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

const HEADERS = { 'user-agent': 'svcmon-pulse', accept: '*/*' };
const ignore = (): void => undefined;
const CERT_UNSEEN = 'no certificate to check for cert-days: the TLS session was resumed (a request for the pulse needs an https agent with maxCachedSessions: 0)';

/** A check's one timer over its whole redirect chain: when it fires, the request or response in flight is destroyed. */
class Deadline {
  expired = false;
  private held: { destroy(error?: Error): unknown } | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.held?.destroy(new Error('timed out'));
    }, ms);
  }

  /** The request or response now in flight. */
  hold(stream: { destroy(error?: Error): unknown }): void {
    this.held = stream;
  }

  /** The check is over: the timer stops, and whatever is still open is closed. */
  end(): void {
    clearTimeout(this.timer);
    this.held?.destroy();
    this.held = undefined;
  }
}

/** One GET: resolves with the response once its status line and headers are in (the body not yet read). */
function get(request: SiteRequest, url: URL, deadline: Deadline): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: HEADERS });
    deadline.hold(req);
    req.on('error', reject);
    req.once('response', (res) => {
      // Errors after this one are the body's: readBodyUpTo sees them, or nobody needs the body.
      res.on('error', ignore);
      deadline.hold(res);
      resolve(res);
    });
    req.end();
  });
}

/**
 * Check one site: GET, following at most 5 redirects, within `timeout` seconds; then the site's
 * rules (status, contains, max-ms, cert-days: see _site-rules.ts).
 */
async function checkSite(url: string, timeout: number, request: SiteRequest, rules: SiteRules, now?: Date): Promise<SiteVerdict> {
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
  const deadline = new Deadline(Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(timeout * 1000))));
  // The certificate is the one the first answer came over (the site's own URL, https: only).
  const wantCert = rules.certDays > 0 && current.protocol === 'https:';
  let certExpiry: Date | null = null;
  let redirects = 0;
  try {
    for (;;) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        return verdict({ ok: false, reason: `unsupported URL scheme ${current.protocol}` }, redirects);
      }
      const res = await get(request, current, deadline);
      const status = res.statusCode ?? 0;
      if (wantCert && redirects === 0) {
        const expiry = peerCertificateExpiry(res.socket);
        // Only an injected request's agent resumes sessions: say so rather than pass cert-days unchecked.
        if (expiry === 'resumed') return verdict({ ok: false, status, finalUrl: current.href, reason: CERT_UNSEEN }, redirects);
        certExpiry = expiry;
      }
      const location = res.headers.location;
      const listed = rules.status?.includes(status) === true;
      const redirect = status >= 300 && status < 400 && location !== undefined && !listed;
      // The body is read (at most 1 MiB) only for `contains`; otherwise only the status matters.
      let body: string | undefined;
      if (!redirect && rules.contains !== undefined && statusIsUp(rules, status)) body = await readBodyUpTo(res);
      res.destroy();
      if (redirect && location !== undefined) {
        if (redirects >= MAX_REDIRECTS) {
          return verdict({ ok: false, status, finalUrl: current.href, reason: `more than ${MAX_REDIRECTS} redirects` }, redirects);
        }
        redirects++;
        current = new URL(location, current);
        continue;
      }
      const up = statusIsUp(rules, status);
      const ms = performance.now() - started;
      const why = up ? ruleFailure(rules, { ...(body !== undefined ? { body } : {}), ms, certExpiry }, now ?? new Date()) : `HTTP ${status}`;
      const expiry = certExpiry ? { certExpiry: Math.floor(certExpiry.getTime() / 1000) } : {};
      return verdict(
        why === undefined
          ? { ok: true, status, finalUrl: current.href, ...expiry }
          : { ok: false, status, finalUrl: current.href, reason: why, ...expiry },
        redirects,
      );
    }
  } catch (err) {
    const via = redirects > 0 ? ` at ${current.href}` : '';
    if (deadline.expired) return verdict({ ok: false, reason: `timed out after ${secondsText(timeout)} s${via}` }, redirects);
    return verdict({ ok: false, reason: `${describeFailure(err)}${via}` }, redirects);
  } finally {
    deadline.end();
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
  const request = options.request ?? siteRequest;
  const config = options.config ?? {};
  const onEvent = options.onEvent;
  return Promise.all(
    sites.map((site) => {
      const read = siteSettings(site, config);
      // A value config.rktd holds that the schema refuses: the site fails with where and why, unchecked.
      if (read.problems) {
        // A password in a hand-written URL is never shown (the report and pulse.json are published).
        const url = hideCredentials(String(site.url));
        const verdict: SiteVerdict = { url, ok: false, reason: problemsText(read.problems), redirects: 0, timeout: 0, ms: 0 };
        onEvent?.({ type: 'site-checked', verdict });
        return Promise.resolve(verdict);
      }
      const s = read.settings;
      return limit(async () => {
        onEvent?.({ type: 'site-started', url: s.url });
        const verdict = await checkSite(s.url, s.timeout, request, siteRules(s), options.now);
        onEvent?.({ type: 'site-checked', verdict });
        return verdict;
      });
    }),
  );
}
