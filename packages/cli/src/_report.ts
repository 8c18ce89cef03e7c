// The pulse's events on a terminal: the original's words (mail filters and scripts read them),
// coloured from the report's structure (`ReportLine`), never by reading its text back.
import { eventLines, type PulseEvent, type ReportLine } from '@svcmon/pulse';
import type { Palette } from './_io.js';

function reportLine(line: ReportLine, c: Palette): string {
  switch (line.kind) {
    case 'headline':
      return c.bold(line.ok ? c.green(line.text) : c.red(line.text));
    case 'verdict': {
      const word = line.word === 'ok' ? c.green(line.word) : line.word === 'paused' ? c.yellow(line.word) : c.red(line.word);
      return `${line.subject}: ${word}${line.detail}`;
    }
    default:
      return line.text;
  }
}

/** The lines to print for one pulse event (none for most), coloured when `c` is enabled. */
export function pulseEventLines(event: PulseEvent, c: Palette): string[] {
  if (event.type === 'report') return event.lines.map((line) => reportLine(line, c));
  if (event.type === 'checks-planned') return eventLines(event).map((line) => c.dim(line));
  return eventLines(event);
}
