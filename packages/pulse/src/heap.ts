import { setFlagsFromString } from 'node:v8';

/**
 * Keep V8's young generation at its starting size for the rest of the process. A pulse keeps
 * little alive (its config, the verdicts, what it remembered) but makes a lot of short-lived
 * garbage per request; by default V8 lets the young generation grow to 64 MiB for it (Node 24),
 * more than the live data of a 10,000-task pulse. Kept at its first size, a warm 10,000-task
 * pulse peaks at 151 MiB instead of 203 MiB in the same time (BENCHMARKS.md, "A quiet machine").
 *
 * For a process of its own that takes pulses (the `svcmon` command calls it before a pulse):
 * the setting is the whole process's. V8 reads it each time the young generation would grow,
 * so calling this early has the effect of starting Node with `--semi-space-growth-factor=1`.
 */
export function limitYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
