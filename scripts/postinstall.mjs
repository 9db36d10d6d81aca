// npm install runs this: `pgspec setup` builds the CLI bundle and initialises the embedded
// PostgreSQL cluster kept in node_modules/.cache/pgspec, so that the first real run does not
// pay for them. Best effort: a failure here only means the first run does that work itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.PGSPEC_SKIP_SETUP) process.exit(0);
const bin = fileURLToPath(new URL('../bin/pgspec.js', import.meta.url));
const run = spawnSync(process.execPath, [bin, 'setup'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (run.status !== 0) {
  const why = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-1)[0] || (run.error?.message ?? `exit ${run.status}`);
  process.stderr.write(`pgspec: setup skipped (${why}); the first run prepares the cache instead\n`);
}
process.exit(0);
