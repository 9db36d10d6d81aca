import type { Reporter } from './reporter.ts';

/** The json reporter: the full RunResult, the input of `pgspec report`. */
export const jsonReporter: Reporter = {
  render: (run) => `${JSON.stringify(run, null, 2)}\n`,
};
