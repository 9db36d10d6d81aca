// The package's programmatic API: typed spec authoring and spec loading.

export { defineConfig, type Config } from './cli/config.ts';
export { defineSpec } from './spec/define.ts';
export { loadSpecs } from './spec/load.ts';
export { PgspecError, SpecError, UsageError, TargetError } from './errors.ts';
export type { ChangeDecl, ChangeKind, Entry, Expectation, Kind, Phase, Spec, SpecInput } from './spec/model.ts';
export type { Snapshot } from './snapshot/types.ts';
