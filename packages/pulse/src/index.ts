export { takePulse, type PulseOptions } from './pulse.js';
export { limitYoungGeneration } from './heap.js';
export {
  readPulseConfig,
  checkPulse,
  evaluatePulse,
  failedPulse,
  notifyPulse,
  persistPulse,
  pulseResult,
  type PulseInput,
  type PulseInputFailure,
  type PulseConfigRead,
  type ReadPulseConfigOptions,
  type CheckPulseOptions,
  type PulseChecks,
  type EvaluatePulseOptions,
  type PulseVerdict,
  type PulseMemory,
  type PulseLedgerRead,
  type NotifyPulseOptions,
  type PulseNotified,
  type PersistPulseOptions,
  type PulsePersisted,
  pulseExitCode,
} from './stages.js';
export { eventLines, type PulseEvent, type PulseEventType, type PulseWarning, type PulseWarningCode, type OnPulseEvent } from './events.js';
export { monitorNameProblem, assertMonitorName } from './monitor-name.js';
export { pulseReadsKey, MAX_OBJECT_BYTES, type AbsentHeartbeat, type TaskReads } from './_reads.js';
export { checkSites, siteRequest, MAX_REDIRECTS, type CheckSitesOptions, type SiteLike, type SiteRequest } from './sites.js';
export { checkTasks, FUTURE_TOLERANCE_SECONDS, type CheckTasksOptions, type TaskLike } from './tasks.js';
export { parseDuration } from '@svcmon/store';
export { decideRecipients, type EmailLike } from './recipients.js';
export { renderReport, reportLines, siteLine, taskLines, HEALTHY_HEADLINE, FAILED_HEADLINE, type ReportLine, type ReportInput } from './report.js';
export {
  sendReport,
  deliverReport,
  reportSubject,
  DEFAULT_SENDMAIL,
  type SendReportOptions,
  type SentReport,
  type RecipientDelivery,
  type MailOutcome,
} from './mail.js';
export { parseAddress, addressProblem, type Mailbox } from './address.js';
export { MAX_EMAIL_CONFIG_BYTES, readEmailConfig, parseEmailConfig, validateEmailConfig, type EmailConfig, type ReadEmailConfigOptions } from './email-config.js';
export { racketDate, elapsedText } from '@svcmon/store';
export { PulseError, isPulseError, type PulseErrorCode, type PulseErrorOptions } from './errors.js';
export type { PulseResult, SiteVerdict, TaskVerdict, TaskState, EmailMode } from './types.js';
export {
  evaluate,
  decideNotification,
  renderChanges,
  notificationTitle,
  checkId,
  type NotifyMode,
  type Notification,
  type Told,
  type Peers,
  type CheckChange,
  type Evaluation,
} from './alerts.js';
export {
  readPulseState,
  updatePulseState,
  parsePulseState,
  pulseStateKey,
  HISTORY_LENGTH,
  DEFAULT_MONITOR,
  type PulseState,
  type CheckState,
} from './state.js';
export {
  readLedger,
  updateLedger,
  parseLedger,
  peersOf,
  channelId,
  PULSE_LEDGER_KEY,
  CLAIM_LEASE_SECONDS,
  CLOCK_AHEAD_SECONDS,
  DEFAULT_FRESH_SECONDS,
  type PulseLedger,
  type LedgerMonitor,
  type LedgerClaim,
  type LedgerUndelivered,
} from './ledger.js';
export {
  sendWebhooks,
  validateWebhooks,
  webhookRequest,
  webhookHost,
  webhookPayload,
  type WebhookConfig,
  type WebhookFormat,
  type WebhookPayload,
  type WebhookResult,
  type SendWebhooksOptions,
} from './webhooks.js';
export {
  publishPulseStatus,
  pulseStatus,
  renderBadge,
  monitorStatusKey,
  monitorsView,
  type MonitorView,
  PULSE_JSON_KEY,
  PULSE_BADGE_KEY,
  type PulseStatus,
} from './publish.js';
export {
  renderMetrics,
  metricsTarget,
  writeMetricsFile,
  publishPulseMetrics,
  PULSE_METRICS_KEY,
  METRICS_CONTENT_TYPE,
  type RenderMetricsOptions,
} from './metrics.js';
