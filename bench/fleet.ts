// Times `pgspec check --targets` over 50 databases (tenants of the bundled shop example) on one
// embedded server, at several --parallel settings, against checking them one by one.
// Run: npm run bench:fleet   (FLEET=n to change the number of databases)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClient } from '../src/targets/client.ts';
import { startEmbedded } from '../src/targets/embedded.ts';
import { runScript, splitScript } from '../src/targets/sql-script.ts';

const FLEET = Number(process.env.FLEET ?? 50);
const RUNS = Number(process.env.RUNS ?? 5);
await using cluster = await startEmbedded();
await cluster.createDatabase('tenant_template');
await withClient(cluster.url('tenant_template'), (c) =>
  runScript(c, splitScript(readFileSync('fixtures/example/shop.sql', 'utf8')), 'shop.sql'),
);
const urls: string[] = [];
for (let i = 0; i < FLEET; i++) {
  await cluster.createDatabase(`tenant_${i}`, 'tenant_template');
  urls.push(cluster.url(`tenant_${i}`));
}
const dir = mkdtempSync(join(tmpdir(), 'pgspec-bench-'));
const file = join(dir, 'fleet.txt');
writeFileSync(file, `${urls.join('\n')}\n`);

const time = (args: string[], databases = FLEET) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/pgspec.js', 'check', 'specs/example.spec.yaml', ...args, '--quiet', '--reporter', `json:${join(dir, 'r.json')}`], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  const summary = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).summary as { passed: number; failed: number };
  if (summary.passed !== 14 * databases || summary.failed !== databases) throw new Error(`unexpected result ${JSON.stringify(summary)} (exit ${r.status})`);
  return ms;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, number[]][] = [];
for (const parallel of [1, 4, 8]) {
  const times = Array.from({ length: RUNS }, () => time(['--targets', file, '--parallel', String(parallel)]));
  rows.push([`--targets, --parallel ${parallel}`, times]);
}
const one = Array.from({ length: RUNS }, () => time(['--target', urls[0]!], 1));
rows.push([`one database (x${FLEET} sequential processes, estimated)`, one.map((t) => t * FLEET)]);
console.log(`\n${FLEET} databases, ${RUNS} runs each, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log('| run | median ms | min | max |\n|---|---|---|---|');
for (const [name, times] of rows) {
  console.log(`| ${name} | ${Math.round(median(times))} | ${Math.round(Math.min(...times))} | ${Math.round(Math.max(...times))} |`);
}
