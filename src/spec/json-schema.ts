import { z } from 'zod';
import { KIND_ORDER, entrySchema } from './model.ts';
import { TEMPLATE_KEY } from './validate.ts';

// The JSON Schema editors use to complete and check `*.spec.yaml` files, generated from the same
// zod shapes that validate specs (scripts/gen-schema.ts writes schema/pgspec.schema.json).
// Draft-07, because that is what YAML editor plugins understand best. It is a guide for
// editors: keyword spellings are the model's (loading also accepts `BEFORE`, `insteadOf`, ...),
// and which key is the kind (KIND_ORDER) and the exists/map rules are checked on load only.

export const SCHEMA_ID = 'https://pgspec.dev/schema/v1.json';

type Meta = { id?: string; description?: string; examples?: unknown[] };

/** The zod schema of a whole spec file, as an editor should see it, with the registry that documents it. */
export function specFileSchema() {
  // A local registry (not zod's global one): building twice cannot clash on ids, and each
  // entry shape is written once under `definitions`.
  const registry = z.registry<Meta>();
  const doc = <T extends z.ZodType>(schema: T, meta: Meta): T => {
    registry.add(schema, meta);
    return schema;
  };
  const entry = doc(
    z.union(
      KIND_ORDER.map((kind) =>
        doc(entrySchema(kind), { id: `${kind}Entry`, description: `A ${kind} entry: "${kind}" names the object; the other keys are asserted.` }),
      ),
    ),
    { id: 'entry', description: `One expectation. Its kind is the first present key of: ${KIND_ORDER.join(', ')}.` },
  );
  const phase = (description: string) => doc(z.array(entry).optional(), { description });
  const lines = (description: string, example: string) =>
    doc(z.array(doc(z.string().min(1), { examples: [example] })).optional(), { description });
  const file = z
    .object({
      name: doc(z.string().min(1), { description: 'What this spec checks, e.g. drop-duplicate-users-table.' }),
      description: doc(z.string().optional(), { description: 'A sentence for reports.' }),
      pre: phase('Checked before the migration (gate) or with --phase pre.'),
      post: phase('Checked after the migration.'),
      always: phase('Checked in both phases.'),
      changes: lines('The whole intended pre -> post difference: "drop|add|alter KIND NAME [on TABLE]" or "rows TABLE".', 'drop table public.users'),
      ignore: lines('Differences never counted as a change: "KIND NAME [on TABLE]" (a verb is optional).', 'table supabase_migrations.*'),
    })
    .strict();
  return { file, registry };
}

/** The JSON Schema of a spec file, with `$schema`, `$id` and a title. */
export function buildJsonSchema(): Record<string, unknown> {
  const { file, registry } = specFileSchema();
  const { $schema, type, properties, ...rest } = z.toJSONSchema(file, { target: 'draft-7', io: 'input', metadata: registry }) as Record<string, unknown>;
  // Top-level `x-*` and `.*` keys hold YAML anchors (see TEMPLATE_KEY in validate.ts).
  const patternProperties = { [TEMPLATE_KEY.source]: {} };
  return { $schema, $id: SCHEMA_ID, title: 'pgspec spec file (v1)', type, properties, patternProperties, ...rest };
}

/** The committed file's exact text: pretty JSON with a trailing newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
