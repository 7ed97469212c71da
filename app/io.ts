import { thrownText } from '../checker/model/model-error.js';

/** When progress lines are shown (`--progress`; `--quiet` is `never`). */
export const PROGRESS_MODES = ['never', 'auto', 'always'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** Where a command writes: the CLI passes the process streams, tests pass buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress is then a live line). */
  readonly errIsTTY: boolean;
  /** When progress lines go to stderr (`--progress`, `--quiet`): `auto` when unset. */
  readonly progress?: ProgressMode;
}

/** A write to stdout failed for a reason other than a closed reader (e.g. ENOSPC): one line, exit 74. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** Set once stdout's reader has gone (EPIPE: `dnsmc check | head -1`): later output is dropped. */
let stdoutClosed = false;

function stdoutFailed(e: unknown): void {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') {
    stdoutClosed = true;
    return;
  }
  throw new OutputError(`cannot write to stdout: ${code ?? thrownText(e)}`);
}

/**
 * Makes the process's stdout fail softly: a reader that goes away (EPIPE)
 * ends the output quietly, and the command still ends with its verdict's
 * exit code; any other write error (a full disk) is reported once, on one
 * line, with exit code 74. The CLI binary calls this once.
 */
export function guardStdout(): void {
  // stdout carries the report alone: the report is written with the stream's own write, and
  // whatever else writes to it (a model's console.log) while user code runs goes to stderr.
  const write = process.stdout.write;
  ownWrite = write;
  process.stdout.write = function (this: unknown, ...args: unknown[]): boolean {
    if (userCode > 0) return (process.stderr.write as (...a: unknown[]) => boolean)(...args);
    return (write as (...a: unknown[]) => boolean).apply(process.stdout, args);
  } as typeof process.stdout.write;
  process.stdout.on('error', (e) => {
    try {
      stdoutFailed(e);
    } catch (err) {
      process.stderr.write(`dnsmc: ${(err as Error).message}\n`);
      process.exit(EXIT_OUTPUT);
    }
  });
}

/** The write of the process's stdout itself, once guardStdout has redirected the property. */
let ownWrite: typeof process.stdout.write | undefined;

/** How many runs of user code (a model module's import, its createModel, a command running it) are in progress. */
let userCode = 0;

/**
 * Runs `f`, which runs a user's model code: what that code writes to stdout
 * (`console.log`, `process.stdout.write`) goes to stderr meanwhile, so that
 * stdout holds the report alone (one JSON object with `--json`). Takes effect
 * in the binary, after guardStdout.
 */
export async function userOutputToStderr<T>(f: () => Promise<T>): Promise<T> {
  userCode++;
  try {
    return await f();
  } finally {
    userCode--;
  }
}

/** The exit code of an output that could not be written (EX_IOERR). */
export const EXIT_OUTPUT = 74;

/** An Io over the process streams. */
export const processIo: Io = {
  out: (t) => {
    if (stdoutClosed) return;
    try {
      if (ownWrite) ownWrite.call(process.stdout, t);
      else process.stdout.write(t);
    } catch (e) {
      stdoutFailed(e);
    }
  },
  err: (t) => void process.stderr.write(t),
  errIsTTY: Boolean(process.stderr.isTTY),
};

/** An Io that collects what is written, for tests and library callers. */
export function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    errIsTTY: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}
