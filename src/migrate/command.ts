import { spawn, type ChildProcess } from 'node:child_process';
import { redact } from '../targets/redact.ts';

/** A CommandResult is what an external migration command did: its exit and its output (passwords masked). */
export interface CommandResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  durationMs: number;
}

const running = new Set<ChildProcess>();

/** Stops every external command still running (on SIGINT/SIGTERM or teardown). */
export function killRunningCommands(): void {
  for (const child of running) {
    // The command runs in its own process group: signal the whole group.
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }
}

/** The environment an external command gets: DATABASE_URL and the PG* variables of the ephemeral database. */
export function databaseEnv(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    DATABASE_URL: url,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    PGSSLMODE: 'disable',
  };
}

/** Runs a shell command (`npx prisma migrate deploy`, `alembic upgrade head`) against a database. */
export function runCommand(command: string, url: string, cwd = process.cwd()): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: { ...process.env, ...databaseEnv(url) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let output = '';
    const keep = (d: Buffer) => {
      // Keep the last 64 KiB: enough for the report, bounded for chatty tools.
      output = (output + d.toString()).slice(-65_536);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      running.delete(child);
      resolve({ command, exitCode: 127, signal: null, output: redact(`${output}${error.message}`), durationMs: Date.now() - started });
    });
    child.on('close', (exitCode, signal) => {
      running.delete(child);
      resolve({ command, exitCode, signal, output: redact(output), durationMs: Date.now() - started });
    });
  });
}
