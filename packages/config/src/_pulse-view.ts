// The dashboard's pulse section (issue 10): reads pulse.json (published by
// every pulse), shows the pulse's freshness, each site's verdict and the last
// 100 verdicts of every check as an uptime strip. Appended to script.js and
// style.css; writes only with textContent and class names.

export const PULSE_HTML = `<h2>Pulse</h2>
<p class="pulse-status pending" id="pulse-status" data-pulse="pulse.json">Reading pulse.json…</p>
<table class="monitors" id="pulse-monitors" hidden><thead><tr><th scope="col">Monitor</th><th scope="col">State</th><th scope="col">Last pulse</th><th scope="col">Expected every</th><th scope="col">Its verdict</th></tr></thead><tbody></tbody></table>
<table class="checks" id="pulse-checks" hidden><thead><tr><th scope="col">Check</th><th scope="col">Verdict</th><th scope="col">Last 100 pulses</th><th scope="col">Last failure</th></tr></thead><tbody></tbody></table>`;

export const PULSE_STYLE_CSS = `.pulse-status { padding: 0.5rem 0.75rem; border-radius: 6px; border: 1px solid var(--line); }
.pulse-status.fresh { border-color: var(--ok); }
/* A pulse that found a failure is a failure, however fresh. */
.pulse-status.failed { border-color: var(--missing); color: var(--missing); font-weight: 600; border-width: 2px; }
.pulse-status.stale, .pulse-status.absent { border-color: var(--late); color: var(--late); font-weight: 600; }
.verdict { font-weight: 600; }
.verdict.up { color: var(--ok); }
.verdict.down { color: var(--missing); }
.verdict .reason { display: block; font-weight: 400; font-size: 0.85rem; overflow-wrap: anywhere; }
.verdict.pending { color: var(--late); }
ul.sites li .verdict { margin-left: 0.5rem; }
.strip { display: inline-flex; gap: 1px; vertical-align: middle; }
.strip i { display: inline-block; width: 4px; height: 16px; border-radius: 1px; background: var(--ok); }
.strip i.u0 { background: var(--missing); }
.strip-text { margin-left: 0.4rem; font-size: 0.8rem; color: var(--muted); }
table.checks td.check { min-width: 10rem; overflow-wrap: anywhere; }
table.checks td.verdict-cell { min-width: 8rem; }
table.checks td.uptime, table.checks td.last-failure { white-space: nowrap; }
table.monitors { margin: 0.5rem 0; }
table.monitors td.monitor-state.running { color: var(--ok); font-weight: 600; }
table.monitors td.monitor-state.stopped { color: var(--late); font-weight: 600; }
table.monitors td.monitor-verdict.failed { color: var(--missing); }
`;

export const PULSE_SCRIPT_JS = `// svcmon dashboard: the pulse's own status from pulse.json.
(function () {
  'use strict';
  var REFRESH_MS = 60000;
  var DEFAULT_PERIOD = 3600;
  var STATE_TEXT = {
    late: 'late: no heartbeat within its period',
    missing: 'no heartbeat recorded',
    malformed: 'the heartbeat cannot be read',
    future: 'the heartbeat is from the future',
    error: 'the heartbeat could not be read',
    failed: 'its last run failed',
    overrun: 'a run has gone on too long'
  };

  function amount(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var units = [['day', 86400], ['hour', 3600], ['min', 60], ['s', 1]];
    for (var i = 0; i < units.length; i++) {
      if (s >= units[i][1] || units[i][1] === 1) {
        var n = Math.floor(s / units[i][1]);
        return n + ' ' + units[i][0] + (n === 1 || units[i][0].length < 4 ? '' : 's');
      }
    }
    return '0 s';
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function strip(history) {
    var h = typeof history === 'string' ? history.replace(/[^01]/g, '').slice(-100) : '';
    var wrap = el('span', 'strip-wrap');
    var s = el('span', 'strip');
    s.setAttribute('role', 'img');
    var up = 0;
    for (var i = 0; i < h.length; i++) {
      s.appendChild(el('i', h[i] === '1' ? 'u1' : 'u0'));
      if (h[i] === '1') up++;
    }
    var pct = h.length ? Math.round((1000 * up) / h.length) / 10 : 0;
    s.setAttribute('aria-label', pct + '% up over the last ' + h.length + ' pulses');
    wrap.appendChild(s);
    wrap.appendChild(el('span', 'strip-text', h.length ? pct + '% of ' + h.length : 'no history'));
    return wrap;
  }

  function verdict(check) {
    if (check.pending) return el('span', 'verdict pending', 'failed ' + check.pending.count + ' of ' + check.pending.of);
    if (check.confirming) return el('span', 'verdict pending', 'failed at ' + check.confirming.count + ' of ' + check.confirming.monitors + ' monitors');
    if (check.ok) return el('span', 'verdict up', 'up');
    // Why, on a line of its own: the pulse's reason, else the task's state (late, missing, …).
    var down = el('span', 'verdict down', 'DOWN');
    var why = check.reason ? String(check.reason).split('\\n')[0] : check.state && check.state !== 'ok' ? STATE_TEXT[check.state] || String(check.state) : '';
    if (why) down.appendChild(el('span', 'reason', why));
    return down;
  }

  function setStatus(p, cls, text) {
    p.className = 'pulse-status ' + cls;
    p.setAttribute('data-state', cls);
    p.textContent = text;
  }

  // One row per monitor of the bucket (pulse.json's monitors): stopped once its last pulse is
  // older than its own period plus grace (fresh), by this page's clock. Returns the stopped count.
  function renderMonitors(pulse, now) {
    var table = document.getElementById('pulse-monitors');
    var body = table && table.querySelector('tbody');
    var list = Array.isArray(pulse.monitors) ? pulse.monitors : [];
    var stopped = 0;
    if (!body) return 0;
    while (body.firstChild) body.removeChild(body.firstChild);
    list.forEach(function (m) {
      if (!m || typeof m.seconds !== 'number') return;
      var age = now - m.seconds;
      var fresh = typeof m.fresh === 'number' && m.fresh > 0 ? m.fresh : DEFAULT_PERIOD;
      var isStopped = age > fresh;
      if (isStopped) stopped++;
      var down = Array.isArray(m.down) ? m.down : [];
      var tr = el('tr', 'monitor-row ' + (isStopped ? 'stopped' : 'running'));
      tr.setAttribute('data-monitor', String(m.name));
      tr.setAttribute('data-state', isStopped ? 'stopped' : 'running');
      tr.appendChild(el('td', 'monitor-name', String(m.name)));
      tr.appendChild(el('td', 'monitor-state ' + (isStopped ? 'stopped' : 'running'), isStopped ? 'stopped' : 'running'));
      tr.appendChild(el('td', 'monitor-last', amount(age) + ' ago'));
      tr.appendChild(el('td', 'monitor-every', amount(fresh)));
      tr.appendChild(el('td', 'monitor-verdict ' + (m.ok ? 'ok' : 'failed'), m.ok ? 'all healthy' : down.length ? down.length + ' failing: ' + down.map(function (id) { return String(id).replace(/^site:/, '').replace(/^task:/, 'task '); }).join(', ') : 'CHECK FAILED'));
      body.appendChild(tr);
    });
    table.hidden = list.length < 2 && stopped === 0;
    return stopped;
  }

  function render(pulse) {
    var p = document.getElementById('pulse-status');
    var now = Date.now() / 1000;
    var age = now - pulse.seconds;
    var period = typeof pulse.period === 'number' && pulse.period > 0 ? pulse.period : DEFAULT_PERIOD;
    var late = age > period + Math.max(60, period * 0.2);
    var who = pulse.monitor && pulse.monitor !== 'default' ? ' (' + pulse.monitor + ')' : '';
    var verdictText = pulse.ok ? 'all healthy' : 'CHECK FAILED';
    if (late) {
      setStatus(p, 'stale', 'Warning: the pulse itself is late: last pulse' + who + ' ' + amount(age) + ' ago (expected every ' + amount(period) + '), it said ' + verdictText);
    } else {
      setStatus(p, 'fresh', 'Last pulse' + who + ' ' + amount(age) + ' ago: ' + verdictText);
    }
    var stopped = renderMonitors(pulse, now);
    var count = Array.isArray(pulse.monitors) ? pulse.monitors.length : 0;
    if (count > 1 || stopped > 0) p.textContent += ' \u00b7 ' + count + ' monitor' + (count === 1 ? '' : 's') + (stopped ? ', ' + stopped + ' stopped' : '');
    p.classList.add(pulse.ok ? 'ok' : 'failed');
    p.setAttribute('data-verdict', pulse.ok ? 'ok' : 'failed');
    p.setAttribute('data-monitors', String(count));
    p.setAttribute('data-stopped', String(stopped));
    p.setAttribute('data-age', String(Math.round(age)));

    var items = document.querySelectorAll('ul.sites li[data-url]');
    var sites = Array.isArray(pulse.sites) ? pulse.sites : [];
    Array.prototype.forEach.call(items, function (li) {
      var old = li.querySelector('.verdict');
      if (old) old.remove();
      var url = li.getAttribute('data-url');
      for (var i = 0; i < sites.length; i++) {
        if (sites[i].url === url) {
          var v = verdict(sites[i]);
          li.setAttribute('data-verdict', sites[i].pending ? 'pending' : sites[i].ok ? 'up' : 'down');
          li.appendChild(v);
          return;
        }
      }
    });

    var table = document.getElementById('pulse-checks');
    var body = table && table.querySelector('tbody');
    if (!body) return;
    while (body.firstChild) body.removeChild(body.firstChild);
    var checks = sites.map(function (s) { return { label: s.url, c: s }; }).concat(
      (Array.isArray(pulse.tasks) ? pulse.tasks : []).map(function (t) { return { label: 'task ' + t.name, c: t }; }));
    checks.forEach(function (x) {
      var tr = el('tr', 'check-row');
      tr.setAttribute('data-check', x.label);
      tr.appendChild(el('td', 'check', x.label));
      var v = el('td', 'verdict-cell');
      v.appendChild(verdict(x.c));
      tr.appendChild(v);
      var s = el('td', 'uptime');
      s.appendChild(strip(x.c.history));
      tr.appendChild(s);
      tr.appendChild(el('td', 'last-failure', x.c.lastFailure ? amount(now - Date.parse(x.c.lastFailure) / 1000) + ' ago' : 'never'));
      body.appendChild(tr);
    });
    table.hidden = checks.length === 0;
  }

  function refresh() {
    var p = document.getElementById('pulse-status');
    if (!p) return;
    if (location.protocol === 'file:') {
      setStatus(p, 'absent', 'The pulse status (pulse.json) cannot be read from a file: open this page over http (see above).');
      document.body.setAttribute('data-pulse-checked', String(Date.now()));
      return;
    }
    fetch(p.getAttribute('data-pulse') || 'pulse.json', { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error(res.status === 404 || res.status === 403 ? 'absent' : 'HTTP ' + res.status);
      return res.json();
    }).then(function (pulse) {
      if (!pulse || typeof pulse.seconds !== 'number') throw new Error('malformed pulse.json');
      render(pulse);
    }).catch(function (err) {
      var m = String(err && err.message || err);
      setStatus(p, 'absent', m === 'absent' ? 'No pulse has published its status yet (pulse.json is missing).' : 'Cannot read pulse.json: ' + m);
    }).then(function () {
      document.body.setAttribute('data-pulse-checked', String(Date.now()));
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
