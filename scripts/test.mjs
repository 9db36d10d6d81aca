// Runs the whole vitest suite and ends with the plain closing line `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let failed = true;
try {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  failed = !report.success || report.numFailedTests > 0 || report.numFailedTestSuites > 0;
} catch {
  console.log('\nvitest wrote no results');
}
// Either signal of failure fails the run: vitest's exit status, or a failure in its results.
process.exit(failed ? Math.max(1, result.status ?? 1) : (result.status ?? 1));
