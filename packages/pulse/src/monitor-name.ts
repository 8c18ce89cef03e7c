// The rule for a monitor's name (`selfName`, `svcmon pulse --beat NAME`): a task name (it is the
// monitor's own task and heartbeat), whose URI-encoded form also names the monitor's state, what it
// read and its status. Judged before a pulse runs, so that a monitor never checks and mails first
// and then finds it cannot record what it did.
import { StoreError, abridged, nameKeyProblem, taskNameProblem } from '@svcmon/store';
import { pulseReadsKey } from './_reads.js';
import { monitorStatusKey } from './publish.js';
import { pulseStateKey } from './state.js';

/**
 * Why `name` cannot be a monitor's name, or undefined: the task-name rule (`taskNameProblem`),
 * and its objects (`pulse/<name>.status.json`, `svcmon-pulse-state/<name>.json` and
 * `svcmon-pulse-state/reads/<name>.json`, the name URI-encoded) within every store's key limits,
 * behind `prefix` (the store's prefix, when known).
 */
export function monitorNameProblem(name: unknown, prefix = ''): string | undefined {
  const why = taskNameProblem(name, prefix);
  if (why !== undefined || typeof name !== 'string') return why;
  const encoded = encodeURIComponent(name);
  const keys = [monitorStatusKey(name), pulseReadsKey(name), pulseStateKey(name)].map((key) => [key, key.replace(encoded, '<name, URI-encoded>')] as const);
  return nameKeyProblem('monitor name', keys, prefix);
}

/** Throws StoreError E_BAD_KEY naming the name when it breaks the rule of monitorNameProblem. */
export function assertMonitorName(name: unknown, prefix = ''): asserts name is string {
  const why = monitorNameProblem(name, prefix);
  if (why === undefined) return;
  const shown = typeof name === 'string' ? JSON.stringify(abridged(name)) : String(name);
  throw new StoreError('E_BAD_KEY', `invalid monitor name ${shown}: ${why}`, { key: typeof name === 'string' ? name : '' });
}
