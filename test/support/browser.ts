import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium: the only browser the tests use; no test tool downloads its own. */
export const CHROMIUM = '/usr/bin/chromium';

const run = promisify(execFile);

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** A ChromiumCheck says where Chromium is, or why it cannot be had on this machine. */
export type ChromiumCheck = { path: string } | { reason: string };

/**
 * Makes sure Debian's Chromium is installed: when it is missing and we are root with apt-get,
 * installs it (`apt-get update && apt-get install -y chromium`, about a minute). Never throws:
 * when Chromium cannot be had it returns the reason, for the caller to print and skip.
 */
export async function ensureChromium(): Promise<ChromiumCheck> {
  if (executable(CHROMIUM)) return { path: CHROMIUM };
  if (process.getuid?.() !== 0) return { reason: `${CHROMIUM} is missing and we are not root, so it cannot be installed (apt-get install chromium)` };
  if (!existsSync('/usr/bin/apt-get')) return { reason: `${CHROMIUM} is missing and this machine has no apt-get to install it` };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const options = { env, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 };
    await run('apt-get', ['update'], options);
    await run('apt-get', ['install', '-y', 'chromium'], options);
  } catch (error) {
    const detail = error instanceof Error ? (((error as { stderr?: string }).stderr ?? '').trim().split('\n').slice(-3).join(' / ') || error.message) : String(error);
    return { reason: `${CHROMIUM} is missing and apt-get install chromium failed: ${detail}` };
  }
  return executable(CHROMIUM) ? { path: CHROMIUM } : { reason: `apt-get install chromium ran but ${CHROMIUM} is still missing` };
}

/** A headless Chromium session: its one browser context, and close() which also removes the profile. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with an empty temporary profile and no background network traffic. */
export async function launchChromium(path: string): Promise<ChromiumSession> {
  const profile = mkdtempSync(join(tmpdir(), 'pgspec-chromium-'));
  // Playwright takes the profile folder as userDataDir (it refuses a --user-data-dir argument).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
