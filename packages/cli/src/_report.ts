// Colours for the pulse report on a terminal. The words stay exactly the
// original's (mail filters and scripts read them); only escapes are added.
import type { Palette } from './_io.js';

export function colorReportLine(line: string, c: Palette): string {
  if (!c.enabled) return line;
  if (line === 'All sites and tasks appear healthy') return c.bold(c.green(line));
  if (line === 'CHECK FAILED for some site or task') return c.bold(c.red(line));
  let m = /^(.*): (ok)((?: \(.*\))?)$/.exec(line);
  if (m) return `${m[1]}: ${c.green(m[2]!)}${m[3]}`;
  m = /^(.*): (FAILED|ERROR)((?: \(.*\))?)$/.exec(line);
  if (m) return `${m[1]}: ${c.red(m[2]!)}${m[3]}`;
  if (/^(Pinging site |Checking task )/.test(line)) return c.dim(line);
  return line;
}

/** The report's first line: what comes after it is the report, not progress. */
export function isHeadline(line: string): boolean {
  return line === 'All sites and tasks appear healthy' || line === 'CHECK FAILED for some site or task';
}
