import type { CheckResult } from '../check/result.ts';
import { problemsOf } from './format.ts';
import { closingLine, type Reporter } from './reporter.ts';

/** At most this many objects of a glob are listed in one annotation. */
const MAX_FAILURES = 20;

/** Escapes the message of a workflow command, as GitHub's runner unescapes it. */
export const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** Escapes a property value (`file=`, `title=`): also `:` and `,`, which end a value. */
export const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

function command(name: 'error' | 'warning' | 'notice', properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

function messageOf(r: CheckResult): string {
  const lines = [r.message];
  if (r.expected !== undefined) lines.push(`expected: ${JSON.stringify(r.expected)}`);
  if (r.actual !== undefined) lines.push(`actual: ${JSON.stringify(r.actual)}`);
  // One failing object is the message itself; a glob lists each of several.
  const failures = r.failures && r.failures.length > 1 ? r.failures : [];
  for (const f of failures.slice(0, MAX_FAILURES)) lines.push(`- ${f.object}: ${f.message}`);
  if (failures.length > MAX_FAILURES) lines.push(`... and ${failures.length - MAX_FAILURES} more`);
  return lines.join('\n');
}

/**
 * The github reporter: GitHub Actions workflow commands. One `::error` per failed expectation
 * and one `::warning` per errored one (it could not be evaluated), each on the spec file and
 * line; a run that could not be carried out is one `::error title=pgspec`; a finished run ends
 * with one `::notice title=pgspec::N passed, N failed`.
 */
export const githubReporter: Reporter = {
  render(run) {
    if (run.error) return `${command('error', { title: 'pgspec' }, `${run.error.message} (${run.error.code})`)}\n`;
    const lines = problemsOf(run).map(({ spec, result: r }) =>
      command(r.state === 'failed' ? 'error' : 'warning', { file: spec.file, line: r.line, title: `pgspec ${r.state}: ${r.object} (${r.phase})` }, messageOf(r)),
    );
    lines.push(command('notice', { title: 'pgspec' }, closingLine(run)));
    return `${lines.join('\n')}\n`;
  },
};
