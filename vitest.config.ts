import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporary files go to test-output/tmp (emptied before and removed after the run): nothing is left in /tmp.
    globalSetup: ['test/support/tmp-setup.ts'],
    env: { TMPDIR: resolve(import.meta.dirname, 'test-output', 'tmp') },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest leaves one core free by default, which on two cores runs the files one at a time; most
    // files wait on child processes, servers and a browser as much as they compute, so use both.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
