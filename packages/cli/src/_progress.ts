// A one-line progress indicator on stderr, only on a terminal: a long pulse
// should not look hung. It erases itself before anything else is printed.
import type { Io } from './_io.js';

export interface Progress {
  /** Count one more step (a site pinged, a task checked). */
  step(): void;
  /** Erase the indicator line (before printing something else). */
  clear(): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startProgress(io: Io, label: string, enabled: boolean): Progress {
  if (!enabled) return { step() {}, clear() {}, stop() {} };
  const started = Date.now();
  let steps = 0;
  let frame = 0;
  let shown = false;
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label} ${io.errColor.dim(`${steps} checks started, ${seconds} s`)}`;
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
    step: () => void steps++,
    clear,
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}
