/** Checking that tests leave no BIND 9 server behind. */
import { execFileSync } from 'node:child_process';

/**
 * The `named` processes this test process started that still run (pgrep's pids). Test files that
 * start servers run in parallel, so only this process's own children are counted.
 */
export function namedsStartedHere(): string[] {
  try {
    return execFileSync('pgrep', ['-x', 'named', '-P', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Command lines of running `named` processes whose arguments mention one of `dirs` (any parent: a spawned dnsmc's servers too). */
export function namedRunningIn(dirs: readonly string[]): string[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-a', 'named'], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => dirs.some((d) => l.includes(d)));
}
