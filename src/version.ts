import { readFileSync } from 'node:fs';

/** The version of pgspec, from its package.json. */
export const PGSPEC_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
