import pc from 'picocolors';
import type { CheckResult } from '../check/result.ts';
import { closingLine, type Reporter } from './reporter.ts';

const MARK = { passed: '✓', failed: '✗', errored: '!' } as const;

/** The console reporter: each spec and expectation with its verdict and message, then the closing line. */
export const consoleReporter: Reporter = {
  render(run, { color }) {
    const c = pc.createColors(color);
    const paint = { passed: c.green, failed: c.red, errored: c.yellow } as const;
    const lines: string[] = [c.dim(`pgspec ${run.command} · ${run.target}`)];
    if (run.error) lines.push(c.red(`error: ${run.error.message}`));
    for (const spec of run.error ? [] : run.specs) {
      const failed = spec.results.some((r) => r.state !== 'passed');
      lines.push(`${failed ? c.red(MARK.failed) : c.green(MARK.passed)} ${c.bold(spec.name)} ${c.dim(spec.file)}${spec.target ? c.dim(` @ ${spec.target}`) : ''}`);
      for (const r of spec.results) lines.push(...resultLines(r, spec.file, paint, c.dim));
    }
    if (run.diff && run.diff.length > 0 && run.command === 'check') {
      lines.push(c.dim(`changes since the baseline: ${run.diff.length}`));
    }
    // The closing line is plain text, always the last line of output.
    lines.push(closingLine(run));
    return `${lines.join('\n')}\n`;
  },
};

function resultLines(
  r: CheckResult,
  file: string,
  paint: Record<CheckResult['state'], (s: string) => string>,
  dim: (s: string) => string,
): string[] {
  const where = r.line ? dim(` ${file}:${r.line}`) : '';
  const head = `  ${paint[r.state](MARK[r.state])} ${dim(r.phase.padEnd(6))} ${r.message}${r.state === 'passed' ? '' : where}`;
  const out = [head];
  if (r.state === 'failed' && r.failures && r.failures.length > 1) {
    for (const f of r.failures.slice(0, 20)) out.push(`      ${dim('-')} ${f.object}: ${f.message}`);
    if (r.failures.length > 20) out.push(`      ${dim(`... and ${r.failures.length - 20} more`)}`);
  }
  return out;
}
