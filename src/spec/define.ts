import type { SpecInput } from './model.ts';

/**
 * Declares a TypeScript spec: `export default defineSpec({ name, pre, post })`. Returns its
 * argument unchanged; it exists so editors type-check and complete every key.
 */
export function defineSpec(spec: SpecInput): SpecInput {
  return spec;
}
