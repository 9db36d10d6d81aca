import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A ScriptPart is one statement of a SQL script, a COPY with its inline data, or a psql meta-command. */
export type ScriptPart =
  | { type: 'sql'; text: string; line: number }
  | { type: 'copy'; text: string; line: number; data: string }
  | { type: 'meta'; text: string; line: number };

/**
 * Splits a SQL script (a plain pg_dump file, a migration) into statements, knowing enough of
 * PostgreSQL's lexer (strings, quoted identifiers, dollar quotes, comments) that semicolons and
 * backslashes inside them do not split. `COPY ... FROM stdin;` takes the data lines up to `\.`;
 * a backslash line at a statement start is a psql meta-command (pg_dump writes `\connect`, `\restrict`).
 */
export function splitScript(text: string): ScriptPart[] {
  const parts: ScriptPart[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let start = 0;
  let startLine = 1;
  let significant = false; // has the current statement any non-comment text yet?

  const flush = (end: number) => {
    const stmt = text.slice(start, end).trim();
    if (significant && stmt) parts.push({ type: 'sql', text: stmt, line: startLine });
    significant = false;
  };
  const advanceTo = (j: number) => {
    // From newline to newline: long stretches (COPY data, comments, strings) are not read char by char.
    for (let k = text.indexOf('\n', i); k !== -1 && k < j; k = text.indexOf('\n', k + 1)) line++;
    i = j;
  };
  const startStatement = () => {
    start = i;
    startLine = line;
  };

  while (i < n) {
    const ch = text[i]!;
    if (!significant) {
      if (ch === '\n' || ch === ' ' || ch === '\t' || ch === '\r') {
        advanceTo(i + 1);
        startStatement();
        continue;
      }
      if (ch === '\\') {
        const eol = text.indexOf('\n', i);
        const end = eol < 0 ? n : eol;
        parts.push({ type: 'meta', text: text.slice(i, end).trim(), line });
        advanceTo(end);
        startStatement();
        continue;
      }
    }
    if (ch === '-' && text[i + 1] === '-') {
      const eol = text.indexOf('\n', i);
      advanceTo(eol < 0 ? n : eol);
      if (!significant) startStatement();
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      advanceTo(j);
      if (!significant) startStatement();
      continue;
    }
    if (!significant) {
      significant = true;
      start = i;
      startLine = line;
    }
    if (ch === "'" || ch === '"') {
      // E'...' strings may escape quotes with a backslash.
      const escapes = ch === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? ' ');
      let j = i + 1;
      while (j < n) {
        if (escapes && text[j] === '\\') j += 2;
        else if (text[j] === ch) {
          if (text[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      advanceTo(Math.min(j + 1, n));
      continue;
    }
    if (ch === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (tag && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        advanceTo(close < 0 ? n : close + tag[0].length);
        continue;
      }
    }
    if (ch === ';') {
      const stmt = text.slice(start, i + 1).trim();
      const copy = /^copy\s[\s\S]*\sfrom\s+stdin\b/i.test(stmt);
      advanceTo(i + 1);
      if (copy) {
        // Data runs from the next line up to a line holding only `\.`.
        const eol = text.indexOf('\n', i);
        const dataStart = eol < 0 ? n : eol + 1;
        const endMatch = /^\\\.\r?$/m.exec(text.slice(dataStart));
        const dataEnd = endMatch ? dataStart + endMatch.index : n;
        parts.push({ type: 'copy', text: stmt, line: startLine, data: text.slice(dataStart, dataEnd) });
        const after = endMatch ? text.indexOf('\n', dataEnd) : n;
        advanceTo(after < 0 ? n : after + 1);
        significant = false;
      } else {
        parts.push({ type: 'sql', text: stmt, line: startLine });
        significant = false;
      }
      startStatement();
      continue;
    }
    advanceTo(i + 1);
  }
  flush(n);
  return parts;
}

/** A ScriptError is a statement of a script that PostgreSQL rejected, with its file and line. */
export class ScriptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly pgMessage: string,
  ) {
    super(`${file}:${line}: ${pgMessage}`);
    this.name = 'ScriptError';
  }
}

/** The line inside a statement that PostgreSQL's error position points at. */
function lineOf(part: ScriptPart, position: string | undefined): number {
  const pos = Number(position);
  if (!Number.isFinite(pos) || pos <= 0) return part.line;
  return part.line + (part.text.slice(0, pos - 1).match(/\n/g)?.length ?? 0);
}

/** Runs a script's parts in order on one connection; meta-commands are skipped (the dump targets this database). */
export async function runScript(client: pg.ClientBase, parts: ScriptPart[], file: string): Promise<void> {
  for (const part of parts) {
    if (part.type === 'meta') continue;
    try {
      if (part.type === 'copy') {
        await pipeline(Readable.from([part.data]), client.query(copyFrom(part.text)));
      } else {
        await client.query(part.text);
      }
    } catch (error) {
      const e = error as { message?: string; position?: string };
      throw new ScriptError(file, lineOf(part, e.position), e.message ?? String(error));
    }
  }
}
