// Times introspect() on 2,000 tables (10 columns, a primary key, an index, a foreign key to the
// previous table and a check each): median of 5 runs, exact and estimated row counts of all tables.
// "reused": one connection for all runs (catalog caches warm after the first);
// "fresh": a new connection per run, as `pgspec snapshot` does (cold backend caches).
// Run: npm run bench:snapshot   (TABLES=n to change the size)
import pg from 'pg';
import { introspect } from '../src/catalog/introspect.ts';
import { serializeSnapshot } from '../src/snapshot/serialize.ts';
import { startEmbedded } from '../src/targets/embedded.ts';

const TABLES = Number(process.env.TABLES ?? 2000);
await using cluster = await startEmbedded();
await cluster.createDatabase('bench');
const client = new pg.Client({ connectionString: cluster.url('bench') });
await client.connect();
try {
  const ddl: string[] = [];
  for (let i = 0; i < TABLES; i++) {
    const cols = Array.from({ length: 8 }, (_, c) => `c${c} ${c % 2 ? 'text' : 'integer'}`).join(', ');
    ddl.push(
      `CREATE TABLE public.t${i} (id bigint PRIMARY KEY, prev_id bigint${i ? ` REFERENCES public.t${i - 1}(id)` : ''}, ${cols}, CHECK (c0 > 0));`,
    );
    ddl.push(`CREATE INDEX t${i}_c2 ON public.t${i} (c2);`);
  }
  const t0 = performance.now();
  for (let i = 0; i < ddl.length; i += 400) await client.query(ddl.slice(i, i + 400).join('\n'));
  console.log(`created ${TABLES} tables in ${Math.round(performance.now() - t0)} ms`);
  await client.query('ANALYZE');

  const cases = [
    ['exact', 'reused'],
    ['estimate', 'reused'],
    ['exact', 'fresh'],
    ['estimate', 'fresh'],
  ] as const;
  for (const [counts, connection] of cases) {
    const times: number[] = [];
    let size = 0;
    for (let run = 0; run < 5; run++) {
      const c = connection === 'fresh' ? new pg.Client({ connectionString: cluster.url('bench') }) : client;
      if (c !== client) await c.connect();
      const start = performance.now();
      const snapshot = await introspect(c, { counts, countTables: 'all' });
      times.push(performance.now() - start);
      if (c !== client) await c.end();
      size = serializeSnapshot(snapshot).length;
      if (Object.keys(snapshot.tables).length !== TABLES) throw new Error('wrong table count');
      if (Object.keys(snapshot.rowCounts).length !== TABLES) throw new Error('wrong row count count');
    }
    times.sort((a, b) => a - b);
    console.log(
      `introspect counts=${counts} connection=${connection}: median ${Math.round(times[2]!)} ms ` +
        `(runs: ${times.map((t) => Math.round(t)).join(', ')}), snapshot ${(size / 1e6).toFixed(1)} MB`,
    );
  }
} finally {
  await client.end();
}
