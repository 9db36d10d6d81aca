import type { RunResult } from '../run/result.ts';

/** A Reporter renders a finished run; it never evaluates anything and never writes by itself. */
export interface Reporter {
  /** Renders the whole run as text for a file or a stream. */
  render(run: RunResult, options: RenderOptions): string;
}

/** RenderOptions carry presentation choices only. */
export interface RenderOptions {
  /** Use ANSI colours (console only). */
  color: boolean;
}

/** The closing line: exactly `N passed, N failed`, plus `, N errored` when any errored. */
export function closingLine(run: RunResult): string {
  const { passed, failed, errored } = run.summary;
  return `${passed} passed, ${failed} failed${errored > 0 ? `, ${errored} errored` : ''}`;
}
