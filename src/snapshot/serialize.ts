import { PgspecError } from '../errors.ts';
import { SnapshotSchema, type Snapshot } from './types.ts';

// JSON.stringify cannot sort keys: objects iterate integer-like keys ("2", "10") first in
// numeric order whatever the insertion order. So the writer below emits keys itself.

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function write(value: unknown, indent: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => `${inner}${write(item, inner) ?? 'null'}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries: string[] = [];
  for (const key of Object.keys(value).sort(byCodeUnit)) {
    const text = write((value as Record<string, unknown>)[key], inner);
    if (text !== undefined) entries.push(`${inner}${JSON.stringify(key)}: ${text}`);
  }
  if (entries.length === 0) return '{}';
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/**
 * Writes a snapshot as JSON with object keys sorted at every level (arrays keep their order),
 * two-space indent and a trailing newline, so equal snapshots are equal byte for byte.
 */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${write(snapshot, '') ?? 'null'}\n`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const text = String(part);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text)) return i === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

/** Parses and validates snapshot JSON; `source` (a file name) names it in error messages. */
export function parseSnapshot(text: string, source: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PgspecError('SNAPSHOT_INVALID', `${source}: not a snapshot: invalid JSON (${detail})`, 2);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PgspecError('SNAPSHOT_INVALID', `${source}: not a snapshot: expected a JSON object`, 2);
  }
  const version = (data as { version?: unknown }).version;
  if (version !== 1) {
    throw new PgspecError(
      'SNAPSHOT_INVALID',
      `${source}: unsupported snapshot version ${JSON.stringify(version) ?? 'undefined'} (this pgspec reads version 1); take the snapshot again with this pgspec`,
      2,
    );
  }
  const result = SnapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? formatPath(issue.path) : '(root)';
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new PgspecError(
      'SNAPSHOT_INVALID',
      `${source}: invalid snapshot at ${where}: ${issue?.message ?? 'does not match the snapshot format'}${more}`,
      2,
    );
  }
  return result.data;
}
