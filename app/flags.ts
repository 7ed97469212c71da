/** Parsing of flag values that yargs hands over as strings. */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { MAX_SEED } from '../checker/random.js';
import { UsageError } from './errors.js';

/** A value as an error message quotes it. */
export const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A flag that takes a whole number; yargs hands it over as a string, tests may pass a number. */
export function wholeFlag(flag: string, v: unknown, min = -Infinity, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max !== Infinity ? `a whole number from ${min} to ${max}` : min === -Infinity ? 'a whole number' : `a whole number of at least ${min}`;
    throw new UsageError(`--${flag} must be ${range}, got ${shown(v)}`);
  }
  return n;
}

/** A flag that takes a number of seconds above 0. */
export function secondsFlag(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number of seconds above 0, got ${shown(v)}`);
  return n;
}

/** A flag that may be given several times, as a list of strings. */
export function listFlag(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A file flag's value: a non-empty string, or undefined when absent. */
export function fileFlag(flag: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} must name a file`);
  return v;
}

/** `--seed S`: an unsigned 32-bit integer. */
export function seedFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEED) throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got ${shown(v)}`);
  return n;
}

/** Most shards a swarm job may be split into. */
export const MAX_SHARDS = 100_000;

/** `--swarm i/N`, checked: 1 <= i <= N <= MAX_SHARDS. */
export function swarmFlag(v: unknown): { shard: number; of: number } | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v) : null;
  const shard = m ? Number(m[1]) : NaN;
  const of = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(shard) || !Number.isSafeInteger(of) || of < 1 || of > MAX_SHARDS || shard < 1 || shard > of) {
    throw new UsageError(`--swarm must be i/N: shard i of N, whole numbers with 1 <= N <= ${MAX_SHARDS} and 1 <= i <= N (e.g. 2/8), got ${shown(v)}`);
  }
  return { shard, of };
}

/**
 * A flag naming a file the command will write: checked before any work is
 * done, so that a long search never ends in an unwritable path. Its folder
 * must exist and be writable, and the path must not be a folder.
 */
export function outputFlag(flag: string, v: unknown): string | undefined {
  const file = fileFlag(flag, v);
  if (file === undefined) return undefined;
  const dir = dirname(resolve(file));
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new UsageError(`--${flag}: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'} (its folder ${dir} does not exist)`);
  }
  if (!st.isDirectory()) throw new UsageError(`--${flag}: cannot write ${file}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag}: cannot write ${file}: EACCES (the folder ${dir} is not writable)`);
  }
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`--${flag}: ${file} is a folder, not a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  return file;
}

/**
 * What a path names, so that two paths can be compared as files: an
 * existing file by device and inode (through `..`, symlinks and hard links),
 * a file yet to be written by its folder's real path and its name.
 */
export function fileIdentity(file: string): string {
  try {
    const st = statSync(file);
    return `inode ${st.dev}:${st.ino}`;
  } catch {
    let dir = dirname(resolve(file));
    try {
      dir = realpathSync(dir);
    } catch {
      // A folder that does not exist: compared as written.
    }
    return `path ${resolve(dir, basename(file))}`;
  }
}

/**
 * Refuses a command whose output would overwrite one of its inputs or
 * another of its outputs (compared as files, not as strings). `outputs` and
 * `inputs` pair a flag or role with a path (undefined: not given).
 */
export function refuseOverwrite(outputs: readonly (readonly [string, string | undefined])[], inputs: readonly (readonly [string, string | undefined])[]): void {
  const seen = new Map<string, string>();
  for (const [what, file] of inputs) if (file !== undefined) seen.set(fileIdentity(file), what);
  for (const [flag, file] of outputs) {
    if (file === undefined) continue;
    const id = fileIdentity(file);
    const other = seen.get(id);
    if (other !== undefined) throw new UsageError(`--${flag} ${file} would overwrite ${other}; name another file`);
    seen.set(id, `the file of --${flag}`);
  }
}
