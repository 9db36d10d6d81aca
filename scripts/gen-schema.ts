// Writes schema/pgspec.schema.json from the zod spec model: `npm run schema`.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from '../src/spec/json-schema.ts';

const target = fileURLToPath(new URL('../schema/pgspec.schema.json', import.meta.url));
await writeFile(target, renderJsonSchema());
console.log(`wrote ${target}`);
