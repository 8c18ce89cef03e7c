export type { ListedFolder, ListedObject, ListEntry, ListOptions, ReadOptions, PutOptions, Store, StoredObject, StoreOptions } from './types.js';
export { StoreError, isStoreError } from './errors.js';
export { MAX_CONFIG_BYTES, MAX_FAILURE_BYTES, MAX_OUTPUT_BYTES, MAX_RECORD_BYTES, MAX_STATE_BYTES } from './_bounds.js';
export { MAX_KEY_BYTES, MAX_SEGMENT_BYTES, abridged, compareKeys } from './_keys.js';
export type { StoreErrorCode, StoreErrorDetails } from './errors.js';
export { openStore } from './where.js';
export type { Where } from './where.js';
export { dirStore, requireFolder } from './dir.js';
export type { DirStoreOptions } from './dir.js';
export { MAX_TIMER_MS, maxTimeoutMs, s3Store, regionFromLocationConstraint } from './s3.js';
export type { S3StoreOptions } from './s3.js';
export {
  HEARTBEAT_CACHE_CONTROL,
  HEARTBEAT_CONTENT_TYPE,
  formatHeartbeat,
  formatRfc2822,
  heartbeatKey,
  parseHeartbeat,
  readHeartbeat,
  writeHeartbeat,
} from './heartbeat.js';
export type { Heartbeat } from './heartbeat.js';
export {
  CONFIG_CONTENT_TYPE,
  CONFIG_KEY,
  DEFAULT_PERIOD,
  DEFAULT_TIMEOUT,
  configFromObject,
  configReadError,
  hashKindOf,
  keepHashKind,
  parseConfig,
  readConfig,
  stringifyConfig,
  writeConfig,
} from './config-model.js';
export {
  CONTROL_CHARACTERS,
  INVISIBLE_CHARACTERS,
  quotedText,
  shownText,
  MAX_UNIX_SECONDS,
  SCHEMA,
  assertTaskName,
  configPosition,
  describeEntryValue,
  describeValue,
  flagName,
  isCronSchedule,
  hideCredentials,
  isHttpUrl,
  isTimeZone,
  problemsText,
  readEntry,
  schemaTable,
  siteSettings,
  taskNameProblem,
  nameKeyProblem,
  missingRequirement,
  taskSettings,
} from './schema.js';
export type { ConfigProblem, EntryKind, EntryReading, KeyDecl, KindDecl, SiteSettings, TaskSettings, ValueType } from './schema.js';
export { durationText, elapsedText, parseDuration, racketDate, secondsText } from './duration.js';
export {
  FUTURE_TOLERANCE_SECONDS,
  dueSince,
  evaluateTask,
  expectationText,
  latestScheduled,
  needsFailureRecord,
  publicTaskReason,
} from './verdict.js';
export type { TaskEvaluation, TaskEvidence, TaskState } from './verdict.js';
export type { Config, EmailEntry, HtmlEntry, SiteEntry, TaskEntry } from './config-model.js';
export {
  RUN_CONTENT_TYPE,
  failureKey,
  formatRunState,
  parseRunState,
  readFailureRecord,
  readRunState,
  runStateKey,
  updateRunState,
  writeFailureRecord,
} from './runs.js';
export type { FailureRecord, RunFailedSummary, RunStarted, RunState } from './runs.js';
export { UPDATE_ATTEMPTS, updateObject } from './update.js';
export type { UpdateOptions, UpdateResult, UpdateStep } from './update.js';
