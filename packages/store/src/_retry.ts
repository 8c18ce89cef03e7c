// The one backoff of the store: full jitter (a random wait up to an
// exponentially growing cap), which spreads competing writers and retrying
// clients apart so that one of them gets through each round.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait before try `attempt + 1` (attempt counts from 1): random in [0, min(cap, base·2^(attempt-1))). */
export function jitteredBackoff(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
