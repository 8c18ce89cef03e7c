// `@svcmon/store/evaluate`: the pure pieces of the store (no I/O, no Node built-ins), for the
// dashboard's script, which carries a built copy of them, so that the page and the pulse judge
// a task by the very same code.
export { evaluateTask, FUTURE_TOLERANCE_SECONDS } from './verdict.js';
export type { TaskEvaluation, TaskEvidence, TaskState } from './verdict.js';
export { parseHeartbeat } from './heartbeat.js';
export { parseRunState } from './runs.js';
export { durationText, elapsedText } from './duration.js';
