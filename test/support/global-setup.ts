import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedCluster } from '../../src/targets/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL of the test cluster's maintenance database (`postgres`). */
    pgAdminUrl: string;
  }
}

let cluster: EmbeddedCluster | undefined;

/** One real PostgreSQL cluster for the whole test run; each test file makes its own databases. */
export async function setup(project: TestProject) {
  cluster = await startEmbedded();
  project.provide('pgAdminUrl', cluster.url());
}

export async function teardown() {
  await cluster?.stop();
}
