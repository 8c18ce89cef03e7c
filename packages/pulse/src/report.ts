import { elapsedText, racketDate, shownText } from '@svcmon/store';
import type { SiteVerdict, TaskVerdict } from './types.js';

export const HEALTHY_HEADLINE = 'All sites and tasks appear healthy';
export const FAILED_HEADLINE = 'CHECK FAILED for some site or task';
const CANNOT_CHECK_HEADLINE = 'PULSE FAILED: the pulse could not check anything';

/**
 * One line of the report, as data: what a renderer (a terminal's colours, HTML) needs without
 * reading the text back. `text` is the line exactly as the original prints it (no newline).
 * - `headline`: the first line (`ok` says which one; `ok: false` also for "PULSE FAILED");
 * - `verdict`: `<subject>: <word><detail>` for a site or the first line of a task, where `word`
 *   is the original's `ok`, `FAILED` or `ERROR` (or svcmon's `paused`);
 * - `detail`: a task's indented second line(s), or the one line saying why the pulse could not run;
 * - `blank`.
 */
export type ReportLine =
  | { kind: 'blank'; text: '' }
  | { kind: 'headline'; ok: boolean; text: string }
  | { kind: 'verdict'; check: 'site' | 'task'; subject: string; word: 'ok' | 'FAILED' | 'ERROR' | 'paused'; detail: string; text: string }
  | { kind: 'detail'; text: string };

function verdictLine(check: 'site' | 'task', subject: string, word: 'ok' | 'FAILED' | 'ERROR' | 'paused', detail = ''): ReportLine {
  return { kind: 'verdict', check, subject, word, detail, text: `${subject}: ${word}${detail}` };
}

function detailLines(text: string): ReportLine[] {
  return text.split('\n').map((line) => ({ kind: 'detail', text: `  ${line}` }));
}

function siteReportLine(verdict: SiteVerdict): ReportLine {
  // A URL config.rktd holds by hand may carry control characters: never printed raw.
  const site = { ...verdict, url: shownText(verdict.url) };
  if (site.pending) {
    const { count, of } = site.pending;
    return verdictLine('site', site.url, 'FAILED', ` (${count} of ${of}${site.reason ? `: ${site.reason}` : ''})`);
  }
  if (site.confirming) {
    const { count, monitors, needed } = site.confirming;
    const need = needed !== monitors ? `, ${needed} needed` : '';
    return verdictLine('site', site.url, 'FAILED', ` (${count} of ${monitors} monitors${need}${site.reason ? `: ${site.reason}` : ''})`);
  }
  if (site.ok) return verdictLine('site', site.url, 'ok');
  return verdictLine('site', site.url, 'FAILED', site.reason ? ` (${site.reason})` : '');
}

function taskReportLines(verdict: TaskVerdict): ReportLine[] {
  const task = { ...verdict, name: shownText(verdict.name) };
  const beat = task.lastBeat;
  if (task.state === 'paused') return [verdictLine('task', task.name, 'paused'), ...detailLines(task.reason ?? 'paused')];
  if ((task.state === 'ok' || task.state === 'late') && beat) {
    const when = `${racketDate(beat.seconds)} (${elapsedText(task.ageSeconds ?? 0)} ago)`;
    return task.ok
      ? [verdictLine('task', task.name, 'ok'), { kind: 'detail', text: `  last reported ${when}` }]
      : [verdictLine('task', task.name, 'ERROR'), { kind: 'detail', text: `  last report was ${when}` }];
  }
  return [verdictLine('task', task.name, 'ERROR'), ...detailLines(task.reason ?? task.state)];
}

const join = (lines: readonly ReportLine[]): string => lines.map((l) => l.text).join('\n');

/** One site's report line: `url: ok`, or `url: FAILED (reason)`. */
export function siteLine(site: SiteVerdict): string {
  return siteReportLine(site).text;
}

/** One task's two report lines (no final newline). */
export function taskLines(task: TaskVerdict): string {
  return join(taskReportLines(task));
}

/** What the report is made of: the verdicts, or (`error`) why the pulse could not check anything. */
export interface ReportInput {
  ok: boolean;
  sites: readonly SiteVerdict[];
  tasks: readonly TaskVerdict[];
  error?: string;
}

/** The report's lines, as data (see `ReportLine`); `renderReport` is their texts, each ending in "\n". */
export function reportLines(input: ReportInput): ReportLine[] {
  const blank: ReportLine = { kind: 'blank', text: '' };
  if (input.error !== undefined) {
    return [blank, { kind: 'headline', ok: false, text: CANNOT_CHECK_HEADLINE }, blank, { kind: 'detail', text: input.error }];
  }
  return [
    blank,
    { kind: 'headline', ok: input.ok, text: input.ok ? HEALTHY_HEADLINE : FAILED_HEADLINE },
    blank,
    ...input.sites.map(siteReportLine),
    ...input.tasks.flatMap(taskReportLines),
  ];
}

/**
 * The report as the original prints it: a blank line, the headline, a blank
 * line, one line per site, two per task; every line ends with "\n".
 * With `error` (the pulse could not do its job) the report says so instead.
 */
export function renderReport(input: ReportInput): string {
  return `${join(reportLines(input))}\n`;
}
