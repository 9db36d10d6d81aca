import { stringify } from 'yaml';
import type { CheckResult } from '../check/result.ts';
import type { RunResult } from '../run/result.ts';
import { closingLine, type Reporter } from './reporter.ts';

/** A TAP description is one line; `#` would start a directive and `\` escapes it. */
const description = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');

/** The YAML diagnostic block of a failed or errored expectation, indented two spaces. */
function diagnostics(file: string, r: CheckResult): string {
  const data: Record<string, unknown> = { message: r.message, severity: r.state === 'failed' ? 'fail' : 'error' };
  if (r.expected !== undefined) data.expected = r.expected;
  if (r.actual !== undefined) data.actual = r.actual;
  data.at = r.line ? `${file}:${r.line}` : file;
  data.kind = r.kind;
  if (r.failures && r.failures.length > 0) data.failures = r.failures.map((f) => ({ object: f.object, message: f.message }));
  const yaml = stringify(data, { lineWidth: 0 }).trimEnd();
  return ['  ---', ...yaml.split('\n').map((l) => `  ${l}`), '  ...'].join('\n');
}

/**
 * The tap reporter: TAP version 14, one test point per expectation (`ok N - PHASE OBJECT`), a
 * `# SPEC` comment before each spec, and a YAML block under each failed or errored one; a run
 * that could not be carried out is `Bail out!`.
 */
export const tapReporter: Reporter = {
  render(run: RunResult) {
    const out = ['TAP version 14'];
    if (run.error) {
      out.push(`Bail out! ${description(run.error.message)}`);
      return `${out.join('\n')}\n`;
    }
    const total = run.specs.reduce((n, s) => n + s.results.length, 0);
    out.push(`1..${total}`);
    let n = 0;
    for (const spec of run.specs) {
      out.push(`# ${description(spec.name)} (${description(spec.file)})`);
      for (const r of spec.results) {
        n++;
        out.push(`${r.state === 'passed' ? 'ok' : 'not ok'} ${n} - ${description(`${r.phase} ${r.object}`)}`);
        if (r.state !== 'passed') out.push(diagnostics(spec.file, r));
      }
    }
    out.push(`# ${closingLine(run)}`);
    return `${out.join('\n')}\n`;
  },
};
