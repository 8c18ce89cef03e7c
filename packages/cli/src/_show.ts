// `svcmon config show`: the whole configuration, for people.
import type { Config } from '@svcmon/store';
import type { Palette } from './_io.js';

const KNOWN = new Set(['tasks', 'sites', 'emails', 'html', 'period', 'timeout']);

/** "1 day", "2 hours", "90 seconds": the largest unit that divides evenly. */
export function humanSeconds(seconds: number): string {
  const units: [number, string][] = [
    [604800, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

function table(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`.trimEnd());
}

export async function describeConfig(config: Config, location: string, missing: boolean, c: Palette): Promise<string[]> {
  const { DEFAULT_PERIOD, DEFAULT_TIMEOUT, CONFIG_KEY } = await import('@svcmon/store');
  const { fromJS, stringify } = await import('@svcmon/rktd');
  const write = (v: unknown): string => {
    try {
      return stringify(fromJS(v as never));
    } catch {
      return String(v);
    }
  };
  const extra = (entry: Record<string, unknown>, known: string[]): string => {
    const others = Object.keys(entry).filter((k) => !known.includes(k));
    return others.length ? `  ${c.dim(others.map((k) => `${k}=${write(entry[k])}`).join(' '))}` : '';
  };

  const period = typeof config.period === 'number' ? config.period : DEFAULT_PERIOD;
  const timeout = typeof config.timeout === 'number' ? config.timeout : DEFAULT_TIMEOUT;
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
        const p = typeof t.period === 'number' ? t.period : period;
        const how = typeof t.period === 'number' ? '' : c.dim(' (default)');
        return [t.name, `beats at least every ${humanSeconds(p)}${how}${extra(t, ['name', 'period'])}`];
      }),
    ),
  );

  const sites = config.sites ?? [];
  lines.push('', c.bold(`Sites (${sites.length}):`));
  if (sites.length === 0) lines.push(c.dim('  (none)'));
  lines.push(
    ...table(
      sites.map((s) => {
        const t = typeof s.timeout === 'number' ? s.timeout : timeout;
        const how = typeof s.timeout === 'number' ? '' : c.dim(' (default)');
        return [s.url, `timeout ${t} s${how}${extra(s, ['url', 'timeout'])}`];
      }),
    ),
  );

  const emails = config.emails ?? [];
  lines.push('', c.bold(`E-mail (${emails.length}):`));
  if (emails.length === 0) lines.push(c.dim('  (none)'));
  lines.push(
    ...table(
      emails.map((e) => [
        e.to,
        `${e['on-success?'] === false ? 'only when a check fails' : 'every report'}${extra(e, ['to', 'on-success?'])}`,
      ]),
    ),
  );

  lines.push(
    '',
    `Defaults: period ${period} s (${humanSeconds(period)})${typeof config.period === 'number' ? '' : c.dim(' [built-in]')}, ` +
      `timeout ${timeout} s${typeof config.timeout === 'number' ? '' : c.dim(' [built-in]')}`,
  );
  const others = Object.keys(config).filter((k) => !KNOWN.has(k));
  if (others.length) {
    lines.push('', c.bold('Other keys (kept as they are):'));
    lines.push(...table(others.map((k) => [k, write(config[k])])));
  }
  return lines;
}
