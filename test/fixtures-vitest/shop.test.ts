// Run by test/e2e/vitest-integration.test.ts in a nested vitest, against PGSPEC_TARGET.
import { pgspecTests } from '../../src/vitest.ts';

await pgspecTests('specs/example.spec.yaml', { target: process.env.PGSPEC_TARGET! });
