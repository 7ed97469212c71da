/** Parsing of flag values that yargs hands over as strings. */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, openSync, realpathSync, rmSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MAX_SEED } from '../checker/random/random.js';
import { writtenInPlace } from '../traces/io.js';
import { UsageError } from './errors.js';

/** A value as an error message quotes it. */
export const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A flag that takes a whole number; yargs hands it over as a string, tests may pass a number. */
export function wholeFlag(flag: string, v: NonNullable<unknown> | null, min?: number, max?: number): number;
export function wholeFlag(flag: string, v: unknown, min?: number, max?: number): number | undefined;
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
 * must exist and be writable, and the path must not be a folder. A FIFO, a
 * device or one of the process's streams (/dev/stdout) is written in place
 * (see writeFileAtomic): it must be writable itself, its folder need not be.
 */
export function outputFlag(flag: string, v: NonNullable<unknown> | null): string;
export function outputFlag(flag: string, v: unknown): string | undefined;
export function outputFlag(flag: string, v: unknown): string | undefined {
  const file = fileFlag(flag, v);
  if (file === undefined) return undefined;
  let target: Stats | undefined;
  try {
    target = statSync(file);
  } catch {
    // Not there yet: written into its folder, checked below.
  }
  if (target?.isDirectory()) throw new UsageError(`--${flag}: ${file} is a folder, not a file`);
  if (target && writtenInPlace(file)) {
    try {
      accessSync(file, constants.W_OK);
    } catch (e) {
      throw new UsageError(`--${flag}: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return file;
  }
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
  return file;
}

/**
 * A flag naming a folder the command will write files into (`storm --out
 * DIR`): checked and made, with its missing parents, before any work is done.
 * What exists on the way must be a folder, and the folder must take a new
 * file: one is created (exclusively, under a random name) and removed, which
 * also refuses /proc and /sys, where even root's writes fail. (Node's own
 * recursive mkdir loops forever under /proc.) Throws one-line UsageErrors.
 */
export function outputDirFlag(flag: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} must be a folder, got ${shown(v)}`);
  const cannot = (what: string, e: unknown): UsageError =>
    new UsageError(`--${flag} ${v}: cannot ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  const missing: string[] = [];
  for (let at = resolve(v); ; ) {
    let st: Stats;
    try {
      st = statSync(at);
    } catch (e) {
      const up = dirname(at);
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way, named below when the walk reaches it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || up === at) throw cannot(`use ${at}`, e);
      missing.unshift(at);
      at = up;
      continue;
    }
    if (!st.isDirectory()) throw new UsageError(`--${flag} ${v}: ${at} is not a folder`);
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw cannot(`create the folder ${d}`, e);
    }
  }
  const probe = join(resolve(v), `.dnsmc-${randomBytes(16).toString('hex')}.tmp`);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
  } catch (e) {
    throw cannot('write files in it', e);
  }
  rmSync(probe, { force: true });
  return v;
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
