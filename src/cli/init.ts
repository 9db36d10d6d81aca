import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The files `pgspec init` scaffolds: template name -> path in the project. */
const FILES: [template: string, target: string][] = [
  ['pgspec.config.yaml', 'pgspec.config.yaml'],
  ['example.spec.yaml', join('specs', 'example.spec.yaml')],
  ['pgspec.yml', join('.github', 'workflows', 'pgspec.yml')],
];

/** What init did with one file. */
export interface InitResult {
  path: string;
  action: 'created' | 'kept';
}

/** Scaffolds a config, an example spec and a GitHub Actions workflow; never overwrites a file. */
export async function init(cwd: string): Promise<InitResult[]> {
  const results: InitResult[] = [];
  for (const [template, target] of FILES) {
    const path = join(cwd, target);
    if (existsSync(path)) {
      results.push({ path: target, action: 'kept' });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await copyFile(new URL(`./templates/${template}`, import.meta.url), path);
    results.push({ path: target, action: 'created' });
  }
  return results;
}
