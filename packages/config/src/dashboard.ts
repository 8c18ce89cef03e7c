// The dashboard: a static page generated from the config itself (the
// original hard-codes one organisation's rows). Every string that comes from
// the bucket is escaped; the page's script reads only data-* attributes.
import { heartbeatKey, runStateKey, siteTimeout, taskPeriod, type Config, type SiteEntry, type TaskEntry } from '@svcmon/store';
import { SCRIPT_JS, STYLE_CSS } from './_assets.js';
import { PULSE_HTML, PULSE_SCRIPT_JS, PULSE_STYLE_CSS } from './_pulse-view.js';

export const DEFAULT_TITLE = 'Service Monitor';

/** The three dashboard objects, by object name. */
export interface Dashboard {
  'index.html': string;
  'style.css': string;
  'script.js': string;
}

/** Content types the dashboard objects are uploaded with. */
export const DASHBOARD_CONTENT_TYPES: Readonly<Record<keyof Dashboard, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css',
  'script.js': 'text/javascript',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and (quoted) attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** `86400` → `1 day`, `5400` → `1 hour 30 minutes`, `0` → `0 seconds`. */
export function formatPeriod(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(seconds)) {
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  let rest = Math.floor(seconds);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

function toNumber(v: unknown, fallback: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'number') {
    return (v as { value: number }).value; // Flonum
  }
  return fallback;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** The run state object, grace and pause of a task, for the page's script (issue 9). */
function runAttributes(task: TaskEntry, name: string): string {
  let attrs = ` data-run="${escapeHtml(encodeURIComponent(runStateKey(name)))}"`;
  const grace = task.grace;
  if (typeof grace === 'number' && grace > 0) attrs += ` data-grace="${escapeHtml(String(grace))}"`;
  if (typeof task.schedule === 'string') attrs += ` data-schedule="${escapeHtml(task.schedule)}"`;
  const until = task['paused-until'];
  if (task['paused?'] === true) attrs += ' data-paused="indefinitely"';
  else if (typeof until === 'number') attrs += ` data-paused="${escapeHtml(String(until))}"`;
  return attrs;
}

function taskRow(config: Config, task: TaskEntry): string {
  const name = text(task.name);
  const period = toNumber(taskPeriod(config, task), 86400);
  const href = encodeURIComponent(heartbeatKey(name));
  const explicit = task.period !== undefined;
  return (
    `<tr class="task-row pending" data-task="${escapeHtml(name)}" data-period="${escapeHtml(String(period))}" data-beat="${escapeHtml(href)}"${runAttributes(task, name)}>` +
    `<td class="name">${escapeHtml(name)}</td>` +
    `<td class="period">${escapeHtml(formatPeriod(period))}${explicit ? '' : ' <span class="muted">(default)</span>'}</td>` +
    `<td class="state"><span class="status">checking</span></td>` +
    `<td class="last"></td>` +
    `<td class="ago"></td>` +
    `<td class="link"><a href="${escapeHtml(href)}">${escapeHtml(heartbeatKey(name))}</a></td>` +
    `</tr>`
  );
}

function siteItem(config: Config, site: SiteEntry): string {
  const url = text(site.url);
  const timeout = toNumber(siteTimeout(config, site), 30);
  const label = isWebUrl(url) ? `<a href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(url)}</a>` : escapeHtml(url);
  return `<li data-url="${escapeHtml(url)}">${label} <span class="muted">(timeout ${escapeHtml(formatPeriod(timeout))})</span></li>`;
}

/** Generates index.html, style.css and script.js for a config. */
export function renderDashboard(config: Config): Dashboard {
  const rawTitle = config.html?.title;
  const title = typeof rawTitle === 'string' && rawTitle.trim() !== '' ? rawTitle : DEFAULT_TITLE;
  const tasks = Array.isArray(config.tasks) ? config.tasks : [];
  const sites = Array.isArray(config.sites) ? config.sites : [];
  const t = escapeHtml(title);

  const taskTable = tasks.length
    ? '<table class="tasks"><thead><tr><th scope="col">Task</th><th scope="col">Period</th><th scope="col">Status</th>' +
      '<th scope="col">Last heartbeat</th><th scope="col">Since</th><th scope="col">Raw</th></tr></thead><tbody>\n' +
      tasks.map((task) => taskRow(config, task)).join('\n') +
      '\n</tbody></table>'
    : '<p class="empty">No tasks are configured.</p>';
  const siteList = sites.length
    ? '<ul class="sites">\n' + sites.map((site) => siteItem(config, site)).join('\n') + '\n</ul>'
    : '<p class="empty">No sites are configured.</p>';

  const html = `<!-- Generated by svcmon from config.rktd; it is rewritten on every config change. -->
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'">
<meta name="generator" content="svcmon">
<title>${t}</title>
<link rel="stylesheet" href="./style.css">
<script src="./script.js" defer></script>
</head>
<body>
<main>
<h1>${t}</h1>
<p class="summary" id="summary">Checking heartbeats…</p>
<noscript><p>This page needs JavaScript to check the heartbeats; the raw links still work.</p></noscript>
<h2>Tasks</h2>
${taskTable}
<h2>Sites</h2>
${siteList}
${PULSE_HTML}
<footer>The page refreshes itself every minute. Sites are checked by the pulse, not by this page.</footer>
</main>
</body>
</html>
`;
  return { 'index.html': html, 'style.css': STYLE_CSS + PULSE_STYLE_CSS, 'script.js': SCRIPT_JS + PULSE_SCRIPT_JS };
}
