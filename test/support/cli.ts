import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { main } from '../../src/cli/main.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of this test run's captured CLI output, scanned for passwords after the run (test/reliability/secrets-scan.setup.ts). */
    pgspecOutputDir?: string;
  }
}

/** This run's output folder, when the secrets scan is set up (it is in the project's vitest config). */
function outputDir(): string | undefined {
  try {
    return inject('pgspecOutputDir');
  } catch {
    return undefined;
  }
}

const logName = `${process.pid}-${randomBytes(4).toString('hex')}.log`;

/** The files a command line writes: `--reporter NAME:PATH`, `-o`/`--output PATH`. */
function writtenFiles(args: string[]): string[] {
  const out: string[] = [];
  args.forEach((arg, i) => {
    const next = args[i + 1];
    if (arg === '--reporter' && next?.includes(':')) out.push(next.slice(next.indexOf(':') + 1));
    if (arg.startsWith('--reporter=') && arg.includes(':')) out.push(arg.slice(arg.indexOf(':') + 1));
    if ((arg === '-o' || arg === '--output') && next) out.push(next);
  });
  return out;
}

/**
 * Appends what a CLI run printed, and every report or snapshot file it wrote, to this run's
 * output log, so that the secrets scan at the end of the run reads everything the suite produced.
 */
export function recordOutput(args: string[], run: CliRun, cwd = process.cwd()): void {
  const dir = outputDir();
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const parts = [`==== pgspec (exit ${run.code})\n`, '---- stdout\n', run.stdout, '\n---- stderr\n', run.stderr, '\n'];
  for (const file of writtenFiles(args)) {
    const path = file.startsWith('/') ? file : join(cwd, file);
    if (existsSync(path) && statSync(path).isFile()) parts.push(`---- file ${file}\n`, readFileSync(path, 'utf8'), '\n');
  }
  appendFileSync(join(dir, logName), parts.join(''));
}

/** Adds a password (of a server a test started) to those the secrets scan looks for. */
export function recordSecret(secret: string): void {
  const dir = outputDir();
  if (!dir) return;
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  writeFileSync(join(dir, 'secrets', `${randomBytes(6).toString('hex')}.txt`), secret);
}

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs the CLI in this process, as `pgspec ARGS`. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await main(['node', 'pgspec', ...args], { stdout: out.stream, stderr: err.stream, env: { ...env } });
  const run = { code, stdout: out.text(), stderr: err.text() };
  recordOutput(args, run);
  return run;
}

/** Runs the real bin/pgspec.js in a child process (what a user types). */
export function runBin(args: string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): Promise<CliRun> {
  const cwd = options.cwd ?? process.cwd();
  const bin = join(process.cwd(), 'bin/pgspec.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const run = { code: code ?? -1, stdout, stderr };
      recordOutput(args, run, cwd);
      resolve(run);
    });
  });
}

/** Writes files into a new temporary folder and returns its path. */
export function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgspec-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The last non-empty line of an output. */
export const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';
