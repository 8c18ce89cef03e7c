// @svcmon/config: edit an svcmon bucket's config.rktd safely (validated,
// byte-compatible with the Racket original, no lost edits) and publish the
// dashboard generated from it.
export {
  getTask,
  setTask,
  removeTask,
  getSite,
  setSite,
  removeSite,
  getEmail,
  setEmail,
  removeEmail,
  getHtml,
  setHtml,
} from './api.js';
export { pauseTask, resumeTask } from './_pause.js';
export type { PauseOptions } from './_pause.js';
export { publishDashboard } from './_edit.js';
export type { GetOptions, EditOptions, EditResult } from './_edit.js';
export { renderDashboard, escapeHtml, DEFAULT_TITLE, DASHBOARD_CONTENT_TYPES } from './dashboard.js';
export type { Dashboard } from './dashboard.js';
export { ConfigError, isConfigError } from './errors.js';
export type { ConfigErrorCode, ConfigFunction, ConfigErrorOptions } from './errors.js';
