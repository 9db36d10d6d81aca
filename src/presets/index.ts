import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';

/** The presets pgspec ships: SQL that makes plain PostgreSQL look like a platform to its migrations. */
export const PRESETS = ['supabase'] as const;

/** The SQL of a preset, by name; an unknown name is a usage error. */
export function presetSql(name: string): string {
  if (!(PRESETS as readonly string[]).includes(name)) throw new UsageError(`unknown preset ${name}: choose one of ${PRESETS.join(', ')}`);
  return readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
}
