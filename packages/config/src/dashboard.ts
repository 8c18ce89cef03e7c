// The dashboard: a static page generated from the config itself (the
// original hard-codes one organisation's rows). Every string that comes from
// the bucket is escaped; the page's script reads only data-* attributes.
import { durationText, heartbeatKey, hideCredentials, problemsText, shownText, readEntry, runStateKey, siteSettings, type Config, type SiteEntry, type TaskEntry } from '@svcmon/store';
import { STYLE_CSS } from './_assets.js';
import { SCRIPT_JS } from './_dashboard/_script.generated.js';
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

/**
 * The entry as the page's script judges it: the values the schema read, with an inherited
 * top-level `period` written in (the page has no config), and a defaulted value left out, so it
 * is defaulted again there (a default `tz` without a schedule is not the user's `tz`).
 */
function judgedEntry(values: Record<string, unknown>, defaulted: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!defaulted.has(key) || key === 'period') out[key] = value;
  }
  return out;
}

function taskRow(config: Config, task: TaskEntry): string {
  const name = text(task.name);
  const read = readEntry('task', task, config);
  const href = encodeURIComponent(heartbeatKey(name));
  const run = encodeURIComponent(runStateKey(name));
  // The entry as the schema read it (defaults filled in): the page's script judges it with the
  // pulse's evaluation. An entry the schema refuses is shown as such, as the pulse reports it.
  const judged = read.problems.length
    ? ` data-invalid="${escapeHtml(problemsText(read.problems))}"`
    : ` data-entry="${escapeHtml(JSON.stringify(judgedEntry(read.values, read.defaulted)))}"`;
  const v = read.values;
  const expect =
    typeof v['schedule'] === 'string'
      ? `${escapeHtml(String(v['schedule']))} <span class="muted">(${escapeHtml(String(v['tz']))})</span>`
      : typeof v['period'] === 'number'
        ? `${escapeHtml(durationText(v['period']))}${read.defaulted.has('period') ? ' <span class="muted">(default)</span>' : ''}`
        : '<span class="muted">(invalid)</span>';
  // A name written by hand may hold control characters: shown quoted and escaped, as the report
  // does (such a name is invalid, so the page reads nothing for it).
  return (
    `<tr class="task-row pending" data-task="${escapeHtml(shownText(name))}" data-beat="${escapeHtml(href)}" data-run="${escapeHtml(run)}"${judged}>` +
    `<td class="name">${escapeHtml(shownText(name))}</td>` +
    `<td class="period">${expect}</td>` +
    `<td class="state"><span class="status">checking</span></td>` +
    `<td class="last"></td>` +
    `<td class="ago"></td>` +
    `<td class="link"><a href="${escapeHtml(href)}">${escapeHtml(shownText(heartbeatKey(name)))}</a></td>` +
    `</tr>`
  );
}

function siteItem(config: Config, site: SiteEntry): string {
  // A hand-written config.rktd can hold a URL with a password (the page is public) or with
  // control characters (shown quoted and escaped, and not linked).
  const url = hideCredentials(text(site.url));
  const shown = shownText(url);
  const read = siteSettings(site, config);
  const label = isWebUrl(url) && shown === url ? `<a href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(url)}</a>` : escapeHtml(shown);
  const note = read.settings ? `timeout ${escapeHtml(durationText(read.settings.timeout))}` : escapeHtml(problemsText(read.problems));
  return `<li data-url="${escapeHtml(shown)}">${label} <span class="muted">(${note})</span></li>`;
}

/** Generates index.html, style.css and script.js for a config. */
export function renderDashboard(config: Config): Dashboard {
  const rawTitle = config.html?.title;
  const title = typeof rawTitle === 'string' && rawTitle.trim() !== '' ? rawTitle : DEFAULT_TITLE;
  const tasks = Array.isArray(config.tasks) ? config.tasks : [];
  const sites = Array.isArray(config.sites) ? config.sites : [];
  const t = escapeHtml(title);

  const taskTable = tasks.length
    ? '<table class="tasks"><thead><tr><th scope="col">Task</th><th scope="col">Expected</th><th scope="col">Status</th>' +
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
