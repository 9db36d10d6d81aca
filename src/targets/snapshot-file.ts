import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PgspecError } from '../errors.ts';
import { parseSnapshot, serializeSnapshot } from '../snapshot/serialize.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { redact } from './redact.ts';

/** Reads and validates a `*.snapshot.json` file (exit 2 when missing, unreadable or invalid). */
export async function readSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new PgspecError('SNAPSHOT_UNREADABLE', `${path}: cannot read the snapshot: ${detail}`, 2);
  }
  return parseSnapshot(text, path);
}

/** Masks every known password in every string (keys too) of a JSON value. */
function masked<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(masked) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), masked(v)])) as T;
  }
  return value;
}

/**
 * Writes a snapshot in its canonical form, creating the parent folders as needed. Snapshot files
 * are committed and shared: a password pgspec knows of never goes into one, even where the
 * database itself holds it (a query result, a view definition): it is written as ****.
 */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serializeSnapshot(masked(snapshot)), 'utf8');
}
