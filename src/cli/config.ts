import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PgspecError, UsageError } from '../errors.ts';
import { importModule } from '../spec/import-module.ts';
import { registerSecret } from '../targets/redact.ts';

/** An Environment is a named target: its URL is read from an environment variable, never stored. */
const EnvironmentSchema = z
  .object({
    /** The environment variable that holds the connection URL, e.g. PROD_DATABASE_URL. */
    urlEnv: z.string().min(1),
    /** Optional: a variable holding the password, masked in all output like URL passwords. */
    passwordEnv: z.string().min(1).optional(),
  })
  .strict();

/** A Config is the project's pgspec.config file: defaults that command-line flags override. */
export const ConfigSchema = z
  .object({
    /** Spec files or folders used when a command names none. */
    specs: z.array(z.string()).optional(),
    /** Default reporters, `NAME[:PATH]`. */
    reporters: z.array(z.string()).optional(),
    environments: z.record(z.string(), EnvironmentSchema).optional(),
    /** Environment used by check/snapshot when neither --target nor --env is given. */
    defaultEnv: z.string().optional(),
    counts: z.enum(['exact', 'estimate']).optional(),
    /** A duration like `30s`, `500ms`, `2min`, or a number of milliseconds. */
    statementTimeout: z.union([z.string(), z.number().int().positive()]).optional(),
    concurrency: z.number().int().positive().optional(),
    gate: z
      .object({
        db: z.string().optional(),
        preset: z.string().optional(),
        baseline: z.string().optional(),
        seed: z.string().optional(),
        migrations: z.string().optional(),
        migrate: z.string().optional(),
        down: z.string().optional(),
        downMigrations: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

/** Config file names looked for in the working directory, in this order. */
export const CONFIG_NAMES = ['pgspec.config.ts', 'pgspec.config.js', 'pgspec.config.json', 'pgspec.config.yaml', 'pgspec.config.yml'];

/** Typed helper for pgspec.config.ts: `export default defineConfig({...})`. */
export function defineConfig(config: Config): Config {
  return config;
}

async function readRaw(path: string): Promise<unknown> {
  if (/\.[mc]?[tj]s$/.test(path)) {
    const mod = (await importModule(path)) as { default?: unknown };
    if (mod.default === undefined) throw new UsageError(`${path}: the config file has no default export`);
    return mod.default;
  }
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`${path}: invalid JSON: ${(error as Error).message}`);
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new UsageError(`${path}: ${doc.errors[0]!.message.split('\n')[0]}`);
  return doc.toJS() as unknown;
}

/** Loads the config named by --config, else the first pgspec.config.* in cwd, else none. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<Config> {
  const path = explicit ? resolve(cwd, explicit) : CONFIG_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
  if (!path) return {};
  if (explicit && !existsSync(path)) throw new UsageError(`config file not found: ${explicit}`);
  let raw: unknown;
  try {
    raw = await readRaw(path);
  } catch (error) {
    if (error instanceof PgspecError) throw error;
    throw new UsageError(`${path}: cannot load the config: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    const detail = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new UsageError(`${path}: ${key ? `${key}: ` : ''}${detail}`);
  }
  return parsed.data;
}

/** The URL of a named environment, read from the variable the config names. */
export function environmentUrl(config: Config, name: string, env: NodeJS.ProcessEnv): string {
  const environment = config.environments?.[name];
  if (!environment) {
    const known = Object.keys(config.environments ?? {});
    throw new UsageError(`unknown environment ${name}${known.length ? `: the config names ${known.join(', ')}` : ': the config names no environments'}`);
  }
  const url = env[environment.urlEnv];
  if (!url) throw new UsageError(`environment ${name}: the variable ${environment.urlEnv} is not set`);
  const password = environment.passwordEnv ? env[environment.passwordEnv] : undefined;
  if (!password) return url;
  registerSecret(password);
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}
