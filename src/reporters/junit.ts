import { create } from 'xmlbuilder2';
import type { CheckResult } from '../check/result.ts';
import type { Reporter } from './reporter.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function text(r: CheckResult): string {
  const lines = [r.message];
  if (r.expected !== undefined) lines.push(`expected: ${JSON.stringify(r.expected)}`);
  if (r.actual !== undefined) lines.push(`actual: ${JSON.stringify(r.actual)}`);
  for (const f of r.failures ?? []) lines.push(`- ${f.object}: ${f.message}`);
  return lines.join('\n');
}

/** The junit reporter: one testsuite per spec, one testcase per expectation. */
export const junitReporter: Reporter = {
  render(run) {
    const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
      name: `pgspec ${run.command}`,
      tests: run.summary.passed + run.summary.failed + run.summary.errored,
      failures: run.summary.failed,
      errors: run.summary.errored + (run.error ? 1 : 0),
      time: seconds(run.durationMs),
    });
    if (run.error) {
      const suite = root.ele('testsuite', { name: 'pgspec', tests: 1, failures: 0, errors: 1 });
      suite.ele('testcase', { name: 'target', classname: 'pgspec' }).ele('error', { message: run.error.message, type: run.error.code }).txt(run.error.message);
    }
    for (const spec of run.specs) {
      const count = (s: CheckResult['state']) => spec.results.filter((r) => r.state === s).length;
      const suite = root.ele('testsuite', {
        name: spec.name,
        file: spec.file,
        tests: spec.results.length,
        failures: count('failed'),
        errors: count('errored'),
      });
      for (const r of spec.results) {
        const tc = suite.ele('testcase', {
          name: `${r.phase}: ${r.object}`,
          classname: spec.name,
          file: spec.file,
          ...(r.line ? { line: r.line } : {}),
        });
        if (r.state === 'failed') tc.ele('failure', { message: r.message, type: r.kind }).txt(text(r));
        if (r.state === 'errored') tc.ele('error', { message: r.message, type: r.kind }).txt(text(r));
      }
    }
    return `${root.end({ prettyPrint: true })}\n`;
  },
};
