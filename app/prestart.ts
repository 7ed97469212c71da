/**
 * Before the command line is read in full: the options that must be known
 * early. `--model` decides which flags the commands take (the package's
 * parameters); `dnsmc check` starts its worker threads at once, so that they
 * boot while the rest of the CLI loads and the model is built (a bad
 * `--workers` value is left for the command to report).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { startWorkers } from '../checker/explore/pool.js';

/** Most threads `--workers` takes: each thread holds queues to every other, so memory grows with the square. */
export const MAX_WORKERS = 64;

/** The early options, as given (unvalidated): the command, `--model`, `--workers`, `--time-limit` and `--max-memory`. */
export interface EarlyArgs {
  readonly command: string | undefined;
  readonly model: string | undefined;
  readonly workers: string | undefined;
  /** Bounds loading the model module as well as the run (the command validates it). */
  readonly timeLimit: string | undefined;
  /** Bounds loading the model module as well as the run (the command validates it). */
  readonly maxMemory: string | undefined;
}

/** Reads the command, `--model`, `--workers`, `--time-limit` and `--max-memory` from `argv`, leaving every other flag to yargs. */
export function earlyArgs(argv: readonly string[]): EarlyArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string', multiple: true },
      workers: { type: 'string', multiple: true },
      'time-limit': { type: 'string', multiple: true },
      'max-memory': { type: 'string', multiple: true },
    },
    strict: false,
    allowPositionals: true,
  });
  const last = (v: unknown): string | undefined => (Array.isArray(v) && typeof v[v.length - 1] === 'string' ? (v[v.length - 1] as string) : undefined);
  return {
    command: positionals[0],
    model: last(values.model),
    workers: last(values.workers),
    timeLimit: last(values['time-limit']),
    maxMemory: last(values['max-memory']),
  };
}

/**
 * Starts `check`'s worker threads ahead of the search when the command line
 * asks for more than one thread; true when it started them. (A search that
 * turns out not to use them, a liveness check or a model without an origin,
 * stops them as soon as it knows: see `stopSpareWorkers`.)
 */
export function prestartWorkers(argv: readonly string[]): boolean {
  const early = earlyArgs(argv);
  if (early.command !== 'check') return false;
  const workers = early.workers === undefined ? availableParallelism() : Number(early.workers);
  if (!Number.isInteger(workers) || workers <= 1 || workers > MAX_WORKERS) return false;
  startWorkers(workers - 1);
  return true;
}
