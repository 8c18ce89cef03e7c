// The dashboard's script (script.js): fetch each task's heartbeat and run state and judge it with
// the pulse's own evaluation (`evaluateTask`, bundled in at build time from @svcmon/store), so the
// page can never contradict the pulse, schedules and time zones included. Writes only with
// textContent and class names: no markup from the bucket ever reaches the DOM as HTML.
import { elapsedText, evaluateTask, parseHeartbeat, parseRunState, type TaskEvaluation, type TaskEvidence } from '@svcmon/store/evaluate';

const REFRESH_MS = 60000;
const CLASSES = ['pending', 'healthy', 'late', 'missing', 'error', 'failed', 'paused'];

function utc(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function show(row: Element, state: string, label: string, last: string, ago: string, title: string): void {
  row.classList.remove(...CLASSES);
  row.classList.add(state);
  row.setAttribute('data-state', state);
  const status = row.querySelector('.status');
  if (status) {
    status.textContent = label;
    if (title) status.setAttribute('title', title);
    else status.removeAttribute('title');
  }
  const lastCell = row.querySelector('td.last');
  if (lastCell) lastCell.textContent = last;
  const agoCell = row.querySelector('td.ago');
  if (agoCell) agoCell.textContent = ago;
}

// Opened from a file, the browser refuses every fetch ("Failed to fetch"): say how to view it.
const FROM_FILE = location.protocol === 'file:';
const FILE_HINT =
  'This page was opened from a file, and browsers let such a page read no other file, so it cannot check the heartbeats. ' +
  "View it over http instead: at the bucket's website address, or serve its folder, for example with ";

function fileNotice(): void {
  if (document.getElementById('file-notice')) return;
  const p = document.createElement('p');
  p.id = 'file-notice';
  p.className = 'notice';
  p.setAttribute('role', 'status');
  p.appendChild(document.createTextNode(FILE_HINT));
  const code = document.createElement('code');
  code.textContent = 'npx serve <folder>';
  p.appendChild(code);
  p.appendChild(document.createTextNode(' and open the address it prints.'));
  const h1 = document.querySelector('h1');
  if (h1 && h1.parentNode) h1.parentNode.insertBefore(p, h1.nextSibling);
  else document.body.insertBefore(p, document.body.firstChild);
}

type Read = { absent: true } | { text: string } | { error: string };

async function read(url: string | null): Promise<Read> {
  if (!url) return { absent: true };
  try {
    const res = await fetch(url, { cache: 'no-store' });
    // S3 answers 403 for a missing object when the bucket cannot be listed.
    if (res.status === 404 || res.status === 403) return { absent: true };
    if (!res.ok) return { error: `HTTP ${res.status}` };
    return { text: await res.text() };
  } catch (e) {
    const m = String((e as Error)?.message ?? e);
    return { error: location.protocol === 'file:' ? `${m} (open the dashboard through a web server, not as a file)` : m };
  }
}

function errorOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function evidence(row: Element, name: string): Promise<TaskEvidence> {
  const beatKey = `${name}-beat.json`;
  const [beat, run] = await Promise.all([read(row.getAttribute('data-beat')), read(row.getAttribute('data-run'))]);
  const out: TaskEvidence = { heartbeat: null, run: null };
  if ('error' in beat) out.heartbeat = { error: beat.error };
  else if ('text' in beat) {
    try {
      out.heartbeat = parseHeartbeat(beat.text, beatKey, 'the bucket');
    } catch (e) {
      out.heartbeat = { error: errorOf(e), malformed: true };
    }
  }
  if ('text' in run) {
    try {
      out.run = parseRunState(run.text, `${name}-run.json`, 'the bucket');
    } catch (e) {
      out.run = { error: errorOf(e), malformed: true };
    }
  }
  return out;
}

/** The row's class, label and tooltip for a verdict. */
function display(v: TaskEvaluation, now: number): [string, string, string, string, string] {
  const beat = v.lastBeat;
  const last = beat ? utc(beat.seconds) : '';
  const ago = beat ? `${elapsedText(Math.max(0, now - beat.seconds))} ago` : '';
  const firstLine = (v.reason ?? v.state).split('\n')[0] ?? v.state;
  switch (v.state) {
    case 'ok': {
      const running = v.running?.[0];
      return running
        ? ['healthy', 'running', last, ago, `a run started ${elapsedText(Math.max(0, now - running.started))} ago`]
        : ['healthy', 'healthy', last, ago, ''];
    }
    case 'late':
      return [
        'late',
        'late',
        last,
        ago,
        v.due !== undefined ? `no success since ${utc(v.due)}` : `expected at least every ${elapsedText(v.period + (v.grace ?? 0))}`,
      ];
    case 'missing':
      return ['missing', 'missing', 'never', '', firstLine];
    case 'failed': {
      const f = v.failure;
      const at = f ? Math.floor(Date.parse(f.ended) / 1000) : Number.NaN;
      const why = f?.signal ? `killed by ${f.signal}` : typeof f?.exitCode === 'number' ? `exit status ${f.exitCode}` : 'failed';
      return ['failed', 'failed', Number.isFinite(at) ? utc(at) : '', Number.isFinite(at) ? `${elapsedText(Math.max(0, now - at))} ago` : '', why];
    }
    case 'paused':
      return ['paused', 'paused', '', '', v.pausedUntil == null ? 'paused until resumed' : `paused until ${utc(v.pausedUntil)}`];
    case 'future':
      return ['error', 'error', last, beat ? `in ${elapsedText(beat.seconds - now)}` : '', 'heartbeat from the future: check the clocks'];
    default:
      return ['error', v.state === 'error' ? 'error' : v.state, last, ago, firstLine];
  }
}

async function check(row: Element): Promise<string> {
  const name = row.getAttribute('data-task') ?? '';
  const invalid = row.getAttribute('data-invalid');
  if (invalid !== null) {
    show(row, 'error', 'invalid', '', '', invalid);
    return 'error';
  }
  if (FROM_FILE) {
    show(row, 'pending', 'not served', '', '', 'open this page over http to check it');
    return 'unchecked';
  }
  let entry: unknown;
  try {
    entry = JSON.parse(row.getAttribute('data-entry') ?? 'null');
  } catch {
    entry = null;
  }
  const now = Math.floor(Date.now() / 1000);
  const v = evaluateTask(entry, {}, await evidence(row, name), now);
  const [state, label, last, ago, title] = display(v, now);
  show(row, state, label, last, ago, title);
  return state;
}

async function refresh(): Promise<void> {
  if (FROM_FILE) fileNotice();
  const rows = Array.from(document.querySelectorAll('tr.task-row'));
  const states = await Promise.all(rows.map((row) => check(row).catch(() => 'error')));
  const counts: Record<string, number> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  const summary = document.getElementById('summary');
  if (summary && FROM_FILE) {
    summary.textContent = 'Not checked: this page must be served over http (see above).';
  } else if (summary) {
    const parts = [`${counts['healthy'] ?? 0} healthy`, `${counts['late'] ?? 0} late`, `${counts['missing'] ?? 0} missing`];
    if (counts['failed']) parts.push(`${counts['failed']} failed`);
    if (counts['paused']) parts.push(`${counts['paused']} paused`);
    if (counts['error']) parts.push(`${counts['error']} error${counts['error'] === 1 ? '' : 's'}`);
    summary.textContent = `${rows.length ? `${parts.join(' \u00b7 ')} \u2014 ` : ''}checked ${utc(Math.floor(Date.now() / 1000))}`;
  }
  document.body.setAttribute('data-checked', String(Date.now()));
}

function start(): void {
  void refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
