import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PgspecError } from '../errors.ts';
import { parseSnapshot, serializeSnapshot } from '../snapshot/serialize.ts';
import type { Snapshot } from '../snapshot/types.ts';

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

/** Writes a snapshot in its canonical form, creating the parent folders as needed. */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serializeSnapshot(snapshot), 'utf8');
}
