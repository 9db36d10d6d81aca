import { redact } from '../targets/redact.ts';

/** A Progress reports what a long run is doing: a live line on a terminal, timestamped lines elsewhere. */
export interface Progress {
  (message: string): void;
  /** Clears the live line (call before printing the report). */
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * On a TTY (and not CI), one status line rewritten in place with a spinner and the seconds the
 * current step has taken; with CI=true or no TTY, one timestamped line per step; quiet, nothing.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, env: NodeJS.ProcessEnv, quiet: boolean): Progress | undefined {
  if (quiet) return undefined;
  const live = !!stream.isTTY && env.CI !== 'true' && !env.NO_COLOR;
  if (!live) {
    const plain = ((message: string) => {
      stream.write(`[${new Date().toISOString().slice(11, 19)}] ${redact(message)}\n`);
    }) as Progress;
    plain.done = () => undefined;
    return plain;
  }
  let current = '';
  let since = Date.now();
  let frame = 0;
  const draw = () => {
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current} \x1b[2m${seconds}s\x1b[22m`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  const progress = ((message: string) => {
    current = redact(message);
    since = Date.now();
    draw();
  }) as Progress;
  progress.done = () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
  return progress;
}
