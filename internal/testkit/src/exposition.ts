// A strict reader of the Prometheus text exposition format (0.0.4), to read back what the pulse
// writes: HELP and TYPE lines, samples with escaped label values. It refuses what Prometheus's
// own parser refuses (unknown escapes, a raw line feed in a value) and, beyond it, what the node
// exporter refuses: a family split in two, a series listed twice, a timestamp.

export interface ExpositionSample {
  labels: Record<string, string>;
  value: number;
}

export interface ExpositionFamily {
  help?: string;
  type?: string;
  samples: ExpositionSample[];
}

export class ExpositionSyntaxError extends Error {
  override readonly name = 'ExpositionSyntaxError';
  // A plain field, not a parameter property: the load bench runs this file under Node's type stripping.
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function unescape(text: string, allowed: string, line: number): string {
  return text.replace(/\\(.)/gsu, (_, c: string) => {
    if (!allowed.includes(c)) throw new ExpositionSyntaxError(`invalid escape \\${c}`, line);
    return c === 'n' ? '\n' : c;
  });
}

function number(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new ExpositionSyntaxError(`not a number: ${JSON.stringify(text)}`, line);
  return Number(text);
}

/** Families by name, in the order they appear. Throws ExpositionSyntaxError naming the line. */
export function parseExposition(text: string): Map<string, ExpositionFamily> {
  const families = new Map<string, ExpositionFamily>();
  const series = new Set<string>();
  let current = '';
  if (text !== '' && !text.endsWith('\n')) throw new ExpositionSyntaxError('no line feed at the end', text.split('\n').length);
  const lines = text.split('\n');
  lines.pop();
  const enter = (name: string, n: number): ExpositionFamily => {
    let family = families.get(name);
    if (family && name !== current) throw new ExpositionSyntaxError(`${name} appears again after other metrics`, n);
    if (!family) families.set(name, (family = { samples: [] }));
    current = name;
    return family;
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/su.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new ExpositionSyntaxError(`bad metric name ${JSON.stringify(name)}`, n);
      const family = enter(name, n);
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new ExpositionSyntaxError(`second HELP for ${name}`, n);
        family.help = unescape(rest, '\\n', n);
      } else {
        if (family.type !== undefined || family.samples.length > 0) throw new ExpositionSyntaxError(`TYPE for ${name} not before its samples, or twice`, n);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new ExpositionSyntaxError(`bad type ${rest}`, n);
        family.type = rest;
      }
      return;
    }
    if (line.startsWith('#')) return; // a comment
    const name = NAME.exec(line)?.[0];
    if (!name) throw new ExpositionSyntaxError('a sample must start with a metric name', n);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      for (;;) {
        rest = rest.replace(/^\s*/, '');
        if (rest.startsWith('}')) {
          rest = rest.slice(1);
          break;
        }
        const label = LABEL.exec(rest)?.[0];
        if (!label) throw new ExpositionSyntaxError(`bad label name at ${JSON.stringify(rest.slice(0, 20))}`, n);
        rest = rest.slice(label.length).replace(/^\s*/, '');
        const value = /^="((?:[^"\\]|\\.)*)"/su.exec(rest);
        if (!value) throw new ExpositionSyntaxError(`label ${label}: expected ="…"`, n);
        if (label in labels) throw new ExpositionSyntaxError(`label ${label} twice`, n);
        labels[label] = unescape(value[1]!, '\\"n', n);
        rest = rest.slice(value[0].length).replace(/^\s*/, '');
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (!rest.startsWith('}')) throw new ExpositionSyntaxError(`expected , or } after label ${label}`, n);
      }
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length !== 1 || !/^\s/.test(rest)) throw new ExpositionSyntaxError(`expected one value after the labels (no timestamp), got ${JSON.stringify(rest)}`, n);
    const family = enter(name, n);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (series.has(key)) throw new ExpositionSyntaxError(`${name} with these labels twice`, n);
    series.add(key);
    family.samples.push({ labels, value: number(parts[0]!, n) });
  });
  return families;
}
