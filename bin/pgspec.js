#!/usr/bin/env node
// Entry point: register the TypeScript loader (specs may be *.spec.ts too), then run the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
