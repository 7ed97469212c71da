/**
 * Waiting for a user's model module: its import (top-level code, which may
 * `await`) and its `createModel`, which may return a promise. Neither may
 * hang a run without a verdict:
 *  - a wait that is still pending when the process has nothing left to do
 *    (a promise that never resolves) is named by {@link unsettledUserCode},
 *    which the binary reports in one line with exit code 2 instead of
 *    exiting 0 in silence;
 *  - a wait that outlasts `--time-limit` (a timer that fires in a day) ends
 *    the run with one line and exit code 3, as the limit does for a search.
 */
import { LimitError } from './errors.js';

/** The waits for user code in progress, by description (`--model FILE: importing the module`). */
const pending = new Set<string>();

/** The time limit a wait for user code has (from `--time-limit`), or undefined. */
let limitMs: number | undefined;

/** The memory limit loading a model module has (from `--max-memory`), in MiB, or undefined. */
let memoryMiB: number | undefined;

/** Sets the memory limit, in MiB, of loading a model module (undefined: none). */
export function setUserCodeMemoryLimit(mib: number | undefined): void {
  memoryMiB = mib;
}

/** The memory limit of loading a model module, in MiB, or undefined. */
export function userCodeMemoryLimit(): number | undefined {
  return memoryMiB;
}

/** Sets the time limit, in milliseconds, of each wait for user code (undefined: none). */
export function setUserCodeTimeLimit(ms: number | undefined): void {
  limitMs = ms;
}

/** The description of a wait for user code that has not settled, or undefined. */
export function unsettledUserCode(): string | undefined {
  for (const p of pending) return p;
  return undefined;
}

/**
 * Awaits `f()`, user code described by `what`: recorded as pending until it
 * settles, and given up with a LimitError (exit 3) after the time limit.
 */
export async function awaitUserCode<T>(what: string, f: () => T | Promise<T>): Promise<T> {
  const key = pending.has(what) ? `${what} (again)` : what;
  pending.add(key);
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = Promise.resolve().then(f);
    if (limitMs === undefined) return await work;
    const ms = limitMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LimitError(`${what} did not finish within --time-limit ${ms / 1000} s; no verdict`)), ms);
    });
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    pending.delete(key);
  }
}
