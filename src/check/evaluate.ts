import type { Expectation } from '../spec/model.ts';
import { evaluateMigrations } from './migrations.ts';
import { evaluateEnum, evaluateExtension, evaluateRole, evaluateServer } from './misc.ts';
import type { EvalContext } from './objects.ts';
import { evaluatePrivilege } from './privileges.ts';
import { evaluateQuery } from './query.ts';
import type { CheckResult } from './result.ts';
import { evaluateColumn, evaluateSchema, evaluateSequence, evaluateTable, evaluateView } from './relations.ts';
import { evaluateRoutine } from './routines.ts';
import { evaluateConstraint, evaluateForeignKey, evaluateIndex, evaluatePolicy, evaluateTrigger } from './table-parts.ts';

export type { EvalContext } from './objects.ts';

/** Evaluates one expectation against the post state (and the pre state, where needed): pure, in memory. */
export function evaluate(exp: Expectation, ctx: EvalContext): CheckResult {
  switch (exp.kind) {
    case 'schema':
      return evaluateSchema(exp, ctx);
    case 'table':
      return evaluateTable(exp, ctx);
    case 'column':
      return evaluateColumn(exp, ctx);
    case 'view':
    case 'materializedView':
      return evaluateView(exp, ctx);
    case 'sequence':
      return evaluateSequence(exp, ctx);
    case 'index':
      return evaluateIndex(exp, ctx);
    case 'constraint':
      return evaluateConstraint(exp, ctx);
    case 'foreignKey':
      return evaluateForeignKey(exp, ctx);
    case 'trigger':
      return evaluateTrigger(exp, ctx);
    case 'policy':
      return evaluatePolicy(exp, ctx);
    case 'function':
    case 'procedure':
      return evaluateRoutine(exp, ctx);
    case 'enum':
      return evaluateEnum(exp, ctx);
    case 'extension':
      return evaluateExtension(exp, ctx);
    case 'role':
      return evaluateRole(exp, ctx);
    case 'server':
      return evaluateServer(exp, ctx);
    case 'query':
      return evaluateQuery(exp, ctx);
    case 'privilege':
      return evaluatePrivilege(exp, ctx);
    case 'migrations':
      return evaluateMigrations(exp, ctx);
  }
}
