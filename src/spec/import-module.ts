import { pathToFileURL } from 'node:url';

/** The hook bin/pgspec.js installs: it registers the TypeScript loader (tsx) before the first module import. */
export const BEFORE_MODULE_IMPORT = Symbol.for('pgspec.beforeModuleImport');

/**
 * Imports a spec or config written as a module (`.ts`, `.js`, ...). The CLI starts without a
 * TypeScript loader (registering one costs about a tenth of a second, and YAML specs need
 * none): it is registered on the first module import, through the hook bin/pgspec.js installs.
 * Without the hook (tests, tsx, vitest) TypeScript already loads.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const hook = (globalThis as Record<symbol, unknown>)[BEFORE_MODULE_IMPORT];
  if (typeof hook === 'function') await (hook as () => Promise<void>)();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}
