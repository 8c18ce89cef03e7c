// pause-task / resume-task: edit one task's `paused-until` / `paused?` in place, keeping its other keys.
import { SCHEMA, type Config, type Where } from '@svcmon/store';
import { editConfig, type EditOptions, type EditResult } from './_edit.js';
import { validateName } from './_validate.js';
import { ConfigError, type ConfigFunction } from './errors.js';

export interface PauseOptions extends EditOptions {
  /** Pause until this time (a Date, or unix seconds), which must be in the future; without it the task is paused until resumed. */
  until?: Date | number;
  /** The clock that says what is past (default: `() => new Date()`). */
  now?: () => Date;
}

function editTask(
  fn: ConfigFunction,
  where: Where,
  name: string,
  options: EditOptions,
  change: (task: Record<string, unknown>) => Record<string, unknown>,
): Promise<EditResult> {
  const wanted = validateName(fn, 'task', name);
  return editConfig(fn, where, options, (config: Config) => {
    const tasks = Array.isArray(config.tasks) ? (config.tasks as Record<string, unknown>[]) : [];
    const i = tasks.findIndex((t) => typeof t === 'object' && t !== null && t.name === wanted);
    if (i < 0) {
      throw new ConfigError('E_INVALID_ENTRY', `${fn}: there is no task named ${JSON.stringify(wanted)}`, { fn, key: 'name', value: wanted });
    }
    const before = tasks[i]!;
    const after = change(before);
    const same = Object.keys(before).length === Object.keys(after).length && Object.entries(after).every(([k, v]) => before[k] === v);
    // Unchanged: the very same config object, so that nothing is written.
    return same ? config : ({ ...config, tasks: tasks.map((t, j) => (j === i ? after : t)) } as Config);
  });
}

function without(task: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...task };
  for (const k of keys) delete copy[k];
  return copy;
}

/**
 * Pause a task: the pulse reports it as paused (healthy) until `until`, or until `resumeTask`.
 * Stored as `paused-until` (exact integer of unix seconds) or `paused? #t`; other keys are kept.
 */
export async function pauseTask(where: Where, name: string, options: PauseOptions = {}): Promise<EditResult> {
  const { until, now = () => new Date(), ...edit } = options;
  let seconds: number | undefined;
  if (until !== undefined) {
    seconds = typeof until === 'number' ? until : Math.floor(until.getTime() / 1000);
    const type = SCHEMA.task.keys['paused-until']!.type;
    if (type.read(seconds) === undefined) {
      throw new ConfigError('E_INVALID_ENTRY', `pause-task: paused-until must be ${type.want}, got ${String(until)}`, {
        fn: 'pause-task',
        key: 'paused-until',
        value: until,
      });
    }
    const current = Math.floor(now().getTime() / 1000);
    if (seconds <= current) {
      const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
      throw new ConfigError(
        'E_INVALID_ENTRY',
        `pause-task: the pause would end at ${iso(seconds)}, which is not in the future (now: ${iso(current)}); give a later time, or none to pause until resume-task`,
        { fn: 'pause-task', key: 'paused-until', value: until },
      );
    }
  }
  return editTask('pause-task', where, name, edit, (task) =>
    seconds === undefined
      ? { ...without(task, 'paused-until'), 'paused?': true }
      : { ...without(task, 'paused?'), 'paused-until': seconds },
  );
}

/** Resume a paused task (drops `paused-until` and `paused?`). */
export function resumeTask(where: Where, name: string, options: EditOptions = {}): Promise<EditResult> {
  return editTask('resume-task', where, name, options, (task) => without(task, 'paused-until', 'paused?'));
}
