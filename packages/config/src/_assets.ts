// The dashboard's stylesheet and script, uploaded beside index.html. The
// script reads everything it needs from the table's data-* attributes and
// writes only with textContent: no markup from the bucket ever reaches the DOM
// as HTML.

export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --ok: #1a7f37;
  --late: #b35900;
  --missing: #c62828;
  --muted: #6b7280;
  --line: #d0d7de;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
.summary { margin: 0 0 1rem; color: var(--muted); }
.summary strong { color: inherit; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
/* Long names wrap inside a column that stays readable (never one letter per line); on a narrow
   screen the tables scroll sideways instead of squeezing their columns. */
td.name { font-weight: 600; min-width: 10rem; overflow-wrap: anywhere; }
td.link { min-width: 8rem; overflow-wrap: anywhere; }
@media (max-width: 48rem) {
  table { display: block; overflow-x: auto; }
}
td.ago, td.last { white-space: nowrap; }
.status { display: inline-block; min-width: 5.5rem; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; text-align: center; }
tr.pending .status { color: var(--muted); border: 1px solid var(--line); }
tr.healthy .status { color: #fff; background: var(--ok); }
tr.late .status { color: #fff; background: var(--late); }
tr.missing .status, tr.error .status, tr.failed .status { color: #fff; background: var(--missing); }
tr.paused .status { color: #fff; background: #777; }
tr.late td.name, tr.missing td.name, tr.error td.name, tr.failed td.name { color: var(--missing); }
.empty { color: var(--muted); font-style: italic; }
ul.sites { padding-left: 1.2rem; }
ul.sites li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
footer { margin-top: 2rem; font-size: 0.85rem; color: var(--muted); }
.notice { margin: 0.75rem 0 1rem; padding: 0.6rem 0.8rem; border: 1px solid var(--late); border-radius: 6px; }
.notice code { font-size: 0.9em; }
`;

export const SCRIPT_JS = `// svcmon dashboard: fetch each task's heartbeat and mark its row.
(function () {
  'use strict';
  var REFRESH_MS = 60000;
  var FUTURE_SLACK_S = 300;
  var UNITS = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

  function amount(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    for (var i = 0; i < UNITS.length; i++) {
      var unit = UNITS[i];
      if (s >= unit[1] || unit[1] === 1) {
        var n = Math.floor(s / unit[1]);
        return n + ' ' + unit[0] + (n === 1 ? '' : 's');
      }
    }
    return '0 seconds';
  }

  function utc(seconds) {
    return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, ' UTC');
  }

  // Opened from a file, the browser refuses every fetch ("Failed to fetch"): say how to view it.
  var FROM_FILE = location.protocol === 'file:';
  var FILE_HINT = 'This page was opened from a file, and browsers let such a page read no other file, so it cannot check the heartbeats. ' +
    "View it over http instead: at the bucket's website address, or serve its folder, for example with ";

  function fileNotice() {
    if (document.getElementById('file-notice')) return;
    var p = document.createElement('p');
    p.id = 'file-notice';
    p.className = 'notice';
    p.setAttribute('role', 'status');
    p.appendChild(document.createTextNode(FILE_HINT));
    var code = document.createElement('code');
    code.textContent = 'npx serve <folder>';
    p.appendChild(code);
    p.appendChild(document.createTextNode(' and open the address it prints.'));
    var h1 = document.querySelector('h1');
    if (h1 && h1.parentNode) h1.parentNode.insertBefore(p, h1.nextSibling);
    else document.body.insertBefore(p, document.body.firstChild);
  }

  function cell(row, name) {
    return row.querySelector('td.' + name);
  }

  function show(row, state, label, last, ago, title) {
    row.classList.remove('pending', 'healthy', 'late', 'missing', 'error', 'failed', 'paused');
    row.classList.add(state);
    row.setAttribute('data-state', state);
    var status = row.querySelector('.status');
    if (status) {
      status.textContent = label;
      if (title) status.setAttribute('title', title); else status.removeAttribute('title');
    }
    var lastCell = cell(row, 'last');
    if (lastCell) lastCell.textContent = last;
    var agoCell = cell(row, 'ago');
    if (agoCell) agoCell.textContent = ago;
  }

  // <task>-run.json (svcmon run): the runs under way and the last failure; absent for most tasks.
  function runState(row) {
    var url = row.getAttribute('data-run');
    if (!url) return Promise.resolve(null);
    return fetch(url, { cache: 'no-store' }).then(function (res) {
      return res.ok ? res.json() : null;
    }).catch(function () { return null; });
  }

  function failed(row, f) {
    var why = f.signal ? 'killed by ' + f.signal : typeof f.exit === 'number' ? 'exit status ' + f.exit : 'failed';
    show(row, 'failed', 'failed', utc(f.at), amount(Date.now() / 1000 - f.at) + ' ago', why);
    return 'failed';
  }

  function check(row) {
    var url = row.getAttribute('data-beat');
    var period = Number(row.getAttribute('data-period')) + Number(row.getAttribute('data-grace') || 0);
    if (!url) return Promise.resolve('error');
    if (FROM_FILE) {
      show(row, 'pending', 'not served', '', '', 'open this page over http to check it');
      return Promise.resolve('unchecked');
    }
    var paused = row.getAttribute('data-paused');
    if (paused && (paused === 'indefinitely' || Number(paused) > Date.now() / 1000)) {
      show(row, 'paused', 'paused', '', '', paused === 'indefinitely' ? 'paused until resumed' : 'paused until ' + utc(Number(paused)));
      return Promise.resolve('paused');
    }
    return fetch(url, { cache: 'no-store' }).then(function (res) {
      // S3 answers 403 for a missing object when the bucket cannot be listed.
      if (res.status === 404 || res.status === 403) {
        return runState(row).then(function (run) {
          if (run && run.failed) return failed(row, run.failed);
          show(row, 'missing', 'missing', 'never', '', 'no heartbeat recorded');
          return 'missing';
        });
      }
      if (!res.ok) {
        show(row, 'error', 'error', '', '', 'HTTP ' + res.status);
        return 'error';
      }
      return res.json().then(function (beat) {
        var seconds = beat && beat.seconds;
        if (typeof seconds !== 'number' || !isFinite(seconds) || Math.floor(seconds) !== seconds) {
          show(row, 'error', 'error', '', '', 'malformed heartbeat');
          return 'error';
        }
        var age = Date.now() / 1000 - seconds;
        if (age < -FUTURE_SLACK_S) {
          show(row, 'error', 'error', utc(seconds), 'in ' + amount(-age), 'heartbeat from the future: check the clocks');
          return 'error';
        }
        var state = age <= period ? 'healthy' : 'late';
        return runState(row).then(function (run) {
          // A failure newer than the last success (svcmon run): failed at once, whatever the period.
          if (run && run.failed && run.failed.at >= seconds) return failed(row, run.failed);
          var running = run && run.running && run.running.length;
          var label = running && state === 'healthy' ? 'running' : state;
          show(row, state, label, utc(seconds), amount(age) + ' ago', state === 'late' ? 'expected at least every ' + amount(period) : running ? 'a run started ' + amount(Date.now() / 1000 - run.running[0].started) + ' ago' : '');
          return state;
        });
      });
    }).catch(function (err) {
      show(row, 'error', 'error', '', '', String(err && err.message || err));
      return 'error';
    });
  }

  function refresh() {
    var rows = Array.prototype.slice.call(document.querySelectorAll('tr.task-row'));
    if (FROM_FILE) fileNotice();
    return Promise.all(rows.map(check)).then(function (states) {
      var counts = { healthy: 0, late: 0, missing: 0, error: 0 };
      states.forEach(function (s) { counts[s] = (counts[s] || 0) + 1; });
      var summary = document.getElementById('summary');
      if (summary && FROM_FILE) {
        summary.textContent = 'Not checked: this page must be served over http (see above).';
      } else if (summary) {
        var parts = [counts.healthy + ' healthy', counts.late + ' late', counts.missing + ' missing'];
        if (counts.failed) parts.push(counts.failed + ' failed');
        if (counts.paused) parts.push(counts.paused + ' paused');
        if (counts.error) parts.push(counts.error + ' error' + (counts.error === 1 ? '' : 's'));
        summary.textContent = (rows.length ? parts.join(' \\u00b7 ') + ' \\u2014 ' : '') + 'checked ' + utc(Math.floor(Date.now() / 1000));
      }
      document.body.setAttribute('data-checked', String(Date.now()));
    });
  }

  function start() {
    refresh();
    setInterval(refresh, REFRESH_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
