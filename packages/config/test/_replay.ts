import type { Store } from '@svcmon/store';
import { removeTask, setEmail, setHtml, setSite, setTask, type EditResult } from '../src/index.js';

/** The fixture README's sequence: each call and the file Racket left after it. */
export const REPLAY: Array<[string, (store: Store) => Promise<EditResult>]> = [
  ['01-set-html.rktd', (s) => setHtml(s, { title: 'Example Service Monitor' })],
  ['02-set-task-nightly-build.rktd', (s) => setTask(s, { name: 'nightly-build', period: 86400 })],
  ['03-set-task-backup.rktd', (s) => setTask(s, { name: 'backup' })],
  ['04-set-task-weekly-report.rktd', (s) => setTask(s, { name: 'weekly-report', period: 604800 })],
  ['05-set-site.rktd', (s) => setSite(s, { url: 'http://127.0.0.1:9/' })],
  ['06-set-email-ops.rktd', (s) => setEmail(s, { to: 'ops@example.com' })],
  ['07-set-email-oncall.rktd', (s) => setEmail(s, { to: 'oncall@example.com', 'on-success?': false })],
  ['08-remove-task-weekly-report.rktd', (s) => removeTask(s, 'weekly-report')],
];
