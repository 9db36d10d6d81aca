// Builds a module of src/ the way bin/pgspec.js builds the CLI (esbuild, one ESM bundle, no
// name-keeping helpers, each source keeping its own import.meta.url), so in-process timings
// measure the code the CLI runs rather than tsx's development build of it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export async function bundleModule(entry: string, outDir: string): Promise<string> {
  await build({
    entryPoints: { entry },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: outDir,
    logLevel: 'silent',
    plugins: [
      {
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
  return pathToFileURL(join(outDir, 'entry.js')).href;
}
