/** A concurrency bound shared by several batches of work. */
export type Limiter = <T>(job: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limiter {
  const max = Number.isFinite(concurrency) && concurrency >= 1 ? Math.floor(concurrency) : 1;
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    active--;
    const next = waiting.shift();
    if (next) next();
  };
  return <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = (): void => {
        active++;
        job().then(resolve, reject).finally(release);
      };
      if (active < max) run();
      else waiting.push(run);
    });
}

export const DEFAULT_CONCURRENCY = 32;
