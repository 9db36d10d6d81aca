import type { Kind, Phase } from '../spec/model.ts';

export type CheckState = 'passed' | 'failed' | 'errored';

/** An ObjectFailure is why one object matched by an expectation failed. */
export interface ObjectFailure {
  object: string;
  message: string;
}

/** A CheckResult is the verdict of one expectation: data, never an exception. */
export interface CheckResult {
  phase: Phase | 'changes' | 'roundtrip' | 'migrate' | 'setup';
  kind: Kind | 'changes' | 'roundtrip' | 'migration' | 'setup';
  /** What the expectation is about, e.g. `table public.users`. */
  object: string;
  line?: number;
  state: CheckState;
  /** One human line naming the object. */
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** For globs: every object the pattern matched. */
  matched?: string[];
  /** For globs: each matched object that failed and why. */
  failures?: ObjectFailure[];
}

/** A Mismatch is one property of one object that does not hold. */
export interface Mismatch {
  property: string;
  expected: unknown;
  actual: unknown;
  /** Optional full text, when `property: actual, expected X` reads badly. */
  message?: string;
}

/** Renders a value for a one-line message. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return JSON.stringify(value);
}

/** The one-line text of a mismatch. */
export function describeMismatch(m: Mismatch): string {
  return m.message ?? `${m.property} is ${show(m.actual)}, expected ${show(m.expected)}`;
}
