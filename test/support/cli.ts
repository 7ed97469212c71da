/**
 * Running the dnsmc command line from tests, two ways:
 *
 * - `run(args)` calls the CLI's `main` in this process with buffered output.
 *   It parses the same flags and runs the same commands as the binary, in a
 *   fraction of the time; almost every CLI test uses it.
 * - `spawnCli(args)` runs the compiled binary, bin/dnsmc.js, in a child
 *   process (`npm test` compiles first), for the few tests of what only a
 *   process shows: the exit code the shell sees, the `internal error` line,
 *   the early start of worker threads, resident memory, the demo end to end.
 *
 * Both run in the project root, so a relative path (`--model
 * examples/two-enactor-lock.ts`) means the same to both; vitest runs there.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { bufferIo } from '../../app/io.js';
import { main } from '../../bin/cli.js';

/** The project root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The binary users run. */
export const BIN = join(ROOT, 'bin', 'dnsmc.js');

/** What a run of the command line left: its exit code and what it wrote. */
export interface CliResult {
  /** The exit code (null if a spawned process was killed, e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dnsmc <args>` in this process: `main(args, io)` with an Io that
 * collects stdout and stderr. A command that writes to the process's own
 * streams instead of its Io would go unseen here (and would corrupt `--json`
 * output for users), so such a write fails the run. An error `main` does not
 * turn into an exit code (a bug: the binary's exit 70) rejects.
 */
export async function run(args: readonly string[]): Promise<CliResult & { code: number }> {
  if (process.cwd() !== ROOT) throw new Error(`run: the tests expect to run in ${ROOT}, not ${process.cwd()}`);
  const io = bufferIo();
  const stray: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const catcher = (name: string) =>
    function (this: unknown, chunk: unknown): boolean {
      stray.push(`${name}: ${String(chunk)}`);
      return true;
    } as typeof process.stdout.write;
  process.stdout.write = catcher('stdout');
  process.stderr.write = catcher('stderr');
  let code: number;
  try {
    code = await main([...args], io);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  if (stray.length > 0) throw new Error(`dnsmc ${args.join(' ')} wrote to the process's streams, not its Io:\n${stray.join('')}`);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Runs `node bin/dnsmc.js <args>` in a child process in the project root (10 minutes at most: only a guard against a hang). */
export function spawnCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, env: options.env ?? process.env });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of `stderr` that are not progress reports (a run longer than a second, on a loaded machine, reports progress). */
export function notProgress(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('progress: '));
}
