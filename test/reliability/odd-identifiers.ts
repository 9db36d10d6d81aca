// Odd identifiers of the reliability suite: the fixture that creates them and how a spec names them.

/** A SQL identifier, quoted. */
export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** A name as a spec writes it: double-quoted, exact. */
export const specPart = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const ODD_SCHEMA = 'Odd Schema';
/** Table names, each in the odd schema and in public. */
export const ODD_TABLES = [
  'we"ird',
  'with space',
  'dot.ted',
  'ümlaut_表',
  'MixedCase',
  'select',
  'table',
  'x; drop table public.victims; --',
  "Robert'); DROP TABLE public.victims;--",
  '$1',
  '*',
  'a'.repeat(63),
  '表'.repeat(21),
  ' leading and trailing ',
  'emoji_🐘',
];

export const ODD_COLUMNS = ['Col "A"', 'select', 'ü', 'x.y'];

export function oddFixture(): string {
  const lines = [`CREATE SCHEMA ${q(ODD_SCHEMA)};`, 'CREATE TABLE public.victims (id int); INSERT INTO public.victims SELECT generate_series(1, 5);'];
  ODD_TABLES.forEach((t, i) => {
    for (const schema of [ODD_SCHEMA, 'public']) {
      lines.push(`CREATE TABLE ${q(schema)}.${q(t)} (${ODD_COLUMNS.map((c) => `${q(c)} int`).join(', ')});`);
      lines.push(`INSERT INTO ${q(schema)}.${q(t)} SELECT g, g, g, g FROM generate_series(1, ${i + 1}) g;`);
    }
  });
  lines.push(
    `CREATE INDEX ${q('idx; drop table x')} ON ${q(ODD_SCHEMA)}.${q('we"ird')} (${q('Col "A"')});`,
    `ALTER TABLE ${q(ODD_SCHEMA)}.${q('with space')} ENABLE ROW LEVEL SECURITY;`,
    `CREATE POLICY ${q('Users can view "own" rows.')} ON ${q(ODD_SCHEMA)}.${q('with space')} FOR SELECT USING (${q('select')} > 0);`,
    `CREATE FUNCTION ${q(ODD_SCHEMA)}.${q('fn(); drop')}(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1';`,
    `CREATE FUNCTION public.${q('Trig "fn"')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;`,
    `CREATE TRIGGER ${q('on insert; drop')} BEFORE INSERT ON ${q(ODD_SCHEMA)}.${q('dot.ted')} FOR EACH ROW EXECUTE FUNCTION public.${q('Trig "fn"')}();`,
    `CREATE TYPE ${q(ODD_SCHEMA)}.${q('Mood;')} AS ENUM ('it''s ok', '"quoted"', 'ü');`,
  );
  return lines.join('\n');
}

