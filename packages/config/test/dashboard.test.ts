import { describe, expect, it } from 'vitest';
import { durationText as formatPeriod } from '@svcmon/store';
import { escapeHtml, renderDashboard } from '../src/index.js';

describe('renderDashboard', () => {
  it('uses the default title and says when nothing is configured', () => {
    const d = renderDashboard({});
    expect(Object.keys(d).sort()).toEqual(['index.html', 'script.js', 'style.css']);
    expect(d['index.html']).toContain('<title>Service Monitor</title>');
    expect(d['index.html']).toContain('No tasks are configured.');
    expect(d['index.html']).toContain('No sites are configured.');
  });

  it('shows a hand-written site URL with user:password@ as ***@, in the link, its text and the problem', () => {
    const html = renderDashboard({ sites: [{ url: 'https://ops:s3cret@example.com/health' }] })['index.html'];
    expect(html).not.toContain('s3cret');
    expect(html).toContain('data-url="https://***@example.com/health"');
    expect(html).toContain('no user:password@');
  });

  it('shows a hand-written task name with control characters quoted and escaped, and writes no NUL or CR into the page', () => {
    const html = renderDashboard({ tasks: [{ name: 'a\u0000b\rc' }] })['index.html'];
    expect(html).not.toMatch(/[\r\u0000]/);
    expect(html).toContain('<td class="name">&quot;a\\u0000b\\rc&quot;</td>');
    expect(html).toContain('data-invalid=');
  });

  it('shows a hand-written site URL with control characters quoted and escaped, not linked', () => {
    const html = renderDashboard({ sites: [{ url: 'http://x/\rFAKE\u0000' }] })['index.html'];
    expect(html).not.toMatch(/[\r\u0000]/);
    expect(html).toContain('&quot;http://x/\\rFAKE\\u0000&quot;');
    expect(html).not.toContain('href="http://x/');
  });

  it('makes one row per task, in config order, with period and heartbeat link', () => {
    const html = renderDashboard({
      period: 3600,
      tasks: [{ name: 'nightly-build', period: 86400 }, { name: 'backup' }, { name: 'db backup/zählwerk?#', period: 5400 }],
    })['index.html'];
    const rows = html.match(/<tr class="task-row[^>]*>/g) ?? [];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('data-task="nightly-build" data-beat="nightly-build-beat.json" data-run="nightly-build-run.json"');
    // The entry as the schema reads it, for the page's script: the config's top-level period filled
    // in, the schema's own defaults left for the page to fill in again.
    expect(rows[1]).toContain('data-entry="{&quot;name&quot;:&quot;backup&quot;,&quot;period&quot;:3600}"');
    expect(html).toContain('1 day</td>');
    expect(html).toContain('1 hour <span class="muted">(default)</span>');
    expect(html).toContain('1 hour 30 minutes');
    expect(html).toContain(`href="${encodeURIComponent('db backup/zählwerk?#-beat.json')}"`);
    expect(html).toContain('href="db%20backup%2Fz%C3%A4hlwerk%3F%23-beat.json"');
  });

  it('escapes every name, url and title, in text and attributes', () => {
    const evil = `<img src=x onerror="alert(1)">'&`;
    const html = renderDashboard({
      html: { title: `<script>alert(1)</script>` },
      tasks: [{ name: evil }],
      sites: [{ url: `javascript:alert("x")` }, { url: `https://example.com/?a=1&b="2"` }],
    })['index.html'];
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-task="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;"');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="https://example.com/?a=1&amp;b=&quot;2&quot;"');
  });

  it('the script writes text only', () => {
    const { 'script.js': js } = renderDashboard({});
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(js).toContain("cache: 'no-store'");
  });

  it('formats periods and escapes', () => {
    expect(formatPeriod(0)).toBe('0 seconds');
    expect(formatPeriod(1)).toBe('1 second');
    expect(formatPeriod(86400)).toBe('1 day');
    expect(formatPeriod(604800)).toBe('7 days');
    expect(formatPeriod(90061)).toBe('1 day 1 hour 1 minute 1 second');
    expect(formatPeriod(2.5)).toBe('2.5 seconds');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
