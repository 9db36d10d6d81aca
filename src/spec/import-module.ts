import { pathToFileURL } from 'node:url';

/** The importer bin/pgspec.js installs: it registers the TypeScript loader (tsx), then imports. */
export const IMPORT_MODULE = Symbol.for('pgspec.importModule');

/**
 * Imports a spec or config written as a module (`.ts`, `.js`, ...). The CLI starts without a
 * TypeScript loader (registering one costs about a tenth of a second, and YAML specs need
 * none), and its bundle runs as a script with V8's code cache, where import() has no loader to
 * call: bin/pgspec.js, an ES module, imports for it, registering the loader first. Without that
 * importer (tests, tsx, vitest) TypeScript already loads.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const href = pathToFileURL(path).href;
  const importer = (globalThis as Record<symbol, unknown>)[IMPORT_MODULE];
  if (typeof importer === 'function') return (await (importer as (href: string) => Promise<unknown>)(href)) as Record<string, unknown>;
  return (await import(href)) as Record<string, unknown>;
}
