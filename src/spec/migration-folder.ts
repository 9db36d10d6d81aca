import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { SpecError } from '../errors.ts';
import { compareVersions, TOOLS, versionOfFile, type FolderMigration, type MigrationFolder, type MigrationTool } from './migration-tools.ts';
import type { Expectation, Spec } from './model.ts';

// Migrations folders are read when a spec is loaded, so evaluation stays a pure function of the
// snapshots and the spec: a `pending` check never touches the file system.

/** Alembic revision files: `revision = '1a2b3c'` (or `revision: str = "1a2b3c"`) and `down_revision`. */
const REVISION = /^revision\s*(?::[^=\n]+)?=\s*['"]([^'"]+)['"]/m;
const DOWN_REVISION = /^down_revision\s*(?::[^=\n]+)?=\s*(.+)$/m;

async function alembicRevisions(dir: string): Promise<FolderMigration[]> {
  // `folder: alembic` (the script location, with env.py) means its versions/ folder.
  if (existsSync(join(dir, 'env.py')) && existsSync(join(dir, 'versions'))) return alembicRevisions(join(dir, 'versions'));
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py')
    .map((e) => e.name)
    .sort();
  const out: FolderMigration[] = [];
  for (const file of names) {
    const text = await readFile(join(dir, file), 'utf8');
    const revision = REVISION.exec(text)?.[1];
    if (revision === undefined) continue;
    const down = DOWN_REVISION.exec(text)?.[1] ?? 'None';
    const parents = [...down.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    out.push({ version: revision, file, parents });
  }
  return out;
}

/** Reads a tool's migrations folder: the migrations the tool would run, in the tool's order. */
export async function readMigrationFolder(tool: MigrationTool, dir: string, shown: string): Promise<MigrationFolder> {
  let migrations: FolderMigration[];
  if (tool === 'alembic') {
    migrations = await alembicRevisions(dir);
  } else {
    const entries = await readdir(dir, { withFileTypes: true });
    if (tool === 'prisma') {
      // Prisma: one folder per migration, `20240101120000_init/migration.sql`; the folder name is the migration's name.
      migrations = entries
        .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
        .map((e) => ({ version: e.name, file: `${e.name}/migration.sql` }));
    } else {
      migrations = entries
        .filter((e) => e.isFile())
        .flatMap((e) => {
          const version = versionOfFile(tool, e.name);
          return version === undefined ? [] : [{ version, file: e.name }];
        });
    }
    migrations.sort((a, b) => compareVersions(tool, a.version, b.version) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }
  return { path: shown, migrations };
}

/** Whether an expectation needs its tool's folder: `pending`, and Alembic's `applied` (ancestors of the heads). */
const needsFolder = (exp: Extract<Expectation, { kind: 'migrations' }>) =>
  exp.entry.pending !== undefined || (exp.entry.migrations === 'alembic' && exp.entry.applied !== undefined);

/**
 * Reads the migrations folder of every `migrations` expectation that names one (`folder`,
 * relative to the spec file's folder) or needs one (`pending`: then the tool's default folder,
 * relative to the working directory, as the tool itself looks for it). Returns the spec with
 * each folder attached to its expectation. A folder that cannot be read is a spec error.
 */
export async function withMigrationFolders(spec: Spec, specDir: string, cwd: string = process.cwd()): Promise<Spec> {
  const cache = new Map<string, Promise<MigrationFolder>>();
  const attach = async (exp: Expectation, phase: string): Promise<Expectation> => {
    if (exp.kind !== 'migrations') return exp;
    const { folder, migrations: tool } = exp.entry;
    let abs: string;
    let shown: string;
    if (folder !== undefined) {
      abs = resolve(specDir, folder);
      shown = join(dirname(spec.file), folder);
    } else {
      if (!needsFolder(exp)) return exp;
      abs = resolve(cwd, TOOLS[tool].defaultFolder);
      shown = relative(cwd, abs) || '.';
      if (!existsSync(abs)) {
        // Alembic's `applied` works on the recorded heads alone without a folder.
        if (exp.entry.pending === undefined) return exp;
        throw new SpecError(spec.file, exp.line, undefined, `${phase}[${exp.index}].pending`, `pending needs the ${tool} migrations folder: give folder: (relative to this spec file); the default ${TOOLS[tool].defaultFolder} does not exist in ${cwd}`);
      }
    }
    const key = `${tool}\n${abs}`;
    if (!cache.has(key)) cache.set(key, readMigrationFolder(tool, abs, shown));
    try {
      return { ...exp, folder: await cache.get(key)! };
    } catch (error) {
      const detail = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : error instanceof Error ? error.message : String(error);
      throw new SpecError(spec.file, exp.line, undefined, `${phase}[${exp.index}].folder`, `cannot read the migrations folder ${shown}: ${detail}`);
    }
  };
  const list = async (items: Expectation[], phase: string) => {
    const out: Expectation[] = [];
    for (const exp of items) out.push(await attach(exp, phase));
    return out;
  };
  return { ...spec, pre: await list(spec.pre, 'pre'), post: await list(spec.post, 'post'), always: await list(spec.always, 'always') };
}
