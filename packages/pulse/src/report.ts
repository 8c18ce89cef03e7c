import { CONTROL_CHARACTERS, elapsedText, racketDate } from '@svcmon/store';
import type { SiteVerdict, TaskVerdict } from './types.js';

export const HEALTHY_HEADLINE = 'All sites and tasks appear healthy';
export const FAILED_HEADLINE = 'CHECK FAILED for some site or task';

function indent(text: string): string {
  return text.replace(/\n/g, '\n  ');
}

/** One site's report line: `url: ok`, or `url: FAILED (reason)`. */
export function siteLine(site: SiteVerdict): string {
  if (site.pending) {
    const { count, of } = site.pending;
    return `${site.url}: FAILED (${count} of ${of}${site.reason ? `: ${site.reason}` : ''})`;
  }
  if (site.ok) return `${site.url}: ok`;
  return site.reason ? `${site.url}: FAILED (${site.reason})` : `${site.url}: FAILED`;
}

/** A task name as the report prints it: as it is, or quoted when it holds control characters. */
function shownName(name: string): string {
  return CONTROL_CHARACTERS.test(name) ? JSON.stringify(name) : name;
}

/** One task's two report lines (no final newline). */
export function taskLines(verdict: TaskVerdict): string {
  const task = { ...verdict, name: shownName(verdict.name) };
  const beat = task.lastBeat;
  if (task.state === 'paused') return `${task.name}: paused\n  ${indent(task.reason ?? 'paused')}`;
  if ((task.state === 'ok' || task.state === 'late') && beat) {
    const when = `${racketDate(beat.seconds)} (${elapsedText(task.ageSeconds ?? 0)} ago)`;
    return task.ok ? `${task.name}: ok\n  last reported ${when}` : `${task.name}: ERROR\n  last report was ${when}`;
  }
  return `${task.name}: ERROR\n  ${indent(task.reason ?? task.state)}`;
}

/**
 * The report as the original prints it: a blank line, the headline, a blank
 * line, one line per site, two per task; every line ends with "\n".
 * With `error` (the pulse could not do its job) the report says so instead.
 */
export function renderReport(result: {
  ok: boolean;
  sites: readonly SiteVerdict[];
  tasks: readonly TaskVerdict[];
  error?: string;
}): string {
  if (result.error !== undefined) {
    return `\nPULSE FAILED: the pulse could not check anything\n\n${result.error}\n`;
  }
  let out = `\n${result.ok ? HEALTHY_HEADLINE : FAILED_HEADLINE}\n\n`;
  for (const site of result.sites) out += `${siteLine(site)}\n`;
  for (const task of result.tasks) out += `${taskLines(task)}\n`;
  return out;
}
