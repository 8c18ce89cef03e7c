// One seed per property suite, printed so that any run can be replayed:
// `FOO_SEED=1234 pnpm test` runs exactly the same cases again.

/**
 * The seed for the property tests read from `envName`, else `fallback` (a suite
 * that must cover the same cases on every run), else a fresh one. Either way it
 * is printed once, with the line that replays the run.
 */
export function propertySeed(envName: string, label: string, fallback?: number): number {
  const given = process.env[envName];
  let seed: number;
  if (given === undefined || given === '') {
    seed = fallback ?? Math.floor(Math.random() * 2 ** 31);
  } else {
    seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`${envName} must be an integer seed, not ${JSON.stringify(given)}`);
  }
  console.log(`${label}: fast-check seed ${seed} (replay with ${envName}=${seed})`);
  return seed;
}
