// A one-line progress indicator on stderr, only on a terminal: a long pulse
// should not look hung. It erases itself before anything else is printed.
import type { Io } from './_io.js';

export interface Progress {
  /** How many checks there are. */
  plan(total: number): void;
  /** Count one more check done (a site answered or timed out, a task was read). */
  done(): void;
  /** Erase the indicator line (before printing something else). */
  clear(): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startProgress(io: Io, label: string, enabled: boolean): Progress {
  if (!enabled) return { plan() {}, done() {}, clear() {}, stop() {} };
  const started = Date.now();
  let total: number | undefined;
  let done = 0;
  let frame = 0;
  let shown = false;
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const count = total === undefined ? '' : `${done} of ${total} checks done, `;
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label} ${io.errColor.dim(`${count}${seconds} s`)}`;
    io.stderr.write(`\r\u001b[K${text}`);
    shown = true;
  };
  const clear = () => {
    if (shown) io.stderr.write('\r\u001b[K');
    shown = false;
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    plan: (n) => void (total = n),
    done: () => void done++,
    clear,
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}
