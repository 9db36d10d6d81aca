import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { RunResult } from '../run/result.ts';
import { redact } from '../targets/redact.ts';
import { consoleReporter } from './console.ts';
import { githubReporter } from './github.ts';
import { htmlReporter } from './html.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import type { Reporter } from './reporter.ts';
import { tapReporter } from './tap.ts';

/** The reporters by name, as `--reporter NAME[:PATH]` names them. */
export const REPORTERS: Record<string, Reporter> = {
  console: consoleReporter,
  json: jsonReporter,
  junit: junitReporter,
  markdown: markdownReporter,
  html: htmlReporter,
  github: githubReporter,
  tap: tapReporter,
};

/** A ReporterChoice is one `--reporter NAME[:PATH]`: no path means standard output. */
export interface ReporterChoice {
  name: string;
  path?: string;
}

/** Parses `NAME[:PATH]`, refusing unknown names before anything runs. */
export function parseReporter(value: string): ReporterChoice {
  const i = value.indexOf(':');
  const name = (i < 0 ? value : value.slice(0, i)).trim().toLowerCase();
  const path = i < 0 ? undefined : value.slice(i + 1);
  if (!REPORTERS[name]) throw new UsageError(`unknown reporter ${name}: choose one of ${Object.keys(REPORTERS).join(', ')}`);
  return path ? { name, path } : { name };
}

/** Renders the run with every chosen reporter; passwords are masked in everything written. */
export async function writeReports(run: RunResult, choices: ReporterChoice[], stdout: NodeJS.WritableStream, color: boolean) {
  for (const choice of choices) {
    const text = redact(REPORTERS[choice.name]!.render(run, { color: color && !choice.path }));
    if (choice.path) {
      await mkdir(dirname(choice.path), { recursive: true });
      await writeFile(choice.path, text);
    } else {
      stdout.write(text);
    }
  }
}

// The basic shape of a saved result: enough for every reporter to render it; more fields are allowed.
const CheckResultShape = z.looseObject({
  phase: z.string(),
  kind: z.string(),
  object: z.string(),
  line: z.number().int().optional(),
  state: z.enum(['passed', 'failed', 'errored']),
  message: z.string(),
  matched: z.array(z.string()).optional(),
  failures: z.array(z.looseObject({ object: z.string(), message: z.string() })).optional(),
});
const RunResultShape = z.looseObject({
  version: z.literal(1),
  command: z.enum(['check', 'gate']),
  target: z.string(),
  pgspecVersion: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  summary: z.looseObject({ passed: z.number().int(), failed: z.number().int(), errored: z.number().int() }),
  specs: z.array(z.looseObject({ name: z.string(), file: z.string(), results: z.array(CheckResultShape) })),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  rowCounts: z.looseObject({ pre: z.record(z.string(), z.number()).optional(), post: z.record(z.string(), z.number()).optional() }).optional(),
  diff: z.array(z.string()).optional(),
  steps: z.array(z.looseObject({ step: z.string(), spec: z.string().optional(), durationMs: z.number() })).optional(),
  commands: z
    .array(z.looseObject({ command: z.string(), exitCode: z.number().nullable(), signal: z.string().nullable(), output: z.string(), durationMs: z.number() }))
    .optional(),
});

/** Parses the text of a saved json result (`--reporter json:FILE`), refusing anything else with a UsageError that says why. */
export function parseRunResult(text: string, file: string): RunResult {
  const hint = 'pgspec report reads the file written by --reporter json:FILE';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON (${error instanceof Error ? error.message : String(error)}); ${hint}`);
  }
  const version = typeof data === 'object' && data !== null && !Array.isArray(data) && 'version' in data ? data.version : undefined;
  // A result of another version has a numeric version and specs; anything else is not a result at all (package.json has a version too).
  if (typeof version === 'number' && version !== 1 && 'specs' in (data as object)) {
    throw new UsageError(`${file} is a pgspec result of version ${version}, this pgspec reads version 1`);
  }
  if (version !== 1) throw new UsageError(`${file} is not a pgspec result: it has no "version": 1; ${hint}`);
  const parsed = RunResultShape.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new UsageError(`${file} is not a pgspec result: ${at || 'the top level'}: ${issue.message}; ${hint}`);
  }
  return parsed.data as unknown as RunResult;
}

/** Reads a saved json result for `pgspec report`. */
export async function readRunResult(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`);
  }
  return parseRunResult(text, file);
}
