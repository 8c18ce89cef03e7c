/** A concurrency bound: at most `concurrency` jobs run at once, the rest wait in order. */
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

/** Store reads in flight (heartbeats, run states): S3's request rate and the store's sockets are scarce. */
export const DEFAULT_CONCURRENCY = 32;

/**
 * Site requests in flight. A hanging site costs one idle socket, about 8 KiB of heap and some
 * 45 KiB of RSS until its timeout (measured with 1,000 hanging at once, heap after a full GC),
 * so the bound is set far above any one-timeout workload (Node raises its file limit to the hard
 * limit at start-up) and only keeps a huge config from opening sockets without end.
 */
export const DEFAULT_SITE_CONCURRENCY = 1024;
