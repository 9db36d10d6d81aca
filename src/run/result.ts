import type { CheckResult } from '../check/result.ts';

/** A SpecResult is the verdicts of one spec file, in spec order. */
export interface SpecResult {
  name: string;
  file: string;
  /** In a fleet run (`--targets`): which target these verdicts are for, password masked. */
  target?: string;
  results: CheckResult[];
}

/** A StepTiming is how long one step of a run took (gate: provision, baseline, pre, migrate, post, down, teardown). */
export interface StepTiming {
  step: string;
  spec?: string;
  durationMs: number;
}

/** A RunResult is everything one pgspec run found: the input of every reporter and of `pgspec report`. */
export interface RunResult {
  version: 1;
  command: 'check' | 'gate';
  /** The target, password masked. */
  target: string;
  pgspecVersion: string;
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; errored: number };
  specs: SpecResult[];
  /** Set when the run could not be carried out at all (exit 3), e.g. an unreachable target. */
  error?: { code: string; message: string };
  /** Row counts of the tables counted, before and after (gate) or in the one state (check). */
  rowCounts?: { pre?: Record<string, number>; post?: Record<string, number> };
  /** The structural difference between the pre and post states, one line per change. */
  diff?: string[];
  /** Gate: how long each step took. */
  steps?: StepTiming[];
  /** Fleet runs (`check --targets`): each target's verdict counts, or why it could not be checked. */
  targets?: { target: string; summary: RunResult['summary']; durationMs: number; error?: { code: string; message: string } }[];
  /** Gate: external migration commands with their output (passwords masked). */
  commands?: { command: string; exitCode: number | null; signal: string | null; output: string; durationMs: number }[];
}

/** Counts verdicts over every spec. */
export function summarize(specs: SpecResult[]): RunResult['summary'] {
  const summary = { passed: 0, failed: 0, errored: 0 };
  for (const s of specs) for (const r of s.results) summary[r.state]++;
  return summary;
}

/** The process exit code of a run: 3 infrastructure, 1 any failed or errored, else 0. */
export function exitCodeOf(run: RunResult): 0 | 1 | 3 {
  if (run.error) return 3;
  return run.summary.failed > 0 || run.summary.errored > 0 ? 1 : 0;
}
