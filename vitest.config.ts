import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporary files go to test-output/tmp (emptied before and removed after the run): nothing is left in /tmp.
    globalSetup: ['test/support/tmp-setup.ts'],
    env: { TMPDIR: resolve(import.meta.dirname, 'test-output', 'tmp') },
    // A test's time limit is only a guard against a hang: CI runs on a shared machine, where the
    // suite took 640 s instead of 90 s with both cores busy, and one test up to 93 s. No test may
    // fail for being slow, so the guard is far above that (and CI's own limit is 90 minutes).
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // vitest leaves one core free by default, which on two cores runs the files one at a time; most
    // files wait on child processes, servers and a browser as much as they compute, so use both.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
