// What part f of the benchmark times, bundled by bench/lib/bundle.ts as the CLI is.
export { initSqlParser } from '../../src/check/sql-text.ts';
export { evaluateSpecs } from '../../src/run/check.ts';
export { parseSnapshot } from '../../src/snapshot/serialize.ts';
export { loadSpecs } from '../../src/spec/load.ts';
