import type { Expectation } from '../spec/model.ts';
import { privilegeList } from './privileges.ts';

/** A short name for an expectation before it is evaluated: `table public.users`, `policy "x" on storage.objects`. */
export function describeExpectation(exp: Expectation): string {
  switch (exp.kind) {
    case 'trigger':
      return `trigger ${exp.entry.trigger} on ${exp.entry.table}`;
    case 'policy':
      return `policy ${exp.entry.policy} on ${exp.entry.table}`;
    case 'constraint':
      return `constraint ${exp.entry.constraint} on ${exp.entry.table}`;
    case 'index':
      return `index ${exp.entry.index}`;
    case 'foreignKey': {
      const fk = exp.entry.foreignKey;
      return `foreign key ${fk.table}(${fk.columns.join(', ')}) -> ${fk.references}`;
    }
    case 'privilege': {
      const p = exp.entry.privilege;
      return `privilege ${p.role} ${privilegeList(p.privileges).join(', ')} on ${p.on}`;
    }
    case 'materializedView':
      return `materialized view ${exp.entry.materializedView}`;
    case 'server':
      return 'server';
    case 'query': {
      const text = exp.entry.query.trim().replace(/\s+/g, ' ');
      return `query ${text.length > 60 ? `${text.slice(0, 57)}...` : text}${exp.entry.as ? ` as ${exp.entry.as.role}` : ''}`;
    }
    default: {
      const entry = exp.entry as Record<string, unknown>;
      return `${exp.kind} ${String(entry[exp.kind])}`;
    }
  }
}
