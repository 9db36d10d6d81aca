import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import type { RunResult } from '../run/result.ts';
import { redact } from '../targets/redact.ts';
import { consoleReporter } from './console.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import type { Reporter } from './reporter.ts';

/** The reporters by name, as `--reporter NAME[:PATH]` names them. */
export const REPORTERS: Record<string, Reporter> = {
  console: consoleReporter,
  json: jsonReporter,
  junit: junitReporter,
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
