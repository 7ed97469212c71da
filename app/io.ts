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
  throw new OutputError(`cannot write to stdout: ${code ?? (e as Error)?.message ?? String(e)}`);
}

/**
 * Makes the process's stdout fail softly: a reader that goes away (EPIPE)
 * ends the output quietly, and the command still ends with its verdict's
 * exit code; any other write error (a full disk) is reported once, on one
 * line, with exit code 74. The CLI binary calls this once.
 */
export function guardStdout(): void {
  process.stdout.on('error', (e) => {
    try {
      stdoutFailed(e);
    } catch (err) {
      process.stderr.write(`dnsmc: ${(err as Error).message}\n`);
      process.exit(EXIT_OUTPUT);
    }
  });
}

/** The exit code of an output that could not be written (EX_IOERR). */
export const EXIT_OUTPUT = 74;

/** An Io over the process streams. */
export const processIo: Io = {
  out: (t) => {
    if (stdoutClosed) return;
    try {
      process.stdout.write(t);
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
