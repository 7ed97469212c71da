/**
 * vitest's global setup: the tests' temporary files (mkdtemp under os.tmpdir(), private named
 * servers' folders, plan stores) go to test-output/tmp, made empty before the run and removed after it,
 * so that a run leaves nothing in the system's /tmp.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export const TEST_TMP = resolve(import.meta.dirname, '..', '..', 'test-output', 'tmp');

export function setup(): void {
  rmSync(TEST_TMP, { recursive: true, force: true });
  mkdirSync(TEST_TMP, { recursive: true });
}

export function teardown(): void {
  rmSync(TEST_TMP, { recursive: true, force: true });
}
