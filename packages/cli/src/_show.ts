// `svcmon config show`: the whole configuration, for people.
import type { Config } from '@svcmon/store';
import type { Palette } from './_io.js';

const KNOWN = new Set(['tasks', 'sites', 'emails', 'html', 'period', 'timeout']);

function table(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`.trimEnd());
}

export async function describeConfig(config: Config, location: string, missing: boolean, c: Palette): Promise<string[]> {
  const { CONFIG_KEY, SCHEMA, configPosition, durationText, expectationText, problemsText, readEntry, shownText, taskSettings } = await import('@svcmon/store');
  const { fromJS, stringify } = await import('@svcmon/rktd');
  const write = (v: unknown): string => {
    try {
      return stringify(fromJS(v as never));
    } catch {
      return String(v);
    }
  };
  // Keys the schema does not know (another tool's): shown as they are.
  const extra = (entry: Record<string, unknown>, kind: 'task' | 'site' | 'email'): string => {
    const others = Object.keys(entry).filter((k) => !Object.hasOwn(SCHEMA[kind].keys, k));
    return others.length ? `  ${c.dim(others.map((k) => `${k}=${write(entry[k])}`).join(' '))}` : '';
  };
  // A value the schema refuses: said as the pulse will report it (the entry fails).
  const invalid = (problems: Parameters<typeof problemsText>[0]): string => c.red(`INVALID: ${problemsText(problems).split('\n').join('; ')}`);

  const top = readEntry('top', config);
  const lines: string[] = [];
  lines.push(c.bold(`Configuration in ${location}`) + (missing ? c.dim(` (no ${CONFIG_KEY} yet: empty)`) : ''));
  lines.push('');
  lines.push(`Dashboard title: ${typeof config.html?.title === 'string' ? config.html.title : c.dim('(none)')}`);

  const tasks = config.tasks ?? [];
  lines.push('', c.bold(`Tasks (${tasks.length}):`));
  if (tasks.length === 0) lines.push(c.dim('  (none)'));
  lines.push(
    ...table(
      tasks.map((t) => {
        const read = taskSettings(t, config);
        if (read.problems) return [shownText(String(t.name)), invalid(read.problems)];
        const s = read.settings;
        const how = s.schedule === undefined && read.defaulted.has('period') ? c.dim(' (default)') : '';
        const paused = s.paused ? ', paused until resumed' : s.pausedUntil !== undefined ? `, paused until ${new Date(s.pausedUntil * 1000).toISOString()}` : '';
        const max = s.maxDuration !== undefined ? `, runs at most ${durationText(s.maxDuration)}` : '';
        return [s.name, `${expectationText(s)}${how}${max}${paused}${extra(t, 'task')}`];
      }),
    ),
  );

  const sites = config.sites ?? [];
  lines.push('', c.bold(`Sites (${sites.length}):`));
  if (sites.length === 0) lines.push(c.dim('  (none)'));
  lines.push(
    ...table(
      sites.map((site) => {
        const read = readEntry('site', site, config);
        if (read.problems.length) return [shownText(String(site.url)), invalid(read.problems)];
        const v = read.values;
        const how = read.defaulted.has('timeout') ? c.dim(' (default)') : '';
        const rules = ['status', 'contains', 'max-ms', 'cert-days', 'failures', 'confirm']
          .filter((k) => !read.defaulted.has(k))
          .map((k) => `${k}=${write(v[k])}`);
        return [site.url, `timeout ${String(v['timeout'])} s${how}${rules.length ? `, ${rules.join(' ')}` : ''}${extra(site, 'site')}`];
      }),
    ),
  );

  const emails = config.emails ?? [];
  lines.push('', c.bold(`E-mail (${emails.length}):`));
  if (emails.length === 0) lines.push(c.dim('  (none)'));
  // The pulse's own rule for an address (what it can mail); loaded only when there are addresses.
  const { addressProblem } = emails.length > 0 ? await import('@svcmon/pulse') : { addressProblem: () => undefined };
  lines.push(
    ...table(
      emails.map((e) => {
        const read = readEntry('email', e, config);
        if (read.problems.length) return [shownText(String(e.to)), invalid(read.problems)];
        const problem = addressProblem(e.to);
        if (problem !== undefined) {
          const pos = configPosition(e, 'to');
          const at = pos ? `${CONFIG_KEY}:${pos.line}:${pos.column}: ` : '';
          return [shownText(e.to), c.red(`INVALID: ${at}to is not one e-mail address: it ${problem}; the pulse mails it nothing and fails its mail`)];
        }
        return [e.to, `${read.values['on-success?'] === false ? 'only when a check fails' : 'every report'}${extra(e, 'email')}`];
      }),
    ),
  );

  const defaults = (['period', 'timeout'] as const).map((key) => {
    const bad = top.problems.find((p) => p.key === key);
    if (bad) return `${key} ${invalid([bad])}`;
    const value = top.values[key] as number;
    const shown = key === 'period' ? `${value} s (${durationText(value)})` : `${value} s`;
    return `${key} ${shown}${top.defaulted.has(key) ? c.dim(' [built-in]') : ''}`;
  });
  lines.push('', `Defaults: ${defaults.join(', ')}`);
  const others = Object.keys(config).filter((k) => !KNOWN.has(k));
  if (others.length) {
    lines.push('', c.bold('Other keys (kept as they are):'));
    lines.push(...table(others.map((k) => [k, write(config[k])])));
  }
  return lines;
}
